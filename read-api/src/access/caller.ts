import { forbidden, NationPulseError, type Permission } from '@nationpulse/domain';
import { bearerToken, type TokenService } from '@nationpulse/platform';
import type { ReadStore } from '@nationpulse/ports';
import { collections, type UserDoc } from '@nationpulse/read-models';

/** The signed-in user behind a request, as the users read model knows them now. */
export interface Caller {
  readonly userId: string;
  readonly username: string;
  readonly roles: readonly string[];
  readonly permissions: ReadonlySet<string>;
}

export interface CallerAuthenticator {
  /** The caller of a request from its Authorization header: 401 for a bad token or an unknown user, 403 when disabled. */
  authenticate(authorization: string | undefined): Promise<Caller>;
}

/**
 * Queries whose answer depends on who asks (one's own reports, the users list) identify the
 * caller themselves, from the access token the gateway passes on and the users read model the
 * gateway checks too: a request that reaches the read API without the gateway gets no more.
 */
export const createCallerAuthenticator = (deps: { tokens: TokenService; readStore: ReadStore }): CallerAuthenticator => ({
  async authenticate(authorization) {
    const claims = await deps.tokens.verifyAccessToken(bearerToken(authorization));
    const found = await deps.readStore.get<UserDoc>(collections.users, claims.sub);
    if (!found) throw new NationPulseError('unauthenticated', 'USER_UNKNOWN', 'The token names no known user');
    const user = found.doc;
    if (user.disabled) throw forbidden('USER_DISABLED', 'This account is disabled');
    return { userId: user.userId, username: user.username, roles: user.roles, permissions: new Set(user.permissions) };
  },
});

/** 403 PERMISSION_DENIED unless the caller holds the permission. */
export const requirePermission = (caller: Caller, permission: Permission): void => {
  if (!caller.permissions.has(permission)) throw forbidden('PERMISSION_DENIED', `This action needs the permission ${permission}`, { permission });
};

import { forbidden, NationPulseError, type Permission } from '@nationpulse/domain';
import type { AccessClaims, TokenService } from '@nationpulse/platform';
import { decodeJwt } from 'jose';
import type { AccessLookup, UserAccess } from './access-lookup.ts';

export interface SignedInUser extends UserAccess {
  /** When the access token expires (epoch ms): long-lived streams end then. */
  readonly tokenExpiresAt: number;
}

export interface Authenticator {
  /** Verifies the access token and loads the user's current access: 401 for a bad token or unknown user, 403 when disabled. */
  authenticate(token: string | undefined): Promise<SignedInUser>;
  /** 403 PERMISSION_DENIED unless the user holds the permission. */
  authorize(user: UserAccess, permission: Permission): void;
}

/**
 * Verified tokens are remembered until they expire, keyed by the token itself (a bounded LRU:
 * `maxRemembered`), so the signature is checked once per token rather than once per request;
 * the user's access is still looked up every time.
 */
export const createAuthenticator = (deps: { tokens: TokenService; access: AccessLookup; now: () => number; maxRemembered?: number }): Authenticator => {
  const verified = new Map<string, { claims: AccessClaims; expiresAt: number }>();
  const maxRemembered = deps.maxRemembered ?? 10_000;

  const verify = async (token: string | undefined): Promise<{ claims: AccessClaims; expiresAt: number }> => {
    const known = token ? verified.get(token) : undefined;
    if (known) {
      verified.delete(token!);
      if (known.expiresAt > deps.now()) {
        verified.set(token!, known); // most recently used last: the least recently used goes first
        return known;
      }
    }
    const claims = await deps.tokens.verifyAccessToken(token); // throws TOKEN_MISSING / TOKEN_EXPIRED / TOKEN_INVALID
    const exp = decodeJwt(token!).exp;
    const entry = { claims, expiresAt: typeof exp === 'number' ? exp * 1000 : deps.now() };
    if (verified.size >= maxRemembered) verified.delete(verified.keys().next().value!);
    verified.set(token!, entry);
    return entry;
  };

  return {
    async authenticate(token) {
      const { claims, expiresAt } = await verify(token);
      const user = await deps.access.get(claims.sub);
      if (!user) throw new NationPulseError('unauthenticated', 'USER_UNKNOWN', 'The token names no known user');
      if (user.disabled) throw forbidden('USER_DISABLED', 'This account is disabled');
      return { ...user, tokenExpiresAt: expiresAt };
    },
    authorize(user, permission) {
      if (!user.permissions.has(permission)) throw forbidden('PERMISSION_DENIED', `This action needs the permission ${permission}`, { permission });
    },
  };
};

import { NationPulseError, evolveUser, forbidden, hasPermission, initialUserState, userStreamId, type Permission } from '@nationpulse/domain';
import type { TokenService } from '@nationpulse/platform';
import type { AggregateExecutor } from '@nationpulse/event-sourcing';
import type { Actor } from '@nationpulse/event-sourcing';

export interface AccessControl {
  /** Verifies the bearer token and loads the user's current access from the event store. */
  authenticate(token: string | undefined): Promise<Actor>;
  /** Throws 403 unless the actor holds the permission now. */
  authorize(actor: Actor, permission: Permission): void;
}

/**
 * The write side checks access itself, from the user's own stream (the source of truth), so a
 * request that bypasses the gateway cannot act beyond the actor's current rights.
 */
export const createAccessControl = (tokens: TokenService, executor: AggregateExecutor): AccessControl => ({
  async authenticate(token) {
    const claims = await tokens.verifyAccessToken(token);
    const user = await executor.load(userStreamId(claims.sub), { initial: initialUserState, evolve: evolveUser });
    if (!user.state.exists) throw new NationPulseError('unauthenticated', 'USER_UNKNOWN', 'The token names no known user');
    if (user.state.disabled) throw forbidden('USER_DISABLED', 'This account is disabled');
    return { kind: 'user', userId: claims.sub, username: claims.username, principal: user.state };
  },
  authorize(actor, permission) {
    if (actor.kind === 'system') return;
    // Services acting for a user do not dispatch commands here: only signed-in users and the platform do.
    if (actor.kind === 'on-behalf') throw forbidden('PERMISSION_DENIED', 'Commands are dispatched for signed-in users only');
    if (!hasPermission(actor.principal, permission)) {
      throw forbidden('PERMISSION_DENIED', `This action needs the permission ${permission}`, { permission });
    }
  },
});

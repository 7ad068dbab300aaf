import { NationPulseError, evolveUser, forbidden, hasPermission, initialUserState, userStreamId } from '@nationpulse/domain';
import { createAggregateExecutor } from '@nationpulse/event-sourcing';
import { bearerToken, type Clock, type TokenService } from '@nationpulse/platform';
import type { EventStore } from '@nationpulse/ports';

/** Who may trigger a run: `authorization` (a bearer token) in, the actor id recorded on the run out. */
export type TriggerAuthorizer = (authorization: string | undefined) => Promise<string>;

/**
 * The gateway checks ingestion:trigger first; this service checks again, as the write API does:
 * the bearer token verified with the shared secret, then the user's current access loaded from
 * their own stream, so a call that bypasses the gateway gets no further than the user's rights.
 */
export const createTriggerAuthorizer = (deps: { tokens: TokenService; eventStore: EventStore; clock: Clock }): TriggerAuthorizer => {
  const executor = createAggregateExecutor({ eventStore: deps.eventStore, clock: deps.clock, source: 'ingestion' });
  return async (authorization) => {
    const claims = await deps.tokens.verifyAccessToken(bearerToken(authorization));
    const { state } = await executor.load(userStreamId(claims.sub), { initial: initialUserState, evolve: evolveUser });
    if (!state.exists) throw new NationPulseError('unauthenticated', 'USER_UNKNOWN', 'The token names no known user');
    if (state.disabled) throw forbidden('USER_DISABLED', 'This account is disabled');
    if (!hasPermission(state, 'ingestion:trigger')) throw forbidden('PERMISSION_DENIED', 'This action needs the permission ingestion:trigger', { permission: 'ingestion:trigger' });
    return claims.sub;
  };
};

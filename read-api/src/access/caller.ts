import { createAuthenticator, userAccessOf, type Authenticator, type TokenService } from '@nationpulse/platform';
import type { ReadStore } from '@nationpulse/ports';
import { collections, type UserDoc } from '@nationpulse/read-models';

/**
 * Queries whose answer depends on who asks (one's own reports, the users list) identify the
 * caller themselves, from the access token the gateway passes on and the users read model the
 * gateway checks too, with the gateway's own authenticator: a request that reaches the read API
 * without the gateway gets no more. 401 for a bad token or an unknown user, 403 when disabled.
 */
export const createCallerAuthenticator = (deps: { tokens: TokenService; readStore: ReadStore; now?: () => number }): Authenticator =>
  createAuthenticator({
    tokens: deps.tokens,
    access: {
      async get(userId) {
        const found = await deps.readStore.get<UserDoc>(collections.users, userId);
        return found ? userAccessOf({ ...found.doc, userId }) : null;
      },
    },
    now: deps.now ?? Date.now,
  });

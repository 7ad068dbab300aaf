import { conflict } from '../errors.ts';
import type { DomainEventOf } from '../envelope.ts';
import type { UsernameClaimed } from './user.ts';

/** Usernames are unique: each is claimed in its own stream before the user is registered. */
export type UsernameClaimEvent = DomainEventOf<typeof UsernameClaimed>;
export interface UsernameClaimState {
  readonly claimedBy: string | null;
}
export const initialUsernameClaimState: UsernameClaimState = { claimedBy: null };

export interface ClaimUsername {
  readonly type: 'ClaimUsername';
  readonly username: string;
  readonly userId: string;
  /**
   * Whether the current holder was ever registered. A claim whose user never came to exist
   * (the registration crashed between the two appends) may be taken over.
   */
  readonly holderExists: boolean;
}

export const evolveUsernameClaim = (_state: UsernameClaimState, event: UsernameClaimEvent): UsernameClaimState => ({ claimedBy: event.data.userId });

export const decideUsernameClaim = (command: ClaimUsername, state: UsernameClaimState): UsernameClaimEvent[] => {
  if (state.claimedBy === command.userId) return [];
  if (state.claimedBy !== null && command.holderExists) throw conflict('USERNAME_TAKEN', `The username ${command.username} is taken`);
  return [{ type: 'UsernameClaimed', data: { username: command.username, userId: command.userId } }];
};

/** The username-claim aggregate, as the executor runs it. */
export const usernameClaimAggregate = { initial: initialUsernameClaimState, evolve: evolveUsernameClaim, decide: decideUsernameClaim };

import { NationPulseError } from '@nationpulse/domain';

/**
 * A refresh token as the server keeps it: its hash, never the token. Every token belongs to a
 * family (one sign-in and all the tokens rotated from it), which is what reuse revokes.
 */
export interface RefreshTokenRecord {
  /** SHA-256 of the opaque token (hex). */
  readonly tokenHash: string;
  readonly familyId: string;
  readonly userId: string;
  /** Epoch milliseconds after which the token is refused. */
  readonly expiresAt: number;
}

/**
 * What presenting a refresh token led to:
 * - `rotated`: it was the family's current token; it is now spent and `next` is current;
 * - `reused`: it had already been rotated (someone replays a stolen token): the whole family is
 *   revoked, so neither the thief nor the owner can refresh any more;
 * - `revoked`: the family was signed out or revoked after a reuse;
 * - `expired` / `unknown`: past its expiry, or never issued (or issued for another family).
 */
export type RotationOutcome =
  | { readonly outcome: 'rotated'; readonly userId: string; readonly familyId: string }
  | { readonly outcome: 'reused'; readonly userId: string; readonly familyId: string }
  | { readonly outcome: 'revoked' | 'expired' | 'unknown' };

/** Server-side refresh tokens: SQLite when embedded, Redis when distributed (shared by every gateway). */
export interface RefreshTokenStore {
  /** Records the first token of a new family (a sign-in). */
  issue(record: RefreshTokenRecord): Promise<void>;
  /**
   * Atomically spends the token and records its successor in the same family, or reports why
   * it cannot (see RotationOutcome); of two concurrent rotations of one token exactly one wins,
   * the other is a reuse. `now` is epoch milliseconds.
   */
  rotate(presented: { readonly tokenHash: string; readonly familyId: string }, next: { readonly tokenHash: string; readonly expiresAt: number }, now: number): Promise<RotationOutcome>;
  /** Revokes the family of a known token (sign-out); false when the token is unknown. Idempotent. */
  revokeFamily(presented: { readonly tokenHash: string; readonly familyId: string }): Promise<boolean>;
  close(): Promise<void>;
}

export class RefreshTokenStoreUnavailableError extends NationPulseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', 'TOKEN_STORE_UNAVAILABLE', message, undefined, options);
  }
}

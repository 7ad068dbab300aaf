import { NationPulseError, validationError } from '@nationpulse/domain';

/** At most `limit` requests per `windowMs`, with bursts up to `limit` (a token bucket refilled evenly). */
export interface RateLimit {
  readonly limit: number;
  readonly windowMs: number;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** Whole requests still allowed right now. */
  readonly remaining: number;
  /** When refused: milliseconds until one request is allowed again (> 0); 0 when allowed. */
  readonly retryAfterMs: number;
}

/**
 * Counts requests per key (a user, an IP): in-process when embedded, Redis when distributed so
 * that every gateway instance shares the same budget.
 */
export interface RateLimiter {
  /** Takes one request from the key's budget, atomically, or refuses it. */
  consume(key: string, limit: RateLimit): Promise<RateDecision>;
  close(): Promise<void>;
}

export class RateLimiterUnavailableError extends NationPulseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', 'RATE_LIMITER_UNAVAILABLE', message, undefined, options);
  }
}

/** Every adapter refuses the same malformed limits (a caller's bug, not a refusal). */
export const assertValidRateLimit = ({ limit, windowMs }: RateLimit): void => {
  if (!Number.isSafeInteger(limit) || limit < 1 || !Number.isFinite(windowMs) || windowMs <= 0) {
    throw validationError('A rate limit is a whole number of requests (>= 1) per positive window', { limit, windowMs });
  }
};

import { NationPulseError } from '@nationpulse/domain';
import type { RateLimiter } from '@nationpulse/ports';

export interface RateLimitPolicy {
  /** Requests per minute per user / per IP / per IP on sign-in and refresh; 0 = no limit. */
  readonly userPerMinute: number;
  readonly ipPerMinute: number;
  readonly authPerMinute: number;
  /** Usernames never limited (load tests, trusted automation). */
  readonly exemptUsers: readonly string[];
}

export interface RateLimits {
  /** For a signed-in user's request: the user's and the IP's budgets. */
  checkUser(username: string, userId: string, ip: string): Promise<void>;
  /** For sign-in and refresh: the IP's budget for authentication attempts. */
  checkAuth(ip: string): Promise<void>;
}

const MINUTE = 60_000;

/**
 * Applies the policy through the RateLimiter port. A refused request is a 429 RATE_LIMITED with
 * `retryAfterSeconds` (the route sets Retry-After from it). When the limiter itself is down the
 * request goes through: availability over strictness, and it is logged.
 */
export const createRateLimits = (limiter: RateLimiter, policy: RateLimitPolicy, onLimiterError: (error: unknown) => void): RateLimits => {
  const exempt = new Set(policy.exemptUsers);
  const take = async (key: string, perMinute: number) => {
    if (perMinute <= 0) return;
    let decision;
    try {
      decision = await limiter.consume(key, { limit: perMinute, windowMs: MINUTE });
    } catch (error) {
      onLimiterError(error);
      return;
    }
    if (!decision.allowed) {
      const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      throw new NationPulseError('rate_limited', 'RATE_LIMITED', `Too many requests: try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
    }
  };
  return {
    async checkUser(username, userId, ip) {
      if (exempt.has(username)) return;
      await take(`ip:${ip}`, policy.ipPerMinute);
      await take(`user:${userId}`, policy.userPerMinute);
    },
    checkAuth: (ip) => take(`auth:${ip}`, policy.authPerMinute),
  };
};

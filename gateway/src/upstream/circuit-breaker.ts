export type BreakerState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. */
  readonly failureThreshold: number;
  /** How long it stays open (failing fast) before letting one probe through. */
  readonly openMs: number;
  /** Milliseconds since the epoch; injected so tests control time. */
  readonly now: () => number;
  readonly onStateChange?: (state: BreakerState) => void;
}

export interface CircuitBreaker {
  readonly state: BreakerState;
  /**
   * Whether a call may go out now. Closed: yes. Open: no, until `openMs` has passed; then the
   * breaker turns half-open and admits exactly one probe (everyone else still fails fast).
   */
  tryAcquire(): boolean;
  /** The outcome of an admitted call. */
  onSuccess(): void;
  onFailure(): void;
}

/**
 * A per-upstream circuit breaker: closed → open after N consecutive failures → half-open after
 * a pause, where one probe decides: success closes it, failure opens it again.
 */
export const createCircuitBreaker = (options: CircuitBreakerOptions): CircuitBreaker => {
  let state: BreakerState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let probing = false;
  const move = (next: BreakerState) => {
    if (state === next) return;
    state = next;
    options.onStateChange?.(next);
  };
  return {
    get state() {
      return state;
    },
    tryAcquire() {
      if (state === 'closed') return true;
      if (state === 'open') {
        if (options.now() - openedAt < options.openMs) return false;
        move('half_open');
      }
      if (probing) return false;
      probing = true;
      return true;
    },
    onSuccess() {
      failures = 0;
      probing = false;
      move('closed');
    },
    onFailure() {
      probing = false;
      failures += 1;
      if (state === 'half_open' || failures >= options.failureThreshold) {
        openedAt = options.now();
        move('open');
      }
    },
  };
};

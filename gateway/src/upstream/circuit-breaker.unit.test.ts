import { describe, expect, it } from 'vitest';
import { createCircuitBreaker, type BreakerState } from './circuit-breaker.ts';

const breaker = () => {
  let now = 0;
  const changes: BreakerState[] = [];
  const b = createCircuitBreaker({ failureThreshold: 3, openMs: 1_000, now: () => now, onStateChange: (s) => changes.push(s) });
  return { b, changes, at: (t: number) => (now = t) };
};

describe('circuit breaker', () => {
  it('opens after N consecutive failures and fails fast while open', () => {
    const { b, changes } = breaker();
    for (let i = 0; i < 2; i++) {
      expect(b.tryAcquire()).toBe(true);
      b.onFailure();
    }
    expect(b.state).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
    b.onFailure();
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBe(false);
    expect(changes).toEqual(['open']);
  });

  it('counts consecutive failures only: a success resets the count', () => {
    const { b } = breaker();
    b.onFailure();
    b.onFailure();
    b.onSuccess();
    b.onFailure();
    b.onFailure();
    expect(b.state).toBe('closed');
  });

  it('admits exactly one probe once the pause is over; success closes it', () => {
    const { b, changes, at } = breaker();
    for (let i = 0; i < 3; i++) b.onFailure();
    at(999);
    expect(b.tryAcquire()).toBe(false);
    at(1_000);
    expect(b.tryAcquire()).toBe(true);
    expect(b.state).toBe('half_open');
    expect(b.tryAcquire()).toBe(false); // only one probe at a time
    b.onSuccess();
    expect(b.state).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
    expect(changes).toEqual(['open', 'half_open', 'closed']);
  });

  it('opens again for another pause when the probe fails', () => {
    const { b, at } = breaker();
    for (let i = 0; i < 3; i++) b.onFailure();
    at(1_500);
    expect(b.tryAcquire()).toBe(true);
    b.onFailure();
    expect(b.state).toBe('open');
    at(2_499);
    expect(b.tryAcquire()).toBe(false);
    at(2_500);
    expect(b.tryAcquire()).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { nextCronTime, parseCron } from './cron.ts';

const next = (cron: string, after: string) => {
  const t = nextCronTime(parseCron(cron), Date.parse(after));
  return t === null ? null : new Date(t).toISOString();
};

describe('cron', () => {
  it('finds the next matching instant in UTC', () => {
    expect(next('0 3 * * *', '2026-03-01T02:59:59Z')).toBe('2026-03-01T03:00:00.000Z');
    expect(next('0 3 * * *', '2026-03-01T03:00:00Z')).toBe('2026-03-02T03:00:00.000Z');
    expect(next('*/15 * * * *', '2026-03-01T10:07:00Z')).toBe('2026-03-01T10:15:00.000Z');
    expect(next('30 2 1 * *', '2026-12-05T00:00:00Z')).toBe('2027-01-01T02:30:00.000Z');
    expect(next('0 0 * * MON', '2026-03-01T00:00:00Z')).toBe('2026-03-02T00:00:00.000Z'); // 1 March 2026 is a Sunday
    expect(next('0 0 * * 7', '2026-03-01T00:00:00Z')).toBe('2026-03-08T00:00:00.000Z');
    expect(next('0 12 1-3 JAN-FEB *', '2026-01-03T12:00:00Z')).toBe('2026-02-01T12:00:00.000Z');
    expect(next('*/20 * * * * *', '2026-03-01T00:00:41Z')).toBe('2026-03-01T00:01:00.000Z');
    expect(next('0 0 29 2 *', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
  });

  it('fires on either day field when both are restricted (vixie cron)', () => {
    // 13th of the month or any Friday.
    expect(next('0 0 13 * 5', '2026-03-01T00:00:00Z')).toBe('2026-03-06T00:00:00.000Z');
    expect(next('0 0 13 * 5', '2026-03-10T00:00:00Z')).toBe('2026-03-13T00:00:00.000Z');
  });

  it('answers null for an expression that never matches', () => {
    expect(next('0 0 30 2 *', '2026-01-01T00:00:00Z')).toBeNull();
  });

  it('rejects malformed expressions with INVALID_CRON', () => {
    for (const bad of ['', '* * * *', '60 * * * *', '* 24 * * *', '* * 0 * *', '* * * 13 *', '* * * * 8', '5-1 * * * *', '*/0 * * * *', 'a b c d e']) {
      expect(() => parseCron(bad), bad).toThrow(expect.objectContaining({ code: 'INVALID_CRON' }));
    }
  });
});

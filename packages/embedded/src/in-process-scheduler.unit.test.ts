import { testDatasetLock, testJobScheduler } from '@nationpulse/ports/testing';
import type { ScheduledJob } from '@nationpulse/ports';
import { describe, expect, it } from 'vitest';
import { createInProcessLock } from './in-process-lock.ts';
import { createInProcessScheduler, type SchedulerTimers } from './in-process-scheduler.ts';

testJobScheduler('in-process', { create: async () => createInProcessScheduler({ backoffMs: 50 }) });
testDatasetLock('in-process', { create: async () => createInProcessLock() });

/** Manual time: callbacks run only when the test advances the clock past them. */
const fakeTimers = (start: number) => {
  let now = start;
  let seq = 0;
  const queue = new Map<number, { at: number; callback: () => void }>();
  const timers: SchedulerTimers = {
    now: () => now,
    setTimeout: (callback, ms) => {
      queue.set(++seq, { at: now + ms, callback });
      return seq;
    },
    clearTimeout: (handle) => void queue.delete(handle as number),
  };
  const advance = async (ms: number) => {
    const until = now + ms;
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve)); // let running jobs settle and arm their timers
      const due = [...queue].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      queue.delete(due[0]);
      now = Math.max(now, due[1].at);
      due[1].callback();
    }
    now = until;
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { timers, advance, pending: () => queue.size };
};

describe('in-process scheduler with injected timers', () => {
  it('fires a daily cron at its minute in UTC, once per day, and shows the next run', async () => {
    const t = fakeTimers(Date.parse('2026-03-01T02:59:00Z'));
    const scheduler = createInProcessScheduler({ timers: t.timers });
    const seen: ScheduledJob[] = [];
    await scheduler.start(async (job) => void seen.push(job));
    await scheduler.upsertSchedule('wdi', '0 3 * * *', { dataset: 'wdi' });
    expect((await scheduler.listSchedules())[0]!.nextRunAt).toEqual(new Date('2026-03-01T03:00:00Z'));
    await t.advance(59_000);
    expect(seen).toHaveLength(0);
    await t.advance(1_000);
    expect(seen).toEqual([{ id: `wdi-${Date.parse('2026-03-01T03:00:00Z')}`, scheduleId: 'wdi', payload: { dataset: 'wdi' }, attempt: 1 }]);
    expect((await scheduler.listSchedules())[0]!.nextRunAt).toEqual(new Date('2026-03-02T03:00:00Z'));
    await t.advance(3 * 86_400_000);
    expect(seen).toHaveLength(4);
    await scheduler.close();
    expect(t.pending()).toBe(0);
  });

  it('retries a failing job with exponential backoff, then gives up and reports it', async () => {
    const t = fakeTimers(0);
    const failed: ScheduledJob[] = [];
    const scheduler = createInProcessScheduler({ timers: t.timers, maxAttempts: 3, backoffMs: 1_000, onJobFailed: (job) => failed.push(job) });
    const attempts: { attempt: number; at: number }[] = [];
    await scheduler.start(async (job) => {
      attempts.push({ attempt: job.attempt, at: t.timers.now() });
      throw new Error('source down');
    });
    await scheduler.enqueue({ n: 1 }, { jobId: 'j1' });
    await t.advance(10_000);
    expect(attempts).toEqual([
      { attempt: 1, at: 0 },
      { attempt: 2, at: 1_000 },
      { attempt: 3, at: 3_000 },
    ]);
    expect(failed.map((j) => j.id)).toEqual(['j1']);
    // Given up: the id is free again.
    await scheduler.enqueue({ n: 2 }, { jobId: 'j1' });
    await t.advance(0);
    expect(attempts).toHaveLength(4);
    await scheduler.close();
  });

  it('skips ticks missed while the process was busy instead of firing them all at once', async () => {
    const t = fakeTimers(Date.parse('2026-03-01T00:00:30Z'));
    const scheduler = createInProcessScheduler({ timers: t.timers });
    const seen: ScheduledJob[] = [];
    await scheduler.start(async (job) => void seen.push(job));
    await scheduler.upsertSchedule('every-minute', '* * * * *', {});
    await t.advance(5 * 60_000);
    expect(seen).toHaveLength(5);
    expect(new Set(seen.map((j) => j.id)).size).toBe(5);
    await scheduler.close();
  });
});

describe('in-process lock with an injected clock', () => {
  it('expires a lease exactly at its TTL', async () => {
    let now = 1_000;
    const lock = createInProcessLock({ clock: () => now });
    const lease = await lock.acquire('wdi', 500);
    now = 1_499;
    expect(await lock.acquire('wdi', 500)).toBeNull();
    now = 1_500;
    expect(await lock.isHeld('wdi')).toBe(false);
    expect(await lock.renew(lease!, 500)).toBe(false);
    await expect(lock.acquire('wdi', 0)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

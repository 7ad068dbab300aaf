import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobScheduler, ScheduledJob } from '../scheduling.ts';

export interface JobSchedulerFactory {
  /**
   * A fresh scheduler with its own queue (on a shared server: a unique queue name or prefix), at
   * most 3 attempts per job and a retry backoff of at most 100 ms.
   */
  create(): Promise<JobScheduler>;
}

/** Polls until the condition holds, failing after `timeoutMs`. */
const eventually = async (condition: () => boolean, timeoutMs = 8_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
};

/**
 * The behaviour every JobScheduler adapter must show, with real time (schedules use a six-field,
 * every-second cron so the suite stays fast). Run it from each adapter's test file.
 */
export function testJobScheduler(name: string, factory: JobSchedulerFactory): void {
  describe(`JobScheduler contract: ${name}`, () => {
    const opened: JobScheduler[] = [];
    const create = async () => {
      const scheduler = await factory.create();
      opened.push(scheduler);
      return scheduler;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('delivers an enqueued job once, with its payload, as a manual job on its first attempt', async () => {
      const scheduler = await create();
      const seen: ScheduledJob[] = [];
      const payload = { spec: { kind: 'world-bank-csv', path: '/data/x.csv' }, n: 1, tag: randomUUID() };
      await scheduler.start(async (job) => void seen.push(job));
      const id = await scheduler.enqueue(payload);
      await eventually(() => seen.length === 1);
      await sleep(300);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ id, scheduleId: null, attempt: 1, payload });
    });

    it('keeps jobs enqueued before start and delivers them once started', async () => {
      const scheduler = await create();
      const ids = [await scheduler.enqueue({ n: 1 }), await scheduler.enqueue({ n: 2 })];
      const seen: ScheduledJob[] = [];
      await scheduler.start(async (job) => void seen.push(job));
      await eventually(() => seen.length === 2);
      expect(seen.map((j) => j.id).sort()).toEqual([...ids].sort());
    });

    it('does not enqueue a job id twice while it is pending', async () => {
      const scheduler = await create();
      const jobId = `job-${randomUUID()}`;
      expect(await scheduler.enqueue({ n: 1 }, { jobId })).toBe(jobId);
      expect(await scheduler.enqueue({ n: 2 }, { jobId })).toBe(jobId);
      const seen: ScheduledJob[] = [];
      await scheduler.start(async (job) => void seen.push(job));
      await eventually(() => seen.length >= 1);
      await sleep(300);
      expect(seen.map((j) => j.payload)).toEqual([{ n: 1 }]);
      await expect(scheduler.enqueue({}, { jobId: 'a:b' })).rejects.toMatchObject({ code: 'INVALID_JOB_ID' });
      await expect(scheduler.enqueue({}, { jobId: '123' })).rejects.toMatchObject({ code: 'INVALID_JOB_ID' });
    });

    it('retries a job whose handler throws (at least once), with a growing attempt number', async () => {
      const scheduler = await create();
      const attempts: number[] = [];
      let done = false;
      await scheduler.start(async (job) => {
        attempts.push(job.attempt);
        if (job.attempt < 3) throw new Error('transient failure');
        done = true;
      });
      await scheduler.enqueue({ flaky: true });
      await eventually(() => done);
      expect(attempts).toEqual([1, 2, 3]);
    });

    it('fires a schedule on its cron, replaces it on upsert, lists it and stops it on remove', async () => {
      const scheduler = await create();
      const seen: ScheduledJob[] = [];
      await scheduler.start(async (job) => void seen.push(job));
      await scheduler.upsertSchedule('dataset-a', '* * * * * *', { version: 1 });
      await scheduler.upsertSchedule('dataset-a', '*/1 * * * * *', { version: 2 });
      const listed = await scheduler.listSchedules();
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ id: 'dataset-a', cron: '*/1 * * * * *', payload: { version: 2 } });
      await eventually(() => seen.filter((j) => j.payload['version'] === 2).length >= 2);
      expect(seen.every((j) => j.scheduleId === 'dataset-a')).toBe(true);

      expect(await scheduler.removeSchedule('dataset-a')).toBe(true);
      expect(await scheduler.removeSchedule('dataset-a')).toBe(false);
      expect(await scheduler.listSchedules()).toEqual([]);
      await sleep(1_200); // a tick already enqueued may still land
      const after = seen.length;
      await sleep(1_500);
      expect(seen.length).toBe(after);
    });

    it('refuses an invalid cron expression with INVALID_CRON', async () => {
      const scheduler = await create();
      for (const cron of ['not a cron', '61 * * * *', '* * *', '* * * * * * * *']) {
        await expect(scheduler.upsertSchedule('bad', cron, {})).rejects.toMatchObject({ code: 'INVALID_CRON' });
      }
      expect(await scheduler.listSchedules()).toEqual([]);
    });

    it('waits for a running job on close, then delivers nothing more', async () => {
      const scheduler = await create();
      let finished = false;
      let started = false;
      const seen: ScheduledJob[] = [];
      await scheduler.start(async (job) => {
        seen.push(job);
        started = true;
        await sleep(300);
        finished = true;
      });
      await scheduler.enqueue({ slow: true });
      await eventually(() => started);
      await scheduler.close();
      expect(finished).toBe(true);
      expect(seen).toHaveLength(1);
    });
  });
}

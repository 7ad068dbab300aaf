import { randomUUID } from 'node:crypto';
import { checkJobId, type JobHandler, type JobPayload, type JobScheduler, type ScheduledJob, type ScheduleInfo } from '@nationpulse/ports';
import { nextCronTime, parseCron, type Cron } from './cron.ts';

/** Time as the scheduler sees it; injectable so tests drive schedules without waiting. */
export interface SchedulerTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Real time; the timers are unref'd so schedules never keep a process alive on their own. */
export const systemTimers: SchedulerTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface InProcessSchedulerOptions {
  readonly timers?: SchedulerTimers;
  /** Deliveries of a job before it is given up. Default 3. */
  readonly maxAttempts?: number;
  /** Delay before the second attempt, doubled for each further one. Default 1 s. */
  readonly backoffMs?: number;
  /** Jobs run at once. Default 1. */
  readonly concurrency?: number;
  /** Told when a job failed its last attempt (the scheduler itself only drops it). */
  readonly onJobFailed?: (job: ScheduledJob, error: unknown) => void;
}

interface Schedule {
  readonly cron: string;
  readonly parsed: Cron;
  readonly payload: JobPayload;
  next: number | null;
  timer: unknown;
}

/**
 * The embedded JobScheduler: cron schedules on timers and a queue in memory. Delivery is at least
 * once within the process' life (a throwing handler is retried with backoff); jobs do not survive
 * a restart, but the schedules are re-declared at every start, so the next tick comes anyway.
 */
export const createInProcessScheduler = (options: InProcessSchedulerOptions = {}): JobScheduler => {
  const timers = options.timers ?? systemTimers;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const backoffMs = Math.max(0, options.backoffMs ?? 1_000);
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const schedules = new Map<string, Schedule>();
  const waiting: ScheduledJob[] = [];
  /** Ids of jobs waiting, running or waiting for a retry: not enqueued twice. */
  const pending = new Set<string>();
  const retryTimers = new Set<unknown>();
  const running = new Set<Promise<void>>();
  let handler: JobHandler | null = null;
  let closed = false;

  const push = (job: ScheduledJob): void => {
    waiting.push(job);
    pump();
  };

  const finish = (job: ScheduledJob, error: unknown): void => {
    if (error === undefined) {
      pending.delete(job.id);
      return;
    }
    if (job.attempt >= maxAttempts || closed) {
      pending.delete(job.id);
      options.onJobFailed?.(job, error);
      return;
    }
    const timer = timers.setTimeout(() => {
      retryTimers.delete(timer);
      if (!closed) push({ ...job, attempt: job.attempt + 1 });
    }, backoffMs * 2 ** (job.attempt - 1));
    retryTimers.add(timer);
  };

  const pump = (): void => {
    while (handler && !closed && running.size < concurrency && waiting.length > 0) {
      const job = waiting.shift()!;
      const run = handler;
      const task: Promise<void> = Promise.resolve()
        .then(() => run(job))
        .then(
          () => finish(job, undefined),
          (error: unknown) => finish(job, error ?? new Error('job failed')),
        )
        .finally(() => {
          running.delete(task);
          pump();
        });
      running.add(task);
    }
  };

  const arm = (id: string, schedule: Schedule, after: number): void => {
    schedule.next = nextCronTime(schedule.parsed, Math.max(after, timers.now()));
    if (schedule.next === null) return;
    const fireAt = schedule.next;
    schedule.timer = timers.setTimeout(() => {
      if (closed || schedules.get(id) !== schedule) return;
      const jobId = `${id}-${fireAt}`;
      if (!pending.has(jobId)) {
        pending.add(jobId);
        push({ id: jobId, scheduleId: id, payload: schedule.payload, attempt: 1 });
      }
      arm(id, schedule, fireAt);
    }, Math.max(0, fireAt - timers.now()));
  };

  const unschedule = (id: string): boolean => {
    const schedule = schedules.get(id);
    if (!schedule) return false;
    timers.clearTimeout(schedule.timer);
    schedules.delete(id);
    return true;
  };

  return {
    async upsertSchedule(id, cron, payload) {
      const parsed = parseCron(cron);
      unschedule(id);
      const schedule: Schedule = { cron, parsed, payload, next: null, timer: undefined };
      schedules.set(id, schedule);
      if (!closed) arm(id, schedule, timers.now());
    },
    async removeSchedule(id) {
      return unschedule(id);
    },
    async listSchedules(): Promise<ScheduleInfo[]> {
      return [...schedules].map(([id, s]) => ({ id, cron: s.cron, payload: s.payload, nextRunAt: s.next === null ? null : new Date(s.next) }));
    },
    async enqueue(payload, enqueueOptions) {
      const id = enqueueOptions?.jobId === undefined ? randomUUID() : checkJobId(enqueueOptions.jobId);
      if (pending.has(id)) return id;
      pending.add(id);
      push({ id, scheduleId: null, payload, attempt: 1 });
      return id;
    },
    async start(jobHandler) {
      if (handler) throw new Error('the scheduler is already started');
      handler = jobHandler;
      pump();
    },
    async close() {
      closed = true;
      for (const id of [...schedules.keys()]) unschedule(id);
      for (const timer of retryTimers) timers.clearTimeout(timer);
      retryTimers.clear();
      await Promise.allSettled([...running]);
    },
  };
};

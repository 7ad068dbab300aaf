import { NationPulseError } from '@nationpulse/domain';

/** What a job carries: a JSON object the worker validates (e.g. an ingestion source spec). */
export type JobPayload = Readonly<Record<string, unknown>>;

/** One delivery of a job to the worker. */
export interface ScheduledJob {
  readonly id: string;
  /** The recurring schedule that produced it, or null for a job enqueued by hand. */
  readonly scheduleId: string | null;
  readonly payload: JobPayload;
  /** 1 on the first delivery, then 2, 3… when an earlier attempt threw. */
  readonly attempt: number;
}

/** A recurring schedule as the scheduler holds it. */
export interface ScheduleInfo {
  readonly id: string;
  /** Five fields (minute hour day-of-month month day-of-week) or six (seconds first), in UTC. */
  readonly cron: string;
  readonly payload: JobPayload;
  /** When it next fires, if the backend knows. */
  readonly nextRunAt: Date | null;
}

/** The worker: resolves when the job is done; a throw asks for another attempt (with backoff). */
export type JobHandler = (job: ScheduledJob) => Promise<void>;

/**
 * Recurring and one-off jobs, delivered at least once to the one handler given to `start`: a job
 * whose handler throws is retried with backoff up to the adapter's attempt limit, so handlers
 * must be idempotent. BullMQ on Redis in distributed mode (shared by every instance), in-process
 * when embedded.
 */
export interface JobScheduler {
  /** Creates or replaces the schedule `id`: it enqueues `payload` at every `cron` tick (UTC). Bad cron → INVALID_CRON. */
  upsertSchedule(id: string, cron: string, payload: JobPayload): Promise<void>;
  /** Stops the schedule; false when there was none. Jobs it already enqueued still run. */
  removeSchedule(id: string): Promise<boolean>;
  listSchedules(): Promise<ScheduleInfo[]>;
  /**
   * Enqueues one job now and returns its id. With `jobId` (see `checkJobId`), a job of that id
   * still waiting or running is not enqueued twice (the same id is returned).
   */
  enqueue(payload: JobPayload, options?: { readonly jobId?: string }): Promise<string>;
  /** Starts delivering jobs (those enqueued before included) to the handler. Once. */
  start(handler: JobHandler): Promise<void>;
  /** Stops firing schedules and taking jobs, waits for running handlers, releases connections. */
  close(): Promise<void>;
}

/** Proof of holding a dataset's lock: only the token's holder may renew or release it. */
export interface Lease {
  readonly key: string;
  readonly token: string;
}

/**
 * A mutual-exclusion lease per dataset (at most one ingestion run of a dataset at a time). A
 * lease expires `ttlMs` after it was taken or last renewed, so a holder that crashed blocks the
 * dataset for one TTL at most; a live holder renews it (heartbeat) well before that.
 */
export interface DatasetLock {
  /** Takes the lock if it is free or expired; null while someone else holds it. */
  acquire(key: string, ttlMs: number): Promise<Lease | null>;
  /** Extends a lease still held by this token to `ttlMs` from now; false if it was lost (expired, taken). */
  renew(lease: Lease, ttlMs: number): Promise<boolean>;
  /** Frees the lock if this token still holds it; false otherwise (nothing changes). */
  release(lease: Lease): Promise<boolean>;
  /** Whether someone holds the key right now. */
  isHeld(key: string): Promise<boolean>;
  close(): Promise<void>;
}

const JOB_ID = /^(?!\d+$)[A-Za-z0-9._-]{1,200}$/;

/** Job ids every backend accepts: 1-200 of `A-Z a-z 0-9 . _ -`, not all digits (BullMQ's rules). */
export const checkJobId = (jobId: string): string => {
  if (!JOB_ID.test(jobId)) {
    throw new NationPulseError('validation', 'INVALID_JOB_ID', 'A job id is 1-200 letters, digits, dots, dashes or underscores, not all digits', { jobId });
  }
  return jobId;
};

export const invalidCron = (cron: string, reason: string): NationPulseError =>
  new NationPulseError('validation', 'INVALID_CRON', `Invalid cron expression ${JSON.stringify(cron)}: ${reason}`, { cron });

export class SchedulerUnavailableError extends NationPulseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', 'SCHEDULER_UNAVAILABLE', message, undefined, options);
  }
}

import { randomUUID } from 'node:crypto';
import { NationPulseError } from '@nationpulse/domain';
import {
  checkJobId,
  invalidCron,
  SchedulerUnavailableError,
  type JobHandler,
  type JobPayload,
  type JobScheduler,
  type ScheduledJob,
  type ScheduleInfo,
} from '@nationpulse/ports';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';

export interface BullmqSchedulerOptions {
  /** redis://[user:password@]host:port[/db]. */
  readonly url: string;
  /** The BullMQ queue; every instance of a service shares it. No ':'. */
  readonly queueName: string;
  /** Prefix of every key of the queue (BullMQ's own default is 'bull'). */
  readonly prefix?: string;
  /** Deliveries of a job before it is given up. Default 3. */
  readonly maxAttempts?: number;
  /** Delay before the second attempt, doubled for each further one. Default 1 s. */
  readonly backoffMs?: number;
  /** Jobs this instance runs at once. Default 1. */
  readonly concurrency?: number;
  /** Upper bound of each queue call (add, upsert, list…). Default 5 s. */
  readonly commandTimeoutMs?: number;
  /** Told when a job failed its last attempt (BullMQ keeps it in the failed set). */
  readonly onJobFailed?: (job: ScheduledJob, error: unknown) => void;
}

const MANUAL_JOB = 'manual';
const SCHEDULED_JOB = 'scheduled';
/** Failed jobs kept for inspection; completed ones are dropped (their outcome is in the event store). */
const KEEP_FAILED = 1_000;

const asPayload = (data: unknown): JobPayload => (data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as JobPayload) : {});

/**
 * The distributed JobScheduler: BullMQ on Redis. Schedules are BullMQ job schedulers (one per id,
 * upserted, so every instance may declare them at start without duplicates); a Worker takes jobs,
 * retries a throwing handler with exponential backoff, and BullMQ's stalled-job check hands the
 * job of a crashed worker to another one — delivery at least once.
 */
export const createBullmqScheduler = (options: BullmqSchedulerOptions): JobScheduler => {
  const { url, queueName } = options;
  const commandTimeoutMs = options.commandTimeoutMs ?? 5_000;
  const connect = () =>
    // BullMQ needs maxRetriesPerRequest: null on connections that block (its workers).
    new Redis(url, { maxRetriesPerRequest: null, connectTimeout: commandTimeoutMs });
  const queueConnection = connect();
  const queue = new Queue(queueName, {
    connection: queueConnection,
    ...(options.prefix ? { prefix: options.prefix } : {}),
    defaultJobOptions: {
      attempts: Math.max(1, options.maxAttempts ?? 3),
      backoff: { type: 'exponential', delay: Math.max(0, options.backoffMs ?? 1_000) },
      removeOnComplete: true,
      removeOnFail: KEEP_FAILED,
    },
  });
  // Without listeners, connection errors surface as unhandled 'error' events.
  queue.on('error', () => undefined);
  queueConnection.on('error', () => undefined);
  let worker: Worker | null = null;
  let workerConnection: Redis | null = null;
  let closing: Promise<void> | undefined;

  /** Every queue call is bounded; driver failures become SCHEDULER_UNAVAILABLE. */
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    if (closing) throw new SchedulerUnavailableError('The scheduler is closed');
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        fn(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${commandTimeoutMs} ms`)), commandTimeoutMs);
        }),
      ]);
    } catch (e) {
      if (e instanceof NationPulseError) throw e;
      throw new SchedulerUnavailableError(`BullMQ ${what} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
  };

  const toScheduledJob = (job: Job): ScheduledJob => ({
    id: job.id ?? '',
    scheduleId: job.name === SCHEDULED_JOB ? (job.repeatJobKey ?? null) : null,
    payload: asPayload(job.data),
    attempt: job.attemptsMade + 1,
  });

  return {
    async upsertSchedule(id, cron, payload) {
      const fields = cron.trim().split(/\s+/).length;
      if (fields !== 5 && fields !== 6) throw invalidCron(cron, `expected 5 or 6 fields, got ${fields}`);
      try {
        await call('upsertJobScheduler', () => queue.upsertJobScheduler(id, { pattern: cron, tz: 'UTC' }, { name: SCHEDULED_JOB, data: payload }));
      } catch (e) {
        // The cron parser's message ("Constraint error…", "Invalid characters…") names a bad expression.
        if (e instanceof SchedulerUnavailableError && /constraint|invalid|validation|range|unexpected|pattern/i.test(e.message)) throw invalidCron(cron, e.message);
        throw e;
      }
    },
    async removeSchedule(id) {
      return call('removeJobScheduler', () => queue.removeJobScheduler(id));
    },
    async listSchedules(): Promise<ScheduleInfo[]> {
      const schedulers = await call('getJobSchedulers', () => queue.getJobSchedulers(0, -1, true));
      return schedulers.map((s) => ({
        id: s.key,
        cron: s.pattern ?? '',
        payload: asPayload(s.template?.data),
        nextRunAt: typeof s.next === 'number' ? new Date(s.next) : null,
      }));
    },
    async enqueue(payload, enqueueOptions) {
      const jobId = enqueueOptions?.jobId === undefined ? randomUUID() : checkJobId(enqueueOptions.jobId);
      // A job of the same id that still exists is returned as is: BullMQ's deduplication by id.
      const job = await call('add', () => queue.add(MANUAL_JOB, payload, { jobId }));
      return job.id ?? jobId;
    },
    async start(handler: JobHandler) {
      if (worker) throw new Error('the scheduler is already started');
      workerConnection = connect();
      workerConnection.on('error', () => undefined);
      worker = new Worker(queueName, async (job: Job) => handler(toScheduledJob(job)), {
        connection: workerConnection,
        ...(options.prefix ? { prefix: options.prefix } : {}),
        concurrency: Math.max(1, options.concurrency ?? 1),
      });
      worker.on('error', () => undefined);
      worker.on('failed', (job, error) => {
        if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) options.onJobFailed?.(toScheduledJob(job), error);
      });
      await call('worker start', () => worker!.waitUntilReady());
    },
    async close() {
      closing ??= (async () => {
        // The worker waits for its running jobs before it stops.
        await Promise.allSettled([worker?.close(), queue.close()]);
        await Promise.allSettled([queueConnection.quit(), workerConnection?.quit()]);
      })();
      return closing;
    },
  };
};

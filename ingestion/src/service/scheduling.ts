import { isNationPulseError } from '@nationpulse/domain';
import { createInProcessLock } from '@nationpulse/embedded/in-process-lock';
import { createInProcessScheduler } from '@nationpulse/embedded/in-process-scheduler';
import type { Logger } from '@nationpulse/platform';
import type { DatasetLock, JobScheduler, ScheduledJob } from '@nationpulse/ports';
import type { IngestionServiceConfig, IngestionSchedule } from './config.ts';
import type { IngestionRunner } from './ingestion-runner.ts';
import { z } from 'zod';
import { datasetOf, sourceSpecSchema } from '../sources/source-spec.ts';

export const SCHEDULER_ACTOR = 'system:scheduler';

/** A job's payload: the spec to run. */
const ingestionJobSchema = z.object({ spec: sourceSpecSchema });

/**
 * The scheduler and lock adapters the configuration names: in-process when embedded, BullMQ/Redis
 * when distributed (BullMQ and ioredis are then imported, and only then).
 */
export const createSchedulingAdapters = async (
  config: IngestionServiceConfig,
  onJobFailed: (job: ScheduledJob, error: unknown) => void,
): Promise<{ scheduler: JobScheduler; lock: DatasetLock }> => {
  const retry = { maxAttempts: config.INGESTION_JOB_ATTEMPTS, backoffMs: config.INGESTION_RETRY_BACKOFF_MS, onJobFailed };
  if (config.SCHEDULER === 'bullmq') {
    const url = config.REDIS_URL!;
    const { createBullmqScheduler, createRedisDatasetLock } = await import('@nationpulse/bullmq');
    return {
      scheduler: createBullmqScheduler({ url, queueName: config.INGESTION_QUEUE, ...retry }),
      lock: createRedisDatasetLock({ url, keyPrefix: `${config.REDIS_KEY_PREFIX}lock:${config.INGESTION_QUEUE}:` }),
    };
  }
  return { scheduler: createInProcessScheduler(retry), lock: createInProcessLock() };
};

export const scheduleIdOf = (schedule: IngestionSchedule): string => schedule.id ?? datasetOf(schedule.spec).replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * Declares the configured schedules (upsert: every instance may do it at start) and removes the
 * ones no longer configured, then runs each job through the runner: the dataset's lock first, so
 * a tick that finds its dataset already being ingested is skipped, and a failed run throws for
 * the scheduler to retry it with backoff.
 */
export const startScheduledRuns = async (deps: {
  scheduler: JobScheduler;
  schedules: readonly IngestionSchedule[];
  runner: IngestionRunner;
  logger: Logger;
}): Promise<void> => {
  const { scheduler, schedules, runner, logger } = deps;
  const wanted = new Map(schedules.map((s) => [scheduleIdOf(s), s]));
  for (const existing of await scheduler.listSchedules()) {
    if (!wanted.has(existing.id)) await scheduler.removeSchedule(existing.id);
  }
  for (const [id, schedule] of wanted) await scheduler.upsertSchedule(id, schedule.cron, { spec: schedule.spec });

  await scheduler.start(async (job) => {
    const parsed = ingestionJobSchema.safeParse(job.payload);
    if (!parsed.success) {
      // A malformed job never gets better: drop it rather than retry it.
      logger.error({ jobId: job.id, issues: parsed.error.issues }, 'ingestion job with an invalid payload dropped');
      return;
    }
    let started;
    try {
      started = await runner.trigger(parsed.data.spec, { trigger: job.scheduleId ? 'schedule' : 'manual', actor: SCHEDULER_ACTOR });
    } catch (e) {
      if (isNationPulseError(e) && e.code === 'INGESTION_RUNNING') {
        logger.info({ jobId: job.id, schedule: job.scheduleId, dataset: (e.details as { dataset?: string }).dataset }, 'dataset already being ingested: tick skipped');
        return;
      }
      throw e;
    }
    const run = await started.done;
    if (run.status === 'failed') throw new Error(`run ${run.runId} failed: ${run.reason ?? 'unknown'}`);
  });
  if (wanted.size > 0) logger.info({ schedules: [...wanted].map(([id, s]) => ({ id, cron: s.cron })) }, 'ingestion schedules declared');
};

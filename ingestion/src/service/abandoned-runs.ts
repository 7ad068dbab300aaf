import { decideIngestionRun, eventCatalogue, INGESTION_STREAM_PREFIX, IngestionRunCompleted, IngestionRunFailed, IngestionRunStarted } from '@nationpulse/domain';
import { newId, type Clock } from '@nationpulse/platform';
import { StreamRevisionConflictError, type DatasetLock, type EventStore } from '@nationpulse/ports';

/** The start event's parameter naming the dataset lock a service run holds. */
export const LOCK_PARAMETER = 'lock';

export const ABANDONED_REASON = 'abandoned: the process running it stopped before the run ended';

interface OpenRun {
  readonly runId: string;
  readonly streamId: string;
  readonly lockKey: string;
  /** The stream's revision when it was read: the failure is appended only if nothing came since. */
  readonly revision: number;
  readonly startedAt: string;
}

/** Service runs (those recorded with their lock) that started and never ended. */
export const openRuns = async (eventStore: EventStore): Promise<OpenRun[]> => {
  const open = new Map<string, OpenRun>();
  const types = [IngestionRunStarted.type, IngestionRunCompleted.type, IngestionRunFailed.type];
  for await (const e of eventStore.readAll({ filter: { eventTypes: types, streamPrefixes: [INGESTION_STREAM_PREFIX] } })) {
    if (e.type !== IngestionRunStarted.type) {
      open.delete(e.streamId);
      continue;
    }
    const data = e.data as { runId: string; parameters?: Record<string, unknown> };
    const lockKey = data.parameters?.[LOCK_PARAMETER];
    if (typeof lockKey === 'string') open.set(e.streamId, { runId: data.runId, streamId: e.streamId, lockKey, revision: e.revision, startedAt: e.metadata.occurredAt });
  }
  return [...open.values()];
};

/** Ends a run nobody is running any more with IngestionRunFailed (reason `abandoned…`); false if it ended meanwhile. */
const failRun = async (eventStore: EventStore, clock: Clock, run: OpenRun): Promise<boolean> => {
  const now = clock.now();
  const [decided] = decideIngestionRun({ type: 'FailIngestionRun', runId: run.runId, reason: ABANDONED_REASON, durationMs: Math.max(0, now.getTime() - Date.parse(run.startedAt)) }, { status: 'running' });
  const { data, schemaVersion } = eventCatalogue.encode(decided!.type, decided!.data);
  const metadata = { eventId: newId(), correlationId: run.runId, causationId: null, actor: 'system:ingestion', occurredAt: now.toISOString(), traceparent: null, source: 'ingestion', schemaVersion };
  try {
    await eventStore.append(run.streamId, [{ type: decided!.type, data, metadata }], run.revision);
    return true;
  } catch (e) {
    if (e instanceof StreamRevisionConflictError) return false;
    throw e;
  }
};

/**
 * Ends the runs whose process died mid-run (SIGKILL, crash, lost machine): a run still open
 * whose dataset lock is free has nobody running it any more. `held` names a dataset whose lock
 * the caller holds (a new run of it is starting): its open runs are abandoned by definition.
 * Others are checked by taking their lock for a moment. Returns the run ids failed.
 */
export const failAbandonedRuns = async (options: { eventStore: EventStore; lock: DatasetLock; clock: Clock; lockTtlMs: number; held?: string }): Promise<string[]> => {
  const failed: string[] = [];
  for (const run of await openRuns(options.eventStore)) {
    if (run.lockKey === options.held) {
      if (await failRun(options.eventStore, options.clock, run)) failed.push(run.runId);
      continue;
    }
    if (options.held !== undefined) continue;
    const lease = await options.lock.acquire(run.lockKey, options.lockTtlMs);
    if (!lease) continue; // being run right now, by this or another instance
    try {
      if (await failRun(options.eventStore, options.clock, run)) failed.push(run.runId);
    } finally {
      await options.lock.release(lease);
    }
  }
  return failed;
};

import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  decideIngestionRun,
  eventCatalogue,
  evolveIngestionRun,
  ingestionRunStreamId,
  initialIngestionRunState,
  MAX_REJECTED_ROWS_KEPT,
  type IngestionRunCommand,
  type ingestionSources,
  type ingestionTriggers,
} from '@nationpulse/domain';
import { newId, type Clock } from '@nationpulse/platform';
import type { EventStore, ExpectedRevision } from '@nationpulse/ports';
import { createSeriesWriter } from './series-writer.ts';
import type { Observation, ProgressItem, Source } from './source.ts';

export const DEFAULT_ACTOR = 'system:ingestion';
/** IngestionRunCompleted keeps at most this much of a rejected row's text. */
const MAX_RAW_KEPT = 500;

export interface IngestionProgress {
  readonly runId: string;
  readonly rowsRead: number;
  readonly rowsRejected: number;
  readonly rowsChanged: number;
  /** Series recorded so far (changed or not). */
  readonly seriesDone: number;
  /** The source's own measure of how far it is (bytes of files, rows of an API, …). */
  readonly unit: ProgressItem['unit'];
  readonly done: number;
  readonly total: number | null;
  readonly label?: string;
}

export interface IngestionRejectedRow {
  readonly row: number;
  readonly reason: string;
  readonly raw?: string;
}

export interface IngestionSummary {
  readonly runId: string;
  readonly status: 'completed' | 'failed';
  /** Why the run failed. */
  readonly reason?: string;
  readonly source: (typeof ingestionSources)[number];
  readonly dataset: string;
  readonly rowsRead: number;
  readonly rowsChanged: number;
  readonly rowsUnchanged: number;
  readonly rowsRejected: number;
  readonly seriesChanged: number;
  /** ObservationsRecorded events appended (the run's own lifecycle events excluded). */
  readonly seriesEvents: number;
  /** The first MAX_REJECTED_ROWS_KEPT rejected rows; rowsRejected is the exact count. */
  readonly rejected: readonly IngestionRejectedRow[];
  readonly durationMs: number;
  /** Position of the run's last event: a consistency token covering everything it wrote. */
  readonly position: number;
}

export interface RunIngestionOptions {
  readonly source: Source;
  readonly eventStore: EventStore;
  readonly clock: Clock;
  readonly trigger: (typeof ingestionTriggers)[number];
  /** metadata.actor of every event, e.g. 'system:ingestion' or a user id. */
  readonly actor?: string;
  readonly runId?: string;
  /** Series written at once (each is load, decide, append on its own stream). Default 4. */
  readonly concurrency?: number;
  readonly onProgress?: (progress: IngestionProgress) => void;
  /** Aborting fails the run (reason: the signal's reason) after the writes in flight settle. */
  readonly signal?: AbortSignal;
  /** Recorded with the source's own in the run's start event (the service adds its dataset lock's key). */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * The run gives the event loop a turn (setImmediate) once it has run this long without one.
   * Parsing and diffing against stores that answer synchronously (the embedded platform's SQLite)
   * is otherwise one long chain of microtasks, and every request served by the same process waits
   * behind it. Default 10; Infinity never yields on its own.
   */
  readonly yieldEveryMs?: number;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)) || 'unknown error';

const abortReason = (signal: AbortSignal): Error =>
  signal.reason instanceof Error ? signal.reason : new Error(`run cancelled${signal.reason === undefined ? '' : `: ${String(signal.reason)}`}`);

/**
 * One ingestion run over any source. Appends IngestionRunStarted, lets the source check its
 * structure (a failure there ends the run with IngestionRunFailed and no series event), then
 * streams the source's series through the series aggregate — only new or changed years become
 * events, identical data appends nothing — with up to `concurrency` series in flight: when the
 * window is full the engine stops pulling from the source (backpressure). Rejected rows are
 * counted and listed, valid rows land. Always resolves with the summary (the run's own events
 * record the outcome); it rejects only when the run's own stream cannot be written.
 */
export const runIngestion = async (options: RunIngestionOptions): Promise<IngestionSummary> => {
  const { source, eventStore, clock, trigger, onProgress, signal } = options;
  const actor = options.actor ?? DEFAULT_ACTOR;
  const runId = options.runId ?? newId();
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const yieldEveryMs = options.yieldEveryMs ?? 10;
  const startedAt = clock.now().getTime();
  const runStream = ingestionRunStreamId(runId);
  const description = source.describe();

  let runRevision: ExpectedRevision = 'no_stream';
  let runState = initialIngestionRunState;
  const runCommand = async (command: IngestionRunCommand): Promise<number> => {
    const decided = decideIngestionRun(command, runState);
    const occurredAt = clock.now().toISOString();
    const events = decided.map((event) => {
      const { data, schemaVersion } = eventCatalogue.encode(event.type, event.data);
      const metadata = { eventId: newId(), correlationId: runId, causationId: null, actor, occurredAt, traceparent: null, source: 'ingestion', schemaVersion };
      return { type: event.type, data, metadata };
    });
    const appended = await eventStore.append(runStream, events, runRevision);
    runRevision = appended.nextRevision;
    runState = decided.reduce(evolveIngestionRun, runState);
    return appended.position;
  };

  await runCommand({
    type: 'StartIngestionRun',
    runId,
    source: description.source,
    dataset: description.dataset,
    trigger,
    parameters: { ...description.parameters, ...options.parameters },
  });

  let rowsRead = 0;
  let rowsChanged = 0;
  let rowsUnchanged = 0;
  let rowsRejected = 0;
  let seriesChanged = 0;
  let seriesDone = 0;
  let lastProgress: Omit<ProgressItem, 'kind'> = { unit: 'rows', done: 0, total: null };
  const rejected: IngestionRejectedRow[] = [];
  const inFlight = new Set<Promise<void>>();
  const elapsed = () => Math.max(0, clock.now().getTime() - startedAt);
  const summary = (status: IngestionSummary['status'], position: number, reason?: string): IngestionSummary => ({
    runId,
    status,
    ...(reason ? { reason } : {}),
    source: description.source,
    dataset: description.dataset,
    rowsRead,
    rowsChanged,
    rowsUnchanged,
    rowsRejected,
    seriesChanged,
    seriesEvents: seriesChanged,
    rejected,
    durationMs: elapsed(),
    position,
  });
  const progress = () => onProgress?.({ runId, rowsRead, rowsRejected, rowsChanged, seriesDone, ...lastProgress });
  const throwIfAborted = () => {
    if (signal?.aborted) throw abortReason(signal);
  };

  try {
    throwIfAborted();
    await source.check(signal);
    throwIfAborted();

    const writer = createSeriesWriter({ eventStore, clock, actor, source: description.source, correlationId: runId });
    // A key seen again (unsorted input) is a second command on that stream: it needs its own
    // idempotency key, or the executor would take it for a replay of the first part.
    const seen = new Map<string, number>();
    let failure: { error: unknown } | null = null;
    const record = async (country: string, indicator: string, observations: readonly Observation[]): Promise<void> => {
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      if (failure) throw failure.error;
      throwIfAborted();
      const key = `${country}\u0000${indicator}`;
      const part = (seen.get(key) ?? 0) + 1;
      seen.set(key, part);
      const task: Promise<void> = writer
        .record({ country, indicator, source: description.source, runId, observations }, part === 1 ? runId : `${runId}#${part}`)
        .then(
          ({ changed }) => {
            rowsChanged += changed;
            rowsUnchanged += observations.length - changed;
            if (changed > 0) seriesChanged++;
            seriesDone++;
          },
          (error: unknown) => {
            failure ??= { error };
          },
        )
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    };

    let turnStartedAt = performance.now();
    for await (const item of source.series(signal)) {
      if (performance.now() - turnStartedAt >= yieldEveryMs) {
        await nextTurn();
        turnStartedAt = performance.now();
      }
      if (item.kind === 'series') {
        if (item.observations.length === 0) continue;
        rowsRead += item.observations.length;
        await record(item.country, item.indicator, item.observations);
      } else if (item.kind === 'rejected') {
        rowsRead++;
        rowsRejected++;
        if (rejected.length < MAX_REJECTED_ROWS_KEPT) {
          rejected.push({ row: item.row, reason: item.reason || 'rejected', ...(item.raw === undefined ? {} : { raw: item.raw.slice(0, MAX_RAW_KEPT) }) });
        }
      } else {
        const { kind: _kind, ...rest } = item;
        lastProgress = rest;
        progress();
      }
    }
    await Promise.all(inFlight);
    if (failure) throw (failure as { error: unknown }).error;
    throwIfAborted();
    progress();

    const position = await runCommand({
      type: 'CompleteIngestionRun',
      runId,
      rowsRead,
      rowsChanged,
      rowsUnchanged,
      rowsRejected,
      seriesChanged,
      rejected,
      durationMs: elapsed(),
    });
    return summary('completed', position);
  } catch (e) {
    const reason = message(e);
    await Promise.allSettled(inFlight);
    const position = await runCommand({ type: 'FailIngestionRun', runId, reason, durationMs: elapsed() });
    return summary('failed', position, reason);
  }
};

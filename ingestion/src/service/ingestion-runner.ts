import { conflict, ingestionRunStreamId, NationPulseError, notFound, type ingestionTriggers } from '@nationpulse/domain';
import { newId, type Clock } from '@nationpulse/platform';
import type { DatasetLock, EventStore, Lease } from '@nationpulse/ports';
import type { IngestionSummary } from '../runs/run-ingestion.ts';
import { datasetOf, parseSourceSpec, type SourceDeps, type SourceSpec, type SourceSpecInput } from '../sources/source-spec.ts';
import { resolveSpecPath } from './file-root.ts';
import { failAbandonedRuns } from './abandoned-runs.ts';
import { executeRun, type RunProgress } from './start-run.ts';

export type RunTrigger = (typeof ingestionTriggers)[number];

/** A run as this process sees it, live: what GET /api/v1/ingestions/{runId} answers. */
export interface RunView {
  readonly runId: string;
  readonly dataset: string;
  readonly spec: SourceSpec;
  readonly trigger: RunTrigger;
  readonly actor: string;
  readonly status: 'running' | 'completed' | 'failed';
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly progress: RunProgress;
  /** Consistency token: the run's start event while it runs, its last event once finished. */
  readonly position: number | null;
  readonly summary: Omit<IngestionSummary, 'runId' | 'status' | 'position' | 'reason'> | null;
  readonly reason: string | null;
}

export type RunUpdate = { readonly kind: 'started' | 'progress' | 'finished'; readonly run: RunView };
export type RunListener = (update: RunUpdate) => void;

export interface StartedRun {
  /** The run once its start is recorded (with that event's position). */
  readonly run: RunView;
  /** Settles with the finished run; never rejects. */
  readonly done: Promise<RunView>;
}

export interface IngestionRunner {
  /**
   * Takes the dataset's lock and starts a run, resolving once its start event is appended.
   * INGESTION_RUNNING (409) while another run of the dataset holds the lock, anywhere;
   * SOURCE_SPEC_INVALID (400) for a spec the schema refuses.
   */
  trigger(spec: SourceSpec | SourceSpecInput, options: { readonly trigger: RunTrigger; readonly actor: string }): Promise<StartedRun>;
  /** A run started by this process (running, or among the last finished ones). */
  get(runId: string): RunView;
  /** Live updates of a run until it finishes; returns the unsubscribe function. */
  watch(runId: string, listener: RunListener): () => void;
  /** Refuses new runs and waits for those running. */
  close(): Promise<void>;
}

export interface IngestionRunnerOptions {
  readonly eventStore: EventStore;
  readonly lock: DatasetLock;
  readonly clock: Clock;
  /** What the sources need (API settings, fetch); one object for the process. */
  readonly sourceDeps: SourceDeps;
  /** Relative spec paths resolve here; paths outside it are refused. */
  readonly fileRoot: string;
  readonly concurrency: number;
  /** Lease TTL; the lease is renewed every third of it while the run lasts. */
  readonly lockTtlMs: number;
  /** Finished runs kept for GET. Default 200. */
  readonly keepFinished?: number;
  readonly onLeaseLost?: (run: RunView) => void;
  /** Runs of a crashed process, found open and ended as failed (`abandoned`). */
  readonly onAbandonedRuns?: (runIds: readonly string[]) => void;
  readonly onRunFinished?: (run: RunView) => void;
}

/**
 * The event store as a run sees it, telling when the run's own stream is first appended to (its
 * start event) so a trigger can answer with that position. Closing it leaves the shared store open.
 */
const observingRunStart = (eventStore: EventStore, runStream: string, onStart: (position: number) => void): EventStore => ({
  async append(streamId, events, expectedRevision) {
    const result = await eventStore.append(streamId, events, expectedRevision);
    if (streamId === runStream) onStart(result.position);
    return result;
  },
  readStream: (streamId, options) => eventStore.readStream(streamId, options),
  streamRevision: (streamId) => eventStore.streamRevision(streamId),
  readAll: (options) => eventStore.readAll(options),
  subscribeToAll: (options) => eventStore.subscribeToAll(options),
  headPosition: () => eventStore.headPosition(),
  close: async () => undefined,
});

export const createIngestionRunner = (options: IngestionRunnerOptions): IngestionRunner => {
  const { eventStore, lock, clock, lockTtlMs } = options;
  const keepFinished = options.keepFinished ?? 200;
  const runs = new Map<string, RunView>();
  const listeners = new Map<string, Set<RunListener>>();
  const running = new Set<Promise<RunView>>();
  let closed = false;

  const publish = (kind: RunUpdate['kind'], run: RunView): void => {
    runs.set(run.runId, run);
    for (const listener of listeners.get(run.runId) ?? []) listener({ kind, run });
    if (kind === 'finished') {
      listeners.delete(run.runId);
      const finished = [...runs.values()].filter((r) => r.status !== 'running');
      for (const old of finished.slice(0, Math.max(0, finished.length - keepFinished))) runs.delete(old.runId);
    }
  };

  const summaryOf = ({ runId: _r, status: _s, position: _p, reason: _reason, ...counts }: IngestionSummary) => counts;

  return {
    async trigger(requested, { trigger, actor }) {
      if (closed) throw new NationPulseError('unavailable', 'SERVICE_CLOSING', 'The ingestion service is shutting down');
      const spec = resolveSpecPath(parseSourceSpec(requested), options.fileRoot);
      const dataset = datasetOf(spec);
      const lease: Lease | null = await lock.acquire(dataset, lockTtlMs);
      if (!lease) throw conflict('INGESTION_RUNNING', `An ingestion of ${dataset} is already running`, { dataset });
      // Holding the lock, any run of this dataset still open was abandoned by a process that died: end it first.
      try {
        const abandoned = await failAbandonedRuns({ eventStore, lock, clock, lockTtlMs, held: dataset });
        if (abandoned.length > 0) options.onAbandonedRuns?.(abandoned);
      } catch (e) {
        await lock.release(lease).catch(() => undefined);
        throw e;
      }

      const runId = newId();
      let view: RunView = {
        runId,
        dataset,
        spec,
        trigger,
        actor,
        status: 'running',
        startedAt: clock.now().toISOString(),
        finishedAt: null,
        progress: { rowsRead: 0, rowsRejected: 0, seriesDone: 0, percent: 0 },
        position: null,
        summary: null,
        reason: null,
      };
      let markStarted: (position: number) => void = () => undefined;
      const started = new Promise<number>((resolve) => (markStarted = resolve));
      const observed = observingRunStart(eventStore, ingestionRunStreamId(runId), (position) => {
        if (view.position !== null) return;
        view = { ...view, position };
        markStarted(position);
      });

      let leaseLost = false;
      const heartbeat = setInterval(() => {
        lock.renew(lease, lockTtlMs).then(
          (held) => {
            if (!held && !leaseLost) {
              leaseLost = true;
              options.onLeaseLost?.(view);
            }
          },
          () => undefined, // a failed renewal is retried on the next beat
        );
      }, Math.max(10, Math.floor(lockTtlMs / 3)));
      heartbeat.unref();

      const finish = (status: 'completed' | 'failed', fields: Partial<RunView>): RunView => {
        view = { ...view, ...fields, status, finishedAt: clock.now().toISOString() };
        return view;
      };
      const done = executeRun(spec, {
        eventStore: observed,
        clock,
        sourceDeps: options.sourceDeps,
        runId,
        trigger,
        actor,
        concurrency: options.concurrency,
        lockKey: dataset,
        onProgress: (progress) => {
          view = { ...view, progress };
          publish('progress', view);
        },
      })
        .then(
          (summary) =>
            finish(summary.status, {
              position: summary.position,
              summary: summaryOf(summary),
              reason: summary.reason ?? null,
              progress: { ...view.progress, rowsRead: summary.rowsRead, rowsRejected: summary.rowsRejected, percent: summary.status === 'completed' ? 100 : view.progress.percent },
            }),
          (error: unknown) => finish('failed', { reason: error instanceof Error ? error.message : String(error) }),
        )
        .finally(async () => {
          clearInterval(heartbeat);
          await lock.release(lease).catch(() => undefined);
        })
        .then((finished) => {
          publish('finished', finished);
          options.onRunFinished?.(finished);
          return finished;
        });
      running.add(done);
      void done.finally(() => running.delete(done));

      // The run is visible from now on; the answer waits for its start event (or its early end).
      runs.set(runId, view);
      const first = await Promise.race([started.then(() => 'started' as const), done.then(() => 'done' as const)]);
      if (first === 'done' && view.position === null) {
        // Nothing was recorded (e.g. the event store is down): the trigger itself failed.
        throw new NationPulseError('unavailable', 'INGESTION_NOT_STARTED', `The run could not start: ${view.reason ?? 'unknown error'}`);
      }
      if (first === 'started') publish('started', view);
      return { run: runs.get(runId) ?? view, done };
    },

    get(runId) {
      const run = runs.get(runId);
      if (!run) throw notFound('RUN_NOT_FOUND', `No ingestion run ${runId} in this service`, { runId });
      return run;
    },

    watch(runId, listener) {
      const set = listeners.get(runId) ?? new Set<RunListener>();
      listeners.set(runId, set);
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(runId);
      };
    },

    async close() {
      closed = true;
      await Promise.allSettled([...running]);
    },
  };
};

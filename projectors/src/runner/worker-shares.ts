import { Worker } from 'node:worker_threads';
import { releaseWriteTurnOf } from '@nationpulse/embedded/sqlite-read-store';
import type { EventStore, Position, ReadStore } from '@nationpulse/ports';
import type { ProjectionDefinition } from '@nationpulse/read-models';
import type { InfrastructureConfig } from '@nationpulse/wiring';
import { startProjectionRunner, type ProjectionRunner, type RunnerProgress, type Share } from './projection-runner.ts';

/** The runner options a share takes from the manager (the rest is the share's own). */
export interface ShareRunnerOptions {
  readonly batchSize?: number;
  readonly cachedDocuments?: number;
  readonly commitIntervalMs?: number;
}

export interface ShareStart {
  readonly projection: ProjectionDefinition;
  readonly share: Share;
  /** The manager's stores: an in-process share uses them; a worker opens its own. */
  readonly eventStore: EventStore;
  readonly readStore: ReadStore;
  readonly options: ShareRunnerOptions;
  readonly onProgress: (progress: RunnerProgress) => void;
  readonly onCommitted: (position: Position) => void;
}

/**
 * Where a rebuild's shares run. A projection with a `partitionKey` is rebuilt as `count` shadow
 * runners, one per share of the streams, each with its own checkpoint; the shadow copy is at the
 * lowest of their positions. The shares write disjoint documents, so they may run at once.
 */
export interface RebuildShares {
  readonly count: number;
  start(request: ShareStart): ProjectionRunner;
  close(): Promise<void>;
}

/** Shares run on the manager's own stores in this thread: the same checkpoints and results, no parallelism (tests, in-memory stores). */
export const inProcessShares = (count: number): RebuildShares => ({
  count,
  start: ({ projection, share, eventStore, readStore, options, onProgress, onCommitted }) =>
    startProjectionRunner({ eventStore, readStore, projection, copy: 'shadow', share, ...options, onProgress, onCommitted }),
  close: async () => {},
});

export type ShareRequest =
  | { readonly type: 'run'; readonly id: number; readonly projection: string; readonly share: Share; readonly options: ShareRunnerOptions }
  | { readonly type: 'stop'; readonly id: number };

export type ShareReport =
  | { readonly type: 'progress'; readonly id: number; readonly progress: RunnerProgress }
  | { readonly type: 'committed'; readonly id: number; readonly position: Position }
  | { readonly type: 'done'; readonly id: number; readonly position: Position }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };

export interface WorkerSharesOptions {
  /** Shares per rebuild, one worker thread each. */
  readonly count: number;
  /** The stores each worker opens (the projectors' own configuration: SQLite files or server URLs). */
  readonly config: InfrastructureConfig;
  /** An idle worker is ended after this long (ms, default 60 s); the next rebuild starts a new one. */
  readonly idleMs?: number;
}

interface Run {
  readonly request: ShareStart;
  position: Position;
  resolve(): void;
  reject(error: Error): void;
}

interface Slot {
  readonly worker: Worker;
  readonly runs: Map<number, Run>;
  idle: NodeJS.Timeout | null;
}

/**
 * A worker's bootstrap: it loads the TypeScript sources as the services do, through tsx, registered
 * in the worker itself (on Node 20 a worker's entry module does not go through loader hooks passed
 * as `--import tsx`, whether inherited or given).
 */
const bootstrap = (): string => {
  // Resolved from here (the ESM build, which `register` is in); a bare specifier where import.meta.resolve is missing (vitest).
  const tsx = typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx/esm/api') : 'tsx/esm/api';
  const entry = new URL('./share-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
};

/**
 * Shares in worker threads, one per share, each with its own connections to the stores (opened
 * from `config` at its first run and kept while it lives): a rebuild's CPU work — decoding its
 * share of the events, applying them, serialising and writing the documents — spreads over
 * `count` cores. Only catalogue projections (a worker finds the projection by name). A worker is
 * started at the first rebuild that needs it, kept for the next one and ended once idle for
 * `idleMs`. A worker that dies fails its runs (the manager reports the rebuild failed; a new one
 * resumes from the shares' checkpoints) and is replaced at the next start.
 */
export const createWorkerShares = (options: WorkerSharesOptions): RebuildShares => {
  const slots: (Slot | null)[] = Array.from({ length: options.count }, () => null);
  // The shares of a SQLite read store take turns at committing (see share-worker.ts).
  const commitLock = options.config.READ_STORE === 'sqlite' ? new SharedArrayBuffer(4) : null;
  const idleMs = options.idleMs ?? 60_000;
  let nextId = 1;
  let closed = false;

  const fail = (slot: Slot, error: Error) => {
    for (const run of slot.runs.values()) run.reject(error);
    slot.runs.clear();
  };

  const spawn = (index: number): Slot => {
    const worker = new Worker(bootstrap(), { eval: true, workerData: { config: options.config, commitLock }, execArgv: [] });
    // Taken now: a worker's threadId reads -1 once it has stopped.
    const { threadId } = worker;
    const slot: Slot = { worker, runs: new Map(), idle: null };
    worker.on('message', (report: ShareReport) => {
      const run = slot.runs.get(report.id);
      if (!run) return;
      if (report.type === 'progress') run.request.onProgress(report.progress);
      else if (report.type === 'committed') {
        run.position = report.position;
        run.request.onCommitted(report.position);
      } else {
        slot.runs.delete(report.id);
        if (report.type === 'done') {
          run.position = report.position;
          run.resolve();
        } else run.reject(new Error(report.message));
        if (slot.runs.size === 0) idle(index, slot);
      }
    });
    worker.on('error', (error) => fail(slot, error));
    worker.on('exit', (code) => {
      if (slots[index] === slot) slots[index] = null;
      // A worker that died while committing would hold the write turn for ever.
      if (commitLock) releaseWriteTurnOf(commitLock, threadId);
      if (slot.idle) clearTimeout(slot.idle);
      fail(slot, new Error(`rebuild share worker ${index} exited (code ${code})`));
    });
    return slot;
  };

  /** An idle worker does not keep the process alive, and ends after idleMs. */
  const idle = (index: number, slot: Slot) => {
    slot.worker.unref();
    slot.idle = setTimeout(() => {
      if (slot.runs.size === 0 && slots[index] === slot) {
        slots[index] = null;
        void slot.worker.terminate();
      }
    }, idleMs).unref();
  };

  return {
    count: options.count,
    start(request) {
      if (closed) throw new Error('rebuild shares closed');
      const { index } = request.share;
      const slot = (slots[index] ??= spawn(index));
      if (slot.idle) clearTimeout(slot.idle);
      slot.idle = null;
      slot.worker.ref();
      const id = nextId++;
      let run!: Run;
      const done = new Promise<void>((resolve, reject) => {
        run = { request, position: 0, resolve, reject };
      });
      slot.runs.set(id, run);
      const message: ShareRequest = { type: 'run', id, projection: request.projection.name, share: request.share, options: request.options };
      slot.worker.postMessage(message);
      return {
        done,
        position: () => run.position,
        async stop() {
          if (slot.runs.has(id)) slot.worker.postMessage({ type: 'stop', id } satisfies ShareRequest);
          await done.catch(() => undefined);
        },
      };
    },
    async close() {
      closed = true;
      await Promise.all(
        slots.map(async (slot, index) => {
          slots[index] = null;
          if (slot) await slot.worker.terminate();
        }),
      );
    },
  };
};

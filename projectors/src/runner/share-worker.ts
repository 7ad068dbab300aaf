/**
 * A worker thread of `createWorkerShares`: runs rebuild shares (shadow runners of one share of the
 * streams each) on stores of its own, opened from the projectors' configuration. Messages:
 * main → worker `ShareRequest`; worker → main `ShareReport`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EventStore, ReadStore } from '@nationpulse/ports';
import { projections } from '@nationpulse/read-models';
import { createEventStore, createReadStore, type InfrastructureConfig } from '@nationpulse/wiring';
import { startProjectionRunner, type ProjectionRunner } from './projection-runner.ts';
import type { ShareReport, ShareRequest } from './worker-shares.ts';

const port = parentPort;
if (!port) throw new Error('share-worker runs as a worker thread');
const { config, commitLock } = workerData as { config: InfrastructureConfig; commitLock: SharedArrayBuffer | null };

let stores: Promise<{ eventStore: EventStore; readStore: ReadStore }> | null = null;
const open = () =>
  (stores ??= (async () => ({
    eventStore: await createEventStore(config),
    // SQLite takes one writer at a time: the shares take turns (see SqliteReadStoreOptions.writeTurns).
    readStore: await createReadStore(config, commitLock ? { sqliteWriteTurns: commitLock } : {}),
  }))().catch((error: unknown) => {
    stores = null; // out of reach now: the next run tries again
    throw error;
  }));
const runs = new Map<number, ProjectionRunner>();
/** Runs asked for and not finished; those of them asked to stop (possibly before their runner started, while the stores opened). */
const active = new Set<number>();
const stopped = new Set<number>();
const post = (report: ShareReport) => port.postMessage(report);

const start = async (request: Extract<ShareRequest, { type: 'run' }>) => {
  const { id } = request;
  try {
    const projection = projections.find((p) => p.name === request.projection);
    if (!projection) throw new Error(`Unknown projection ${request.projection}`);
    const { eventStore, readStore } = await open();
    const runner = startProjectionRunner({
      eventStore,
      readStore,
      projection,
      copy: 'shadow',
      share: request.share,
      ...request.options,
      onProgress: (progress) => post({ type: 'progress', id, progress }),
      onCommitted: (position) => post({ type: 'committed', id, position }),
    });
    runs.set(id, runner);
    if (stopped.has(id)) void runner.stop();
    await runner.done;
    post({ type: 'done', id, position: runner.position() });
  } catch (error) {
    post({ type: 'failed', id, message: error instanceof Error ? error.message : String(error) });
  } finally {
    runs.delete(id);
    active.delete(id);
    stopped.delete(id);
  }
};

port.on('message', (request: ShareRequest) => {
  if (request.type === 'run') {
    active.add(request.id);
    void start(request);
  } else if (active.has(request.id)) {
    stopped.add(request.id);
    void runs.get(request.id)?.stop();
  }
});

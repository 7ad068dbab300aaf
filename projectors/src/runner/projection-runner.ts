import { eventCatalogue } from '@nationpulse/domain';
import type { DocumentWrite, EventStore, Position, ReadStore, RecordedEvent } from '@nationpulse/ports';
import type { ProjectedEvent, ProjectionDefinition } from '@nationpulse/read-models';
import { checkpointName, physicalCollection, type Copy } from './naming.ts';

export interface RunnerProgress {
  readonly projection: string;
  readonly copy: Copy;
  readonly position: Position;
  readonly eventsApplied: number;
  readonly batchMs: number;
}

export interface ProjectionRunnerOptions {
  readonly eventStore: EventStore;
  readonly readStore: ReadStore;
  readonly projection: ProjectionDefinition;
  readonly copy: Copy;
  /** Events per read-store commit. */
  readonly batchSize?: number;
  /** How long a partial batch may wait for more events before it is committed. */
  readonly batchWaitMs?: number;
  /** While idle, how often the checkpoint is moved up to the store's head (read-your-writes across event types). */
  readonly idleCheckMs?: number;
  readonly onProgress?: (progress: RunnerProgress) => void;
  /** Only for the live copy: a shadow copy's derived structures are rebuilt when it is swapped in. */
  readonly beforeCommit?: BeforeCommit;
}

export interface ProjectionRunner {
  /** Resolves when stopped; rejects if a batch cannot be applied (the checkpoint stays before it). */
  readonly done: Promise<void>;
  position(): Position;
  stop(): Promise<void>;
}

/** Called with a live batch's final writes (logical collection names) before they are committed. */
export type BeforeCommit = (writes: readonly DocumentWrite[]) => Promise<void>;

interface Loaded {
  doc: Record<string, unknown> | null;
  position: Position;
}

const key = (collection: string, id: string) => `${collection}\u0000${id}`;

/**
 * Stored events were validated when written (the catalogue's encode), so the projection hot path
 * upcasts them without validating again: validation costs more than reading the event.
 */
const toProjected = (e: RecordedEvent): ProjectedEvent | undefined => {
  const decoded = eventCatalogue.decode(e, { validate: false });
  return decoded && { ...decoded, streamId: e.streamId, revision: e.revision, position: e.position, recordedAt: e.recordedAt };
};

/**
 * Applies one batch: loads every document the events touch (one `getMany` per collection),
 * applies the events in order, drops the change of any document that already reflects an event
 * (written at that position or later), and commits each changed document once, in its final
 * state, with the checkpoint. A replayed batch therefore changes nothing.
 *
 * Loaded documents are the batch's own working copies: `edit` hands them to `apply` to change in
 * place, except one that already reflects the event, which comes as a throwaway copy.
 */
export const applyBatch = async (
  readStore: ReadStore,
  projection: ProjectionDefinition,
  copy: Copy,
  events: readonly RecordedEvent[],
  beforeCommit?: BeforeCommit,
): Promise<number> => {
  if (events.length === 0) return 0;
  const projected = events.map(toProjected).filter((e): e is ProjectedEvent => e !== undefined);
  const loaded = new Map<string, Loaded | null>();
  const refs = new Map<string, { collection: string; id: string; load: boolean }>();
  for (const event of projected) {
    for (const ref of projection.touches(event)) {
      const k = key(ref.collection, ref.id);
      refs.set(k, { collection: ref.collection, id: ref.id, load: ref.load !== false || refs.get(k)?.load === true });
    }
  }
  // Documents derived from the event alone (load: false) are not read: the store's position guard covers replays.
  const toLoad = new Map<string, string[]>();
  for (const ref of refs.values()) {
    if (!ref.load) continue;
    const ids = toLoad.get(ref.collection);
    if (ids) ids.push(ref.id);
    else toLoad.set(ref.collection, [ref.id]);
  }
  await Promise.all(
    [...toLoad].map(async ([collection, ids]) => {
      for (const stored of await readStore.getMany(physicalCollection(collection, copy), ids)) {
        loaded.set(key(collection, stored.id), { doc: stored.doc, position: stored.position });
      }
    }),
  );

  const dirty = new Map<string, DocumentWrite>();
  for (const event of projected) {
    const view = {
      get: <T extends object>(collection: string, id: string) => (loaded.get(key(collection, id))?.doc ?? null) as T | null,
      edit: <T extends object>(collection: string, id: string) => {
        const current = loaded.get(key(collection, id));
        if (!current?.doc) return null;
        return (current.position >= event.position ? structuredClone(current.doc) : current.doc) as T;
      },
    };
    for (const change of projection.apply(event, view)) {
      const k = key(change.collection, change.id);
      if (!refs.has(k)) throw new Error(`Projection ${projection.name} changed ${k.replace('\u0000', '/')} without declaring it in touches()`);
      const current = loaded.get(k);
      if (current && current.position >= event.position) continue; // already reflects this event
      loaded.set(k, { doc: change.doc, position: event.position });
      const collection = physicalCollection(change.collection, copy);
      dirty.set(
        k,
        change.doc === null
          ? { op: 'delete', collection, id: change.id, position: event.position }
          : { op: 'put', collection, id: change.id, doc: change.doc, position: event.position },
      );
    }
  }
  const writes = [...dirty.values()];
  // Derived structures (cache, rankings) are brought up to date before the checkpoint moves, so
  // a reader who waited for that checkpoint sees them too; a replay repeats idempotent writes.
  if (beforeCommit && writes.length > 0) await beforeCommit(writes);
  await readStore.commit(writes, { name: checkpointName(projection.name, copy), position: events[events.length - 1]!.position });
  return projected.length;
};

/**
 * Subscribes from the copy's checkpoint and keeps the read model up to date, in batches.
 * Delivery is at-least-once (a crash replays the last batch); applyBatch makes that harmless.
 */
export const startProjectionRunner = (options: ProjectionRunnerOptions): ProjectionRunner => {
  const { eventStore, readStore, projection, copy } = options;
  const batchSize = options.batchSize ?? 500;
  const batchWaitMs = options.batchWaitMs ?? 20;
  const idleCheckMs = options.idleCheckMs ?? 250;
  const name = checkpointName(projection.name, copy);
  const filter = { eventTypes: projection.eventTypes };
  let position: Position = 0;
  let stopping = false;
  let wakeStop: () => void = () => {};
  const stopped = new Promise<'stop'>((resolve) => (wakeStop = () => resolve('stop')));

  const timeout = (ms: number) => new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());

  /** No event of ours lies between the checkpoint and the head: the model is current up to the head. */
  const advanceWhileIdle = async () => {
    const head = await eventStore.headPosition();
    if (head <= position) return;
    for await (const next of eventStore.readAll({ after: position, filter, maxCount: 1 })) if (next.position <= head) return;
    await readStore.commit([], { name, position: head });
    position = head;
  };

  const run = async () => {
    position = (await readStore.checkpoint(name)) ?? 0;
    const subscription = eventStore.subscribeToAll({ after: position, filter });
    const iterator = subscription[Symbol.asyncIterator]();
    let batch: RecordedEvent[] = [];
    const flush = async () => {
      const started = performance.now();
      const applied = await applyBatch(readStore, projection, copy, batch, copy === 'live' ? options.beforeCommit : undefined);
      position = batch[batch.length - 1]!.position;
      batch = [];
      options.onProgress?.({ projection: projection.name, copy, position, eventsApplied: applied, batchMs: performance.now() - started });
    };
    try {
      let pending = iterator.next();
      // The first idle check after events (or at start) comes as soon as a partial batch would be
      // committed, so a catch-up or rebuild reaches the head without waiting a whole idle period.
      let idleChecked = false;
      while (!stopping) {
        const waitMs = batch.length > 0 || !idleChecked ? batchWaitMs : idleCheckMs;
        const next = await Promise.race([pending, timeout(waitMs), stopped]);
        if (next === 'stop') break;
        if (next === 'timeout') {
          if (batch.length > 0) await flush();
          else {
            await advanceWhileIdle();
            idleChecked = true;
          }
          continue;
        }
        if (next.done) break;
        idleChecked = false;
        batch.push(next.value);
        pending = iterator.next();
        if (batch.length >= batchSize) await flush();
      }
      if (batch.length > 0) await flush();
    } finally {
      await subscription.close();
    }
  };

  const done = run();
  return {
    done,
    position: () => position,
    async stop() {
      stopping = true;
      wakeStop();
      await done.catch(() => undefined);
    },
  };
};

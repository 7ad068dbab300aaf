import { eventCatalogue } from '@nationpulse/domain';
import type { DocumentWrite, EventFilter, EventStore, Position, ReadStore, RecordedEvent } from '@nationpulse/ports';
import type { ProjectedEvent, ProjectionDefinition } from '@nationpulse/read-models';
import { checkpointName, physicalCollection, shareCheckpointName, type Copy } from './naming.ts';

export interface RunnerProgress {
  readonly projection: string;
  readonly copy: Copy;
  /** The last position applied (committed, or held as deferred writes until the next commit). */
  readonly position: Position;
  readonly eventsApplied: number;
  readonly batchMs: number;
  /** The share of a rebuild this runner applies (see `ProjectionRunnerOptions.share`). */
  readonly share?: Share;
}

export interface ProjectionRunnerOptions {
  readonly eventStore: EventStore;
  readonly readStore: ReadStore;
  readonly projection: ProjectionDefinition;
  readonly copy: Copy;
  /** Events per read-store commit. */
  readonly batchSize?: number;
  /** Documents the runner keeps in memory between batches (see `DocumentCache`); 0 turns the cache off. */
  readonly cachedDocuments?: number;
  /**
   * Write-behind while catching up (see `DeferredWrites`): full batches of events are committed
   * together, with the checkpoint, at most this often (ms); a partial batch (the runner has caught
   * up) is committed at once. 0 commits every batch. Default 1000. Needs the cache.
   */
  readonly commitIntervalMs?: number;
  /** How long a partial batch may wait for more events before it is committed. */
  readonly batchWaitMs?: number;
  /** While idle, how often the checkpoint is moved up to the store's head (read-your-writes across event types). */
  readonly idleCheckMs?: number;
  readonly onProgress?: (progress: RunnerProgress) => void;
  /** Called with the committed position (`position()`) once read from the checkpoint at start, then each time it moves up. */
  readonly onCommitted?: (position: Position) => void;
  /** Only for the live copy: a shadow copy's derived structures are rebuilt when it is swapped in. */
  readonly beforeCommit?: BeforeCommit;
  /**
   * Only for a shadow copy of a projection with a `partitionKey`: apply only this share of the
   * streams, with a checkpoint of its own (`shareCheckpointName`). The shares of a rebuild write
   * disjoint documents, so they may run at once, in this process or others.
   */
  readonly share?: Share;
}

/** One of `count` shares of a rebuild (0 ≤ index < count). */
export interface Share {
  readonly index: number;
  readonly count: number;
}

export interface ProjectionRunner {
  /** Resolves when stopped; rejects if a batch cannot be applied (the checkpoint stays before it). */
  readonly done: Promise<void>;
  /** The position committed with the read model (what a restart resumes from). */
  position(): Position;
  stop(): Promise<void>;
}

/** Called with a live batch's final writes (logical collection names) before they are committed. */
export type BeforeCommit = (writes: readonly DocumentWrite[]) => Promise<void>;

/** A document of the batch: as loaded (or unknown), then as the batch's events leave it. */
interface Entry {
  doc: Record<string, unknown> | null;
  /** The position that last wrote it; UNKNOWN when not loaded or absent. */
  position: Position;
  load: boolean;
  dirty: boolean;
}

const UNKNOWN = -1;

/**
 * The documents a runner committed or loaded in earlier batches, so the next batch does not load
 * and parse them again (a series or an indicator-year is touched by batch after batch during a
 * rebuild). Sound because a copy's documents are a function of the events up to their position
 * and a copy has one writer at a time, its runner (one projector process; a shadow copy is
 * dropped before its runner starts; a swap happens while both runners are stopped); a cached
 * document is exactly what the store holds. Bounded: when full it starts over. The runner clears
 * it whenever a batch fails, since the batch may have changed cached documents in place.
 */
export interface DocumentCache {
  get(collection: string, id: string): CachedDocument | undefined;
  set(collection: string, id: string, doc: Record<string, unknown> | null, position: Position): void;
  delete(collection: string, id: string): void;
  clear(): void;
  readonly size: number;
}

interface CachedDocument {
  readonly doc: Record<string, unknown> | null;
  readonly position: Position;
}

export const createDocumentCache = (capacity: number): DocumentCache => {
  const byCollection = new Map<string, Map<string, CachedDocument>>();
  let size = 0;
  const cache: DocumentCache = {
    get: (collection, id) => byCollection.get(collection)?.get(id),
    set(collection, id, doc, position) {
      let byId = byCollection.get(collection);
      if (!byId) byCollection.set(collection, (byId = new Map<string, CachedDocument>()));
      if (!byId.has(id)) {
        if (size >= capacity) {
          cache.clear();
          byCollection.set(collection, (byId = new Map<string, CachedDocument>()));
        }
        size++;
      }
      byId.set(id, { doc, position });
    },
    delete(collection, id) {
      if (byCollection.get(collection)?.delete(id)) size--;
    },
    clear() {
      byCollection.clear();
      size = 0;
    },
    get size() {
      return size;
    },
  };
  return cache;
};

/**
 * Write-behind: documents changed by applied batches but not committed yet, in their latest state,
 * with the checkpoint as committed. A document an earlier batch changed is taken from here (before
 * the cache) by the next batches, so one touched by batch after batch (a series revised by the
 * next ingestion run, a country profile by every series of its country) is serialised and written
 * once per commit instead of once per batch. Crash-safe because the checkpoint moves only with the
 * commit that writes them: a restart replays from the committed checkpoint and recomputes them.
 * Documents written without being loaded (`load: false`, derived from the event alone) are never
 * deferred: nothing re-reads them, so they are written with their batch, ahead of the checkpoint,
 * which the store's position guard makes harmless on a replay.
 */
export interface DeferredWrites {
  /** The checkpoint as committed. */
  committed: Position;
  readonly documents: Map<string, Map<string, CachedDocument>>;
  size: number;
}

export const createDeferredWrites = (committed: Position): DeferredWrites => ({ committed, documents: new Map(), size: 0 });

export interface BatchOptions {
  /** Only for the live copy: see `ProjectionRunnerOptions.beforeCommit`. */
  readonly beforeCommit?: BeforeCommit | undefined;
  /** Documents kept from earlier batches of the same runner; updated with this batch's. */
  readonly cache?: DocumentCache | undefined;
  /**
   * With `commit: false`, the batch's changed documents that a later batch may load are kept in
   * `deferred` instead of being written, and the checkpoint stays; a batch with `commit` (the
   * default) commits them, its own and the checkpoint in one transaction.
   */
  readonly deferred?: DeferredWrites | undefined;
  readonly commit?: boolean | undefined;
  /** The checkpoint committed with the batch (default: the copy's; a rebuild's share has its own). */
  readonly checkpoint?: string | undefined;
}

/**
 * Stored events were validated when written (the catalogue's encode), so the projection hot path
 * upcasts them without validating again: validation costs more than reading the event.
 */
const toProjected = (e: RecordedEvent): ProjectedEvent | undefined => {
  const decoded = eventCatalogue.decode(e, { validate: false });
  // Spelled out rather than spread: one object of a fixed shape per event.
  return (
    decoded && {
      type: decoded.type,
      schemaVersion: decoded.schemaVersion,
      data: decoded.data,
      metadata: decoded.metadata,
      streamId: e.streamId,
      revision: e.revision,
      position: e.position,
      recordedAt: e.recordedAt,
    }
  );
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
  options: BatchOptions = {},
): Promise<number> => {
  if (events.length === 0) return 0;
  const { cache, deferred } = options;
  try {
    return await applyEvents(readStore, projection, copy, events, options);
  } catch (error) {
    // The store still holds what the last commit wrote: forget everything since.
    cache?.clear();
    if (deferred) clearDeferred(deferred);
    throw error;
  }
};

const clearDeferred = (deferred: DeferredWrites): void => {
  deferred.documents.clear();
  deferred.size = 0;
};

/** Commits the deferred documents with the checkpoint at `position`. */
const commitDeferred = async (
  readStore: ReadStore,
  checkpoint: string,
  copy: Copy,
  deferred: DeferredWrites,
  position: Position,
  beforeCommit?: BeforeCommit,
): Promise<void> => {
  const writes: DocumentWrite[] = [];
  pushDeferred(writes, deferred, copy);
  await commitWrites(readStore, checkpoint, writes, position, beforeCommit);
  clearDeferred(deferred);
  deferred.committed = position;
};

const pushDeferred = (writes: DocumentWrite[], deferred: DeferredWrites, copy: Copy): void => {
  for (const [logical, byId] of deferred.documents) {
    const collection = physicalCollection(logical, copy);
    for (const [id, { doc, position }] of byId) writes.push(doc === null ? { op: 'delete', collection, id, position } : { op: 'put', collection, id, doc, position });
  }
};

const commitWrites = async (
  readStore: ReadStore,
  checkpoint: string,
  writes: readonly DocumentWrite[],
  position: Position,
  beforeCommit: BeforeCommit | undefined,
): Promise<void> => {
  // Derived structures (cache, rankings) are brought up to date before the checkpoint moves, so
  // a reader who waited for that checkpoint sees them too; a replay repeats idempotent writes.
  if (beforeCommit && writes.length > 0) await beforeCommit(writes);
  await readStore.commit(writes, { name: checkpoint, position });
};

const applyEvents = async (
  readStore: ReadStore,
  projection: ProjectionDefinition,
  copy: Copy,
  events: readonly RecordedEvent[],
  { beforeCommit, cache, deferred, commit = true, checkpoint = checkpointName(projection.name, copy) }: BatchOptions,
): Promise<number> => {
  // Deferring needs the cache: it is what keeps a deferred document's loads away from the store.
  const defer = cache !== undefined && deferred !== undefined;
  const projected = events.map(toProjected).filter((e): e is ProjectedEvent => e !== undefined);
  // By logical collection, then id: no key strings or objects per change on the hot path.
  const documents = new Map<string, Map<string, Entry>>();
  for (const event of projected) {
    for (const ref of projection.touches(event)) {
      let byId = documents.get(ref.collection);
      if (!byId) documents.set(ref.collection, (byId = new Map<string, Entry>()));
      const entry = byId.get(ref.id);
      if (entry) entry.load ||= ref.load !== false;
      else byId.set(ref.id, { doc: null, position: UNKNOWN, load: ref.load !== false, dirty: false });
    }
  }
  // Documents derived from the event alone (load: false) are not read: the store's position guard covers replays.
  await Promise.all(
    [...documents].map(async ([collection, byId]) => {
      const ids: string[] = [];
      for (const [id, entry] of byId) {
        if (!entry.load) continue;
        const cached = (defer && deferred.documents.get(collection)?.get(id)) || cache?.get(collection, id);
        if (cached) {
          entry.doc = cached.doc;
          entry.position = cached.position;
        } else {
          ids.push(id);
        }
      }
      if (ids.length === 0) return;
      for (const stored of await readStore.getMany(physicalCollection(collection, copy), ids)) {
        const entry = byId.get(stored.id)!;
        entry.doc = stored.doc;
        entry.position = stored.position;
      }
    }),
  );

  for (const event of projected) {
    const view = {
      get: <T extends object>(collection: string, id: string) => (documents.get(collection)?.get(id)?.doc ?? null) as T | null,
      edit: <T extends object>(collection: string, id: string) => {
        const entry = documents.get(collection)?.get(id);
        if (!entry?.doc) return null;
        return (entry.position >= event.position ? structuredClone(entry.doc) : entry.doc) as T;
      },
    };
    for (const change of projection.apply(event, view)) {
      const entry = documents.get(change.collection)?.get(change.id);
      if (!entry) throw new Error(`Projection ${projection.name} changed ${change.collection}/${change.id} without declaring it in touches()`);
      if (entry.position >= event.position) continue; // already reflects this event
      entry.doc = change.doc;
      entry.position = event.position;
      entry.dirty = true;
    }
  }
  const writes: DocumentWrite[] = [];
  for (const [logical, byId] of documents) {
    const collection = physicalCollection(logical, copy);
    let deferredById = defer ? deferred.documents.get(logical) : undefined;
    for (const [id, entry] of byId) {
      if (!entry.dirty) continue;
      const { doc, position } = entry;
      if (defer && entry.load) {
        if (!deferredById) deferred.documents.set(logical, (deferredById = new Map<string, CachedDocument>()));
        if (!deferredById.has(id)) deferred.size++;
        deferredById.set(id, { doc, position });
      } else {
        // An older deferred state of it must not be loaded or written after this one.
        if (deferredById?.delete(id)) deferred!.size--;
        writes.push(doc === null ? { op: 'delete', collection, id, position } : { op: 'put', collection, id, doc, position });
      }
    }
  }
  const last = events[events.length - 1]!.position;
  if (!defer) {
    await commitWrites(readStore, checkpoint, writes, last, beforeCommit);
  } else if (commit || deferred.size === 0) {
    pushDeferred(writes, deferred, copy);
    await commitWrites(readStore, checkpoint, writes, last, beforeCommit);
    clearDeferred(deferred);
    deferred.committed = last;
  } else if (writes.length > 0) {
    // Documents nothing loads again, written ahead of the checkpoint (which stays).
    await commitWrites(readStore, checkpoint, writes, deferred.committed, beforeCommit);
  }
  if (cache) {
    // What the store now holds. A document written without being loaded (load: false) is not
    // kept, and no older copy of it may stay.
    for (const [collection, byId] of documents) {
      for (const [id, entry] of byId) {
        if (entry.load && entry.position !== UNKNOWN) cache.set(collection, id, entry.doc, entry.position);
        else if (entry.dirty) cache.delete(collection, id);
      }
    }
  }
  return projected.length;
};

/**
 * Subscribes from the copy's checkpoint and keeps the read model up to date, in batches.
 * Delivery is at-least-once (a crash replays the last batch); applyBatch makes that harmless.
 */
export const startProjectionRunner = (options: ProjectionRunnerOptions): ProjectionRunner => {
  const { eventStore, readStore, projection, copy } = options;
  const batchSize = options.batchSize ?? 500;
  const cachedDocuments = options.cachedDocuments ?? 20_000;
  const cache = cachedDocuments > 0 ? createDocumentCache(cachedDocuments) : undefined;
  const commitIntervalMs = options.commitIntervalMs ?? 1000;
  // Deferred documents are bounded like the cache.
  const deferred = cache && commitIntervalMs > 0 ? createDeferredWrites(0) : undefined;
  let lastCommit = performance.now();
  const batchWaitMs = options.batchWaitMs ?? 20;
  const idleCheckMs = options.idleCheckMs ?? 250;
  const { share } = options;
  if (share && (copy !== 'shadow' || !projection.partitionKey || !(share.index >= 0 && share.index < share.count))) {
    throw new Error(`Projection ${projection.name} cannot be rebuilt in share ${share.index} of ${share.count}`);
  }
  const name = share ? shareCheckpointName(projection.name, share) : checkpointName(projection.name, copy);
  const filter: EventFilter = share
    ? { eventTypes: projection.eventTypes, partition: { ...share, key: projection.partitionKey! } }
    : { eventTypes: projection.eventTypes };
  let position: Position = 0;
  /** The last position applied: ahead of `position` while full batches' writes are deferred. */
  let applied: Position = 0;
  let stopping = false;
  const noop = () => {};
  /** Wakes the batcher from `sleep`; the pump calls it when a batch starts, fills or the subscription ends. */
  let wake: () => void = noop;
  /** Releases the pump, which waits while a full batch is buffered. */
  let resume: () => void = noop;

  /** Until woken, or `ms` pass. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = noop;
        resolve();
      }, ms).unref();
      wake = () => {
        clearTimeout(timer);
        wake = noop;
        resolve();
      };
    });

  /** No event of ours lies between the checkpoint and the head: the model is current up to the head. */
  const advanceWhileIdle = async () => {
    const head = await eventStore.headPosition();
    if (head <= position) return;
    for await (const next of eventStore.readAll({ after: position, filter, maxCount: 1 })) if (next.position <= head) return;
    await readStore.commit([], { name, position: head });
    position = applied = head;
    options.onCommitted?.(position);
  };

  const run = async () => {
    position = (await readStore.checkpoint(name)) ?? 0;
    applied = position;
    if (deferred) deferred.committed = position;
    // Where it resumes: a rebuild share in a worker that starts at the head (its work done before a
    // crash) has nothing to commit, and this is how the manager learns it is there.
    options.onCommitted?.(position);
    const subscription = eventStore.subscribeToAll({ after: position, filter });
    // A pump reads the subscription into `buffered` and wakes the batcher only when a batch
    // starts, fills or the subscription ends: no timer or promise race per event.
    const buffered: RecordedEvent[] = [];
    let ended = false;
    let failure: { error: unknown } | null = null;
    const pump = (async () => {
      try {
        for await (const event of subscription) {
          buffered.push(event);
          if (buffered.length === 1) wake();
          if (buffered.length >= batchSize) {
            wake();
            await new Promise<void>((resolve) => (resume = resolve));
          }
          if (stopping) break;
        }
      } catch (error) {
        failure = { error };
      } finally {
        ended = true;
        wake();
      }
    })();
    const beforeCommit = copy === 'live' ? options.beforeCommit : undefined;
    const flush = async () => {
      const batch = buffered.splice(0, batchSize);
      resume();
      const started = performance.now();
      // Write-behind only while catching up: a partial batch means the runner has reached the head.
      const commit = !deferred || batch.length < batchSize || stopping || deferred.size >= cachedDocuments || started - lastCommit >= commitIntervalMs;
      const eventsApplied = await applyBatch(readStore, projection, copy, batch, { beforeCommit, cache, deferred, commit, checkpoint: name });
      applied = batch[batch.length - 1]!.position;
      // Committed, unless the batch left documents deferred.
      if (!deferred || deferred.committed === applied) {
        position = applied;
        lastCommit = performance.now();
        options.onCommitted?.(position);
      }
      options.onProgress?.({ projection: projection.name, copy, position: applied, eventsApplied, batchMs: performance.now() - started, ...(share ? { share } : {}) });
    };
    /** Until a turn of the event loop adds nothing to a partial batch, the batch fills, or batchWaitMs pass. */
    const settle = async () => {
      const deadline = performance.now() + batchWaitMs;
      let seen: number;
      do {
        seen = buffered.length;
        await new Promise<void>((resolve) => setImmediate(resolve));
      } while (buffered.length > seen && buffered.length < batchSize && !ended && !stopping && performance.now() < deadline);
    };
    /** Commits what full batches left deferred: before going idle, and when stopping. */
    const commitDeferredBatches = async () => {
      if (!deferred || applied <= position) return;
      try {
        await commitDeferred(readStore, name, copy, deferred, applied, beforeCommit);
      } catch (error) {
        cache?.clear();
        clearDeferred(deferred);
        throw error;
      }
      position = applied;
      lastCommit = performance.now();
      options.onCommitted?.(position);
    };
    try {
      // The first idle check after events (or at start) comes as soon as a partial batch would be
      // committed, so a catch-up or rebuild reaches the head without waiting a whole idle period.
      let idleChecked = false;
      /** The last batch was full: the runner is catching up (a rebuild, a restart) or draining a burst. */
      let catchingUp = false;
      while (!stopping) {
        if (failure) throw (failure as { error: unknown }).error;
        if (buffered.length > 0) {
          // A partial batch waits up to batchWaitMs to fill (the pump wakes us once it is full).
          // Right after a full batch it only waits while the pump keeps adding: once a turn of
          // the event loop adds nothing, the subscription has reached the head and waiting would
          // only delay the commit that brings the copy there (the end of every rebuild).
          if (buffered.length < batchSize && !ended) await (catchingUp ? settle() : sleep(batchWaitMs));
          catchingUp = buffered.length >= batchSize;
          if (buffered.length > 0) await flush();
          idleChecked = false;
          continue;
        }
        // Nothing buffered: the head is near, so what full batches deferred is committed now.
        await commitDeferredBatches();
        if (ended) break;
        await sleep(idleChecked ? idleCheckMs : batchWaitMs);
        if (buffered.length === 0 && !stopping && !ended) {
          await advanceWhileIdle();
          idleChecked = true;
        }
      }
      if (failure) throw (failure as { error: unknown }).error;
      while (buffered.length > 0) await flush();
      await commitDeferredBatches();
    } finally {
      await subscription.close();
      resume();
      await pump;
    }
  };

  const done = run();
  return {
    done,
    position: () => position,
    async stop() {
      stopping = true;
      wake();
      resume();
      await done.catch(() => undefined);
    },
  };
};

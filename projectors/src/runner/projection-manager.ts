import type { EventStore, Position, ReadStore } from '@nationpulse/ports';
import type { ProjectionDefinition, ProjectionStateDoc } from '@nationpulse/read-models';
import { checkpointName, physicalCollection, PROJECTIONS_COLLECTION, shareCheckpointName, type Copy } from './naming.ts';
import { startProjectionRunner, type BeforeCommit, type ProjectionRunner, type RunnerProgress, type Share } from './projection-runner.ts';
import type { RebuildShares } from './worker-shares.ts';

/** Derived structures kept beside a projection's live copy (Redis rankings, permission hashes, cache). */
export interface ProjectionHooks {
  /** With each live batch, before its checkpoint is committed. Must be idempotent. */
  readonly beforeCommit?: BeforeCommit;
  /** After a rebuilt copy is swapped in: rebuild the derived structures from the new live documents. */
  readonly afterSwap?: () => Promise<void>;
}

/** What is stored per projection in `projections_state`. */
type ProjectionRecord = ProjectionStateDoc;

export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  readonly status: ProjectionRecord['status'] | 'failed' | 'stopped';
  readonly position: Position;
  readonly head: Position;
  readonly lag: number;
  readonly rebuild: { readonly version: number; readonly position: Position; readonly target: Position; readonly eventsPerSecond: number; readonly etaSeconds: number | null } | null;
  readonly error: string | null;
}

export interface ProjectionManagerOptions {
  readonly eventStore: EventStore;
  readonly readStore: ReadStore;
  readonly projections: readonly ProjectionDefinition[];
  readonly clock: { now(): Date };
  readonly batchSize?: number;
  /** Documents each runner keeps in memory between batches; see `ProjectionRunnerOptions`. */
  readonly cachedDocuments?: number;
  /** Write-behind while a live copy catches up: at most this long between commits (ms); see `ProjectionRunnerOptions`. */
  readonly commitIntervalMs?: number;
  /**
   * The same for a rebuild's shadow copy (default 10 s): no one reads it, so only the work a
   * killed rebuild redoes bounds it, and a longer window writes a document touched again and
   * again (a country profile, a series revised by the next run) fewer times.
   */
  readonly rebuildCommitIntervalMs?: number;
  readonly onProgress?: (progress: RunnerProgress) => void;
  readonly onError?: (projection: string, error: unknown) => void;
  readonly hooks?: Readonly<Record<string, ProjectionHooks>>;
  /**
   * A live copy whose runner failed (the read store out of reach, say) is started again from its
   * stored checkpoint after this delay, doubled after each failure without progress up to
   * `maxRestartDelayMs` (defaults 500 ms and 5 s).
   */
  readonly restartDelayMs?: number;
  readonly maxRestartDelayMs?: number;
  /**
   * Where the shares of a rebuild run, for projections with a `partitionKey` (see
   * `RebuildShares`): worker threads spread a rebuild over cores. Omitted, or a count of 1: one
   * shadow runner. The manager does not close them.
   */
  readonly rebuildShares?: RebuildShares;
}

export interface ProjectionManager {
  start(): Promise<void>;
  /** Rebuilds a projection into a shadow copy while the live one keeps serving, then swaps. Resolves when live again. */
  rebuild(name: string): Promise<void>;
  status(): Promise<ProjectionStatus[]>;
  stop(): Promise<void>;
}

interface Slot {
  readonly definition: ProjectionDefinition;
  live: ProjectionRunner | null;
  shadow: ProjectionRunner | null;
  rebuilding: Promise<void> | null;
  rate: { position: Position; at: number; eventsPerSecond: number };
  error: string | null;
  /** Live-runner failures since it last made progress (sets the restart delay). */
  failures: number;
  /** Wakes a rebuild waiting for the shadow copy to reach a position (`shadowReaches`). */
  shadowProgressed: (() => void) | null;
}

export const createProjectionManager = (options: ProjectionManagerOptions): ProjectionManager => {
  const { eventStore, readStore, clock } = options;
  const slots = new Map<string, Slot>(
    options.projections.map((definition) => [
      definition.name,
      { definition, live: null, shadow: null, rebuilding: null, rate: { position: 0, at: Date.now(), eventsPerSecond: 0 }, error: null, failures: 0, shadowProgressed: null },
    ]),
  );
  let stopped = false;

  const slotOf = (name: string): Slot => {
    const slot = slots.get(name);
    if (!slot) throw new Error(`Unknown projection ${name}`);
    return slot;
  };
  const readRecord = async (name: string) => (await readStore.get<ProjectionRecord>(PROJECTIONS_COLLECTION, name))?.doc ?? null;
  const writeRecord = async (record: Omit<ProjectionRecord, 'updatedAt'>) => {
    const head = await eventStore.headPosition();
    // Bookkeeping writes use a strictly increasing position of their own (the guard needs one).
    const position = Math.max(head, ((await readStore.get(PROJECTIONS_COLLECTION, record.name))?.position ?? 0) + 1);
    const doc: ProjectionRecord = { ...record, updatedAt: clock.now().toISOString() };
    await readStore.commit([{ op: 'put', collection: PROJECTIONS_COLLECTION, id: record.name, doc, position }], {
      name: `${PROJECTIONS_COLLECTION}:${record.name}`,
      position,
    });
  };

  const track = (slot: Slot, progress: RunnerProgress) => {
    if (progress.copy === 'live') slot.failures = 0;
    if (progress.copy === 'shadow' || !slot.shadow) {
      const now = Date.now();
      const seconds = (now - slot.rate.at) / 1000;
      if (seconds >= 1) slot.rate = { position: progress.position, at: now, eventsPerSecond: slot.rate.eventsPerSecond };
      // Shares run side by side at about the same pace: a share's rate times their number is the rebuild's.
      const rate = (progress.eventsApplied / Math.max(progress.batchMs / 1000, 1e-3)) * (progress.share?.count ?? 1);
      slot.rate.eventsPerSecond = 0.8 * slot.rate.eventsPerSecond + 0.2 * rate;
    }
    options.onProgress?.(progress);
  };

  const runner = (slot: Slot, copy: Copy) => {
    const r = startProjectionRunner({
      eventStore,
      readStore,
      projection: slot.definition,
      copy,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.cachedDocuments !== undefined ? { cachedDocuments: options.cachedDocuments } : {}),
      ...(copy === 'shadow'
        ? { commitIntervalMs: options.rebuildCommitIntervalMs ?? 10_000 }
        : options.commitIntervalMs !== undefined
          ? { commitIntervalMs: options.commitIntervalMs }
          : {}),
      ...(copy === 'live' && options.hooks?.[slot.definition.name]?.beforeCommit ? { beforeCommit: options.hooks[slot.definition.name]!.beforeCommit! } : {}),
      onProgress: (p) => track(slot, p),
      ...(copy === 'shadow' ? { onCommitted: () => slot.shadowProgressed?.() } : {}),
    });
    r.done.catch((e: unknown) => {
      slot.error = e instanceof Error ? e.message : String(e);
      options.onError?.(slot.definition.name, e);
      if (copy === 'live') restartLive(slot, r);
    });
    return r;
  };

  /**
   * Starts a failed live runner again, from the checkpoint the store holds then: after an outage
   * it resumes where its last commit left off; on a store that came back empty (an in-memory
   * server, a restored older backup) it finds no bookkeeping and starts over as on a first start.
   * Not during a rebuild, whose own failure is reported and which swaps in a new live runner.
   */
  const restartLive = (slot: Slot, failed: ProjectionRunner) => {
    const first = options.restartDelayMs ?? 500;
    const delay = Math.min(options.maxRestartDelayMs ?? 5_000, first * 2 ** slot.failures);
    slot.failures++;
    setTimeout(() => {
      if (stopped || slot.live !== failed || slot.rebuilding) return;
      void (async () => {
        try {
          if (!(await readRecord(slot.definition.name))) await initialise(slot.definition);
        } catch {
          restartLive(slot, failed); // still out of reach: try again later
          return;
        }
        if (stopped || slot.live !== failed || slot.rebuilding) return;
        slot.error = null;
        slot.live = runner(slot, 'live');
      })();
    }, delay).unref();
  };

  /** The shares a projection is rebuilt in (none: one shadow runner). */
  const sharesOf = (definition: ProjectionDefinition): Share[] => {
    const count = options.rebuildShares?.count ?? 1;
    return definition.partitionKey && count > 1 ? Array.from({ length: count }, (_, index) => ({ index, count })) : [];
  };
  /** How many shadow runners a rebuild of the projection has here (1: no shares). */
  const shareCount = (definition: ProjectionDefinition): number => sharesOf(definition).length || 1;

  /**
   * The shadow copy's runner: one, or one per share — then the copy stands at the lowest of the
   * shares' positions (every event at or below it is applied), and a share that fails stops the others.
   */
  const shadowRunner = (slot: Slot): ProjectionRunner => {
    const shares = sharesOf(slot.definition);
    if (shares.length === 0) return runner(slot, 'shadow');
    const runners = shares.map((share) =>
      options.rebuildShares!.start({
        projection: slot.definition,
        share,
        eventStore,
        readStore,
        options: {
          ...(options.batchSize ? { batchSize: options.batchSize } : {}),
          ...(options.cachedDocuments !== undefined ? { cachedDocuments: options.cachedDocuments } : {}),
          commitIntervalMs: options.rebuildCommitIntervalMs ?? 10_000,
        },
        onProgress: (p) => track(slot, p),
        onCommitted: () => slot.shadowProgressed?.(),
      }),
    );
    const stopAll = () => Promise.all(runners.map((r) => r.stop())).then(() => undefined);
    const done = (async () => {
      try {
        await Promise.all(runners.map((r) => r.done));
      } catch (error) {
        await stopAll();
        throw error;
      }
    })();
    done.catch((e: unknown) => {
      slot.error = e instanceof Error ? e.message : String(e);
      options.onError?.(slot.definition.name, e);
    });
    return { done, position: () => Math.min(...runners.map((r) => r.position())), stop: stopAll };
  };

  /** Every checkpoint a shadow copy built in any of `counts` shares may have (its own when 1). */
  const shadowCheckpoints = (definition: ProjectionDefinition, counts: readonly number[]): string[] =>
    [...new Set(counts)].flatMap((count) =>
      count > 1 ? Array.from({ length: count }, (_, index) => shareCheckpointName(definition.name, { index, count })) : [checkpointName(definition.name, 'shadow')],
    );

  /** A projection's first start on a store: its indexes and its bookkeeping record. */
  const initialise = async (definition: ProjectionDefinition) => {
    for (const c of definition.collections) for (const fields of c.indexes) await readStore.ensureIndex(c.name, fields);
    await writeRecord({ name: definition.name, version: definition.version, status: 'live', rebuildVersion: null, liveFrozen: false, swapPosition: null });
  };

  /** A fresh shadow copy drops what an earlier rebuild left, in its shares (`previousShares`) or this one's. */
  const prepareShadow = async (definition: ProjectionDefinition, fresh: boolean, previousShares: number) => {
    if (fresh) {
      await Promise.all(definition.collections.map((c) => readStore.dropCollection(physicalCollection(c.name, 'shadow'))));
      for (const name of shadowCheckpoints(definition, [previousShares, shareCount(definition)])) await readStore.deleteCheckpoint(name);
    }
  };

  /** A shadow copy is indexed once it is full, just before the swap: building an index in one go is far cheaper than maintaining it row by row. */
  const indexShadow = async (definition: ProjectionDefinition) => {
    for (const c of definition.collections) {
      for (const fields of c.indexes) await readStore.ensureIndex(physicalCollection(c.name, 'shadow'), fields);
    }
  };

  /** Waits until the shadow copy has reached `target`: checked at each of its commits, and every 20 ms. */
  const shadowReaches = async (slot: Slot, target: Position) => {
    while (!stopped && (slot.shadow?.position() ?? 0) < target) {
      if (slot.error) throw new Error(slot.error);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 20);
        function done() {
          clearTimeout(timer);
          slot.shadowProgressed = null;
          resolve();
        }
        slot.shadowProgressed = done;
      });
    }
  };

  const swap = async (slot: Slot, record: Omit<ProjectionRecord, 'updatedAt'>) => {
    const { definition } = slot;
    const swapPosition = record.swapPosition!;
    for (const c of definition.collections) {
      const source = physicalCollection(c.name, 'shadow');
      if ((await readStore.listCollections(source)).includes(source)) await readStore.swapCollection(source, physicalCollection(c.name, 'live'));
    }
    await readStore.commit([], { name: checkpointName(definition.name, 'live'), position: swapPosition });
    for (const name of shadowCheckpoints(definition, [record.rebuildShares ?? 1, shareCount(definition)])) await readStore.deleteCheckpoint(name);
    // What earlier versions wrote and nothing reads any more (after a crash here, the resumed swap drops it).
    for (const retired of definition.retiredCollections ?? []) {
      for (const copy of ['live', 'shadow'] as const) await readStore.dropCollection(physicalCollection(retired, copy));
    }
    await options.hooks?.[definition.name]?.afterSwap?.();
    await writeRecord({ name: definition.name, version: record.rebuildVersion ?? definition.version, status: 'live', rebuildVersion: null, liveFrozen: false, swapPosition: null });
  };

  const runRebuild = async (slot: Slot, record: Omit<ProjectionRecord, 'updatedAt'>) => {
    slot.shadow = shadowRunner(slot);
    // Catch up with the head while the live copy keeps serving…
    await shadowReaches(slot, await eventStore.headPosition());
    if (stopped) return;
    await indexShadow(slot.definition);
    if (stopped) return;
    // …then freeze the live copy, let the shadow reach the final head, and swap.
    await slot.live?.stop();
    slot.live = null;
    await shadowReaches(slot, await eventStore.headPosition());
    if (stopped) return;
    await slot.shadow.stop();
    const swapPosition = slot.shadow.position();
    slot.shadow = null;
    const swapping = { ...record, status: 'swapping' as const, swapPosition };
    await writeRecord(swapping);
    await swap(slot, swapping);
    if (!stopped) slot.live = runner(slot, 'live');
  };

  const beginRebuild = async (slot: Slot, fresh: boolean, liveFrozen: boolean) => {
    const { definition } = slot;
    const current = await readRecord(definition.name);
    // A shadow copy's checkpoints are its shares': resumed with another number of shares, it starts over.
    const previousShares = current?.rebuildShares ?? 1;
    const shares = shareCount(definition);
    await prepareShadow(definition, fresh || previousShares !== shares, previousShares);
    const record = {
      name: definition.name,
      version: current?.version ?? definition.version,
      status: 'rebuilding' as const,
      rebuildVersion: definition.version,
      liveFrozen,
      swapPosition: null,
      ...(shares > 1 ? { rebuildShares: shares } : {}),
    };
    await writeRecord(record);
    if (!liveFrozen && !slot.live) slot.live = runner(slot, 'live');
    slot.rebuilding = runRebuild(slot, record).finally(() => (slot.rebuilding = null));
    slot.rebuilding.catch((e: unknown) => {
      slot.error = e instanceof Error ? e.message : String(e);
      options.onError?.(definition.name, e);
    });
  };

  return {
    async start() {
      for (const slot of slots.values()) {
        const { definition } = slot;
        const record = await readRecord(definition.name);
        if (!record) {
          await initialise(definition);
          slot.live = runner(slot, 'live');
        } else if (record.status === 'swapping') {
          await swap(slot, record); // a crash mid-swap: finish it
          slot.live = runner(slot, 'live');
        } else if (record.status === 'rebuilding' && record.rebuildVersion === definition.version) {
          await beginRebuild(slot, false, record.liveFrozen); // resume from the shadow's own checkpoint
        } else if (record.version !== definition.version || record.status === 'rebuilding') {
          await beginRebuild(slot, true, record.version !== definition.version);
        } else {
          slot.live = runner(slot, 'live');
        }
      }
    },

    async rebuild(name) {
      const slot = slotOf(name);
      if (!slot.rebuilding) await beginRebuild(slot, true, false);
      await slot.rebuilding;
      if (slot.error) throw new Error(slot.error);
    },

    async status() {
      const head = await eventStore.headPosition();
      return Promise.all(
        [...slots.values()].map(async (slot): Promise<ProjectionStatus> => {
          const { definition } = slot;
          const record = await readRecord(definition.name);
          const position = (await readStore.checkpoint(checkpointName(definition.name, 'live'))) ?? 0;
          const shares = sharesOf(definition);
          const shadowPosition =
            slot.shadow?.position() ??
            (shares.length > 0
              ? Math.min(...(await Promise.all(shares.map(async (share) => (await readStore.checkpoint(shareCheckpointName(definition.name, share))) ?? 0))))
              : ((await readStore.checkpoint(checkpointName(definition.name, 'shadow'))) ?? 0));
          const rate = slot.rate.eventsPerSecond;
          return {
            name: definition.name,
            version: record?.version ?? definition.version,
            status: slot.error ? 'failed' : (record?.status ?? 'stopped'),
            position,
            head,
            lag: Math.max(0, head - position),
            rebuild:
              record?.status === 'rebuilding' || record?.status === 'swapping'
                ? { version: record.rebuildVersion ?? definition.version, position: shadowPosition, target: head, eventsPerSecond: rate, etaSeconds: rate > 0 ? (head - shadowPosition) / rate : null }
                : null,
            error: slot.error,
          };
        }),
      );
    },

    async stop() {
      stopped = true;
      await Promise.all([...slots.values()].flatMap((s) => [s.live?.stop() ?? Promise.resolve(), s.shadow?.stop() ?? Promise.resolve()]));
      await Promise.all([...slots.values()].map((s) => s.rebuilding?.catch(() => undefined) ?? Promise.resolve()));
    },
  };
};

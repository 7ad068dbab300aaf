import type { DocumentWrite, Position, Rankings, ReadStore } from '@nationpulse/ports';
import type { ProjectionHooks } from '../runner/projection-manager.ts';
import { SYNC_MARKER_POSITION, SYNC_MARKER_VERSION } from './keys.ts';

/**
 * A structure kept in the cache beside a projection's live copy (ranking boards, permission
 * hashes): how to bring it up to date with a batch, and how to recompute it from scratch.
 */
export interface Derivation {
  /** Names the structure in error reports. */
  readonly name: string;
  /** The projection it derives from; the projection's live checkpoint carries the same name. */
  readonly projection: string;
  /** The projection's version, recorded in the marker: another version forces a resync at start. */
  readonly version: number;
  /** The live collections it is computed from: swapping one in (a rebuild) withdraws the marker first. */
  readonly collections: readonly string[];
  /** The board holding its sync marker. */
  readonly marker: string;
  /** Brings the structure up to date with a live batch's final writes. Idempotent. */
  apply(writes: readonly DocumentWrite[]): Promise<void>;
  /** Recomputes all of it from the live collections (which nothing writes meanwhile) and drops what is gone. */
  rebuild(): Promise<void>;
}

export type DerivedStage = 'sync' | 'apply' | 'marker' | 'swap';
export type DerivedErrorHandler = (error: unknown, context: { readonly structure: string; readonly stage: DerivedStage }) => void;

export interface SyncMarker {
  /** Every write of the live copy up to this position is in the structure. */
  readonly position: Position;
  readonly version: number;
}

export const readSyncMarker = async (rankings: Rankings, marker: string): Promise<SyncMarker | null> => {
  const members = await rankings.range(marker, { order: 'asc', limit: 8 });
  const position = members.find((m) => m.member === SYNC_MARKER_POSITION)?.score;
  if (position === undefined) return null;
  return { position, version: members.find((m) => m.member === SYNC_MARKER_VERSION)?.score ?? 0 };
};

export const writeSyncMarker = (rankings: Rankings, marker: string, value: SyncMarker): Promise<void> =>
  rankings.replace(marker, [
    { member: SYNC_MARKER_POSITION, score: value.position },
    { member: SYNC_MARKER_VERSION, score: value.version },
  ]);

const LISTING_PAGE = 10_000;

/** Every member of a listing board (a set kept as a board with score 0). */
export const listingMembers = async (rankings: Rankings, listing: string): Promise<string[]> => {
  const out: string[] = [];
  for (let offset = 0; ; offset += LISTING_PAGE) {
    const page = await rankings.range(listing, { order: 'asc', offset, limit: LISTING_PAGE });
    out.push(...page.map((m) => m.member));
    if (page.length < LISTING_PAGE) return out;
  }
};

export const addToListing = (rankings: Rankings, listing: string, members: Iterable<string>): Promise<void> =>
  rankings.upsert(listing, [...members].map((member) => ({ member, score: 0 })));

export const replaceListing = (rankings: Rankings, listing: string, members: Iterable<string>): Promise<void> =>
  rankings.replace(listing, [...members].map((member) => ({ member, score: 0 })));

export interface DerivedSync {
  readonly derivation: Derivation;
  /** For the projection manager: apply each live batch before its checkpoint; resync after a swap. */
  readonly hooks: ProjectionHooks;
  /**
   * Resyncs unless the marker shows the structure already reflects the live checkpoint (with this
   * projection version): the cheap check at start, when the cache may be cold (a restarted
   * in-process cache, a flushed Redis) or a process without the cache moved the checkpoint.
   * Throws when the cache or the read store fails. Never while the projection runs.
   */
  syncIfStale(options?: { force?: boolean }): Promise<'fresh' | 'synced'>;
  /** After the live checkpoint moved to `position` (a batch or an idle advance): move the marker along. */
  committed(position: Position): Promise<void>;
  /** Before a live collection is replaced: withdraw the marker. Throws when it cannot (the swap must not happen). */
  beforeSwap(): Promise<void>;
}

export interface DerivedSyncOptions {
  readonly readStore: ReadStore;
  readonly rankings: Rankings;
  readonly onError?: DerivedErrorHandler;
  /** After a failure, how long before a resync is tried again (batches keep flowing meanwhile). Default 5 s. */
  readonly retryAfterMs?: number;
  readonly now?: () => number;
}

/**
 * Keeps a derived structure in step with its projection's live copy, and says how far it can be
 * trusted with a sync marker that readers check:
 *
 * - each live batch is applied before the projection commits its checkpoint; once the checkpoint
 *   moved (a batch or an idle advance), the marker moves to it. The marker never gets ahead of
 *   what the structure holds, so "marker ≥ P" means the structure reflects every write up to P.
 * - the marker is withdrawn while the structure may not follow the live copy: before a rebuilt
 *   copy is swapped in, while a resync runs. When the cache lost it (a flush) or holds another one
 *   than this process wrote (a restart from an older snapshot), the structure is resynced rather
 *   than vouched for. Readers use the read store meanwhile.
 * - cache failures never stop the projection: the structure is marked out of sync (the marker is
 *   no longer moved, so it stays truthful) and resynced from the live copy at the next batch or
 *   checkpoint move, at most every `retryAfterMs`.
 *
 * Calls come from one projection runner at a time (batches, commits, swaps are sequential).
 */
export const createDerivedSync = (derivation: Derivation, options: DerivedSyncOptions): DerivedSync => {
  const { readStore, rankings } = options;
  const now = options.now ?? Date.now;
  const retryAfterMs = options.retryAfterMs ?? 5_000;
  let synced = false;
  let swapping = false;
  let retryAt = 0;
  /** The marker position this process last wrote: finding another one means the cache changed under us. */
  let written: Position | null = null;

  const report = (stage: DerivedStage, error: unknown) => options.onError?.(error, { structure: derivation.name, stage });

  const mark = async (position: Position) => {
    await writeSyncMarker(rankings, derivation.marker, { position, version: derivation.version });
    written = position;
  };

  const resync = async (): Promise<void> => {
    synced = false;
    try {
      await rankings.drop(derivation.marker);
      // Read before the documents: they reflect at least this checkpoint.
      const position = (await readStore.checkpoint(derivation.projection)) ?? 0;
      await derivation.rebuild();
      await mark(position);
      synced = true;
      retryAt = 0;
    } catch (error) {
      retryAt = now() + retryAfterMs;
      throw error;
    }
  };

  /** A resync unless one failed less than retryAfterMs ago; true when in sync. */
  const tryResync = async (stage: DerivedStage, force = false): Promise<boolean> => {
    if (!force && now() < retryAt) return false;
    try {
      await resync();
      return true;
    } catch (error) {
      report(stage, error);
      return false;
    }
  };

  return {
    derivation,
    hooks: {
      async beforeCommit(writes) {
        swapping = false; // the live copy runs again
        if (!synced && !(await tryResync('sync'))) return;
        try {
          await derivation.apply(writes);
        } catch (error) {
          synced = false;
          retryAt = now() + retryAfterMs;
          report('apply', error);
        }
      },
      async afterSwap() {
        swapping = false;
        await tryResync('swap', true);
      },
    },

    async syncIfStale({ force = false } = {}) {
      const [marker, checkpoint] = await Promise.all([readSyncMarker(rankings, derivation.marker), readStore.checkpoint(derivation.projection)]);
      if (!force && marker !== null && marker.version === derivation.version && marker.position >= (checkpoint ?? 0)) {
        synced = true;
        written = marker.position;
        return 'fresh';
      }
      await resync();
      return 'synced';
    },

    async committed(position) {
      if (swapping) return; // afterSwap resyncs
      if (!synced) {
        await tryResync('sync');
        return;
      }
      let marker: SyncMarker | null;
      try {
        marker = await readSyncMarker(rankings, derivation.marker);
      } catch (error) {
        // Unreachable: it may come back empty or from an older snapshot. Resynced once it answers.
        synced = false;
        retryAt = now() + retryAfterMs;
        report('marker', error);
        return;
      }
      if (marker === null || marker.position !== written) {
        // Gone (a flush, a restart) or not ours (restored from a snapshot): the structure may be
        // partial or old. Rebuild it rather than vouch for it.
        await tryResync('sync', true);
        return;
      }
      if (marker.position >= position) return;
      try {
        await mark(position);
      } catch (error) {
        // The structure is current; only the marker lags (readers use the read store meanwhile).
        report('marker', error);
      }
    },

    async beforeSwap() {
      swapping = true;
      synced = false;
      await rankings.drop(derivation.marker);
    },
  };
};

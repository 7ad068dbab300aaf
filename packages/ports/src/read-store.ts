import { NationPulseError } from '@nationpulse/domain';
import type { Position } from './event-store.ts';

export type Scalar = string | number | boolean | null;

/** A stored read-model document: the projection's own fields plus the position that last wrote it. */
export interface StoredDocument<T = Record<string, unknown>> {
  readonly id: string;
  readonly position: Position;
  readonly doc: T;
}

/**
 * One change a projection makes. Every write carries the position of the event that caused it,
 * and a store applies it only if the document was last written at a lower position, so
 * replaying events (at-least-once delivery, a crashed batch) changes nothing.
 */
export type DocumentWrite =
  | { readonly op: 'put'; readonly collection: string; readonly id: string; readonly doc: Record<string, unknown>; readonly position: Position }
  | { readonly op: 'delete'; readonly collection: string; readonly id: string; readonly position: Position };

export type FieldCondition = Scalar | { readonly in: readonly Scalar[] } | { readonly gte?: number | string; readonly lte?: number | string };

export interface FindQuery {
  /** Equality, membership or range on top-level fields, all of which must hold. */
  readonly where?: Readonly<Record<string, FieldCondition>>;
  readonly orderBy?: readonly { readonly field: string; readonly direction: 'asc' | 'desc' }[];
  readonly limit?: number;
  readonly offset?: number;
}

export interface CheckpointWrite {
  /** Checkpoint name: a projection's name, version and copy (live or shadow). */
  readonly name: string;
  readonly position: Position;
}

/** The read store port: document collections that projections write and queries read. */
export interface ReadStore {
  /**
   * Applies the writes, then moves the checkpoint forward (never back). Atomic where the backend
   * has transactions; elsewhere the per-document position guard makes a replay after a crash
   * between the two a no-op.
   */
  commit(writes: readonly DocumentWrite[], checkpoint: CheckpointWrite): Promise<void>;
  checkpoint(name: string): Promise<Position | null>;
  deleteCheckpoint(name: string): Promise<void>;
  get<T = Record<string, unknown>>(collection: string, id: string): Promise<StoredDocument<T> | null>;
  /**
   * The documents with these ids in one round trip (a projection batch loads what it touches this
   * way): in the order of `ids`, each once, missing and deleted ones left out.
   */
  getMany<T = Record<string, unknown>>(collection: string, ids: readonly string[]): Promise<StoredDocument<T>[]>;
  find<T = Record<string, unknown>>(collection: string, query?: FindQuery): Promise<StoredDocument<T>[]>;
  count(collection: string, where?: FindQuery['where']): Promise<number>;
  /** The sum of a numeric field over the matching documents (0 when none); other types count as nothing. */
  sum(collection: string, field: string, where?: FindQuery['where']): Promise<number>;
  /** Declares an index used by queries; idempotent. */
  ensureIndex(collection: string, fields: readonly string[]): Promise<void>;
  /**
   * Replaces `target` with `source` in one step (the shadow copy of a rebuild becomes live);
   * readers see either the old or the new collection, never a mix. `source` no longer exists after.
   */
  swapCollection(source: string, target: string): Promise<void>;
  dropCollection(collection: string): Promise<void>;
  listCollections(prefix?: string): Promise<string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class ReadStoreUnavailableError extends NationPulseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', 'READ_STORE_UNAVAILABLE', message, undefined, options);
  }
}

import { NationPulseError } from '@nationpulse/domain';

/**
 * Global position of an event in the store: strictly increasing across all streams, the
 * consistency token of the platform. A plain number (safe up to 2^53, i.e. 9 PB of EventStoreDB
 * log) so it survives JSON, headers and SQL without ceremony.
 */
export type Position = number;

/** Expected revision of a stream for an optimistic append. Revisions start at 0. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface EventMetadata {
  readonly eventId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly actor: string;
  readonly occurredAt: string;
  readonly traceparent: string | null;
  readonly source: string;
  readonly schemaVersion: number;
  /** Free extension fields (e.g. an idempotency key hash); adapters store them verbatim. */
  readonly [extra: string]: unknown;
}

export interface NewEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent extends NewEvent {
  readonly streamId: string;
  readonly revision: number;
  readonly position: Position;
  /** When the store recorded it (ISO-8601), as opposed to metadata.occurredAt. */
  readonly recordedAt: string;
}

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  readonly nextRevision: number;
  /** Global position of the last event appended: the consistency token. */
  readonly position: Position;
}

export interface EventFilter {
  readonly eventTypes?: readonly string[];
  readonly streamPrefixes?: readonly string[];
  /** Only the events of this share of the streams (see `StreamPartition`). */
  readonly partition?: StreamPartition;
}

/**
 * One of `count` disjoint shares of the streams: a stream belongs to share
 * `partitionOf(key(streamId), count)`. `key` maps a stream to what decides its share (the stream
 * itself, or a part of its name that several streams have in common), so that the events of
 * streams with the same key always land in the same share. Decided from the stream's name alone,
 * so an adapter can drop the other shares' events before decoding them.
 */
export interface StreamPartition {
  readonly count: number;
  readonly index: number;
  readonly key: (streamId: string) => string;
}

/** The share (0 ≤ share < count) of a partition key: FNV-1a, stable across processes and releases. */
export const partitionOf = (key: string, count: number): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % count;
};

export const inPartition = (partition: StreamPartition | undefined, streamId: string): boolean =>
  partition === undefined || partition.count <= 1 || partitionOf(partition.key(streamId), partition.count) === partition.index;

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive; defaults to the start (forwards) or the end (backwards). */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Omitted = from the beginning. */
  readonly after?: Position;
  readonly maxCount?: number;
  readonly filter?: EventFilter;
}

export interface SubscribeOptions {
  /** Exclusive: deliver events strictly after this position. Omitted = from the beginning. */
  readonly after?: Position;
  readonly filter?: EventFilter;
}

/**
 * A catch-up subscription: an async iterable that first yields every stored event after the
 * start point, then live events as they are appended, in position order, with no gap and no
 * duplicate. Breaking out of the loop or calling close() ends it.
 */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

/** The event store port: the platform's single source of truth. */
export interface EventStore {
  /**
   * Appends atomically. Throws StreamRevisionConflictError when expectedRevision does not hold.
   * Idempotent by event id: re-appending a batch whose ids are already stored in the stream
   * returns the original result and stores nothing.
   */
  append(streamId: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /** Events of one stream; an unknown stream yields nothing. */
  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  /** Current revision of a stream, or null when it does not exist. */
  streamRevision(streamId: string): Promise<number | null>;
  /** Every stream's events in global position order. */
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /** Position of the last event in the store (0 when empty). */
  headPosition(): Promise<Position>;
  close(): Promise<void>;
}

export class StreamRevisionConflictError extends NationPulseError {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | null,
    options?: { cause?: unknown },
  ) {
    super(
      'conflict',
      'STREAM_REVISION_CONFLICT',
      `Stream ${streamId} is at revision ${actual ?? 'none'}, expected ${String(expected)}`,
      { streamId, expected, actual },
      options,
    );
  }
}

export class EventStoreUnavailableError extends NationPulseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', 'EVENT_STORE_UNAVAILABLE', message, undefined, options);
  }
}

export const matchesFilter = (filter: EventFilter | undefined, streamId: string, type: string): boolean => {
  if (!filter) return true;
  if (filter.eventTypes && !filter.eventTypes.includes(type)) return false;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((p) => streamId.startsWith(p))) return false;
  return inPartition(filter.partition, streamId);
};

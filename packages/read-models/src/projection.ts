import type { EventEnvelope } from '@nationpulse/domain';
import type { Position } from '@nationpulse/ports';

/** An event as a projection sees it: decoded (upcast, validated) with its place in the store. */
export interface ProjectedEvent extends EventEnvelope {
  readonly streamId: string;
  readonly revision: number;
  readonly position: Position;
  readonly recordedAt: string;
}

export interface DocumentRef {
  readonly collection: string;
  readonly id: string;
  /**
   * false when `apply` derives this document from the event alone and never reads it: the runner
   * then skips loading it (the costly part of fan-out read models), and the store's position
   * guard still makes a replayed write harmless.
   */
  readonly load?: boolean;
}

/** The documents an event declared, as they stand just before it (earlier events of the batch included). */
export interface DocumentView {
  /** The document to read: never change it. null when absent. */
  get<T extends object>(collection: string, id: string): T | null;
  /**
   * The document as a working copy that `apply` may change in place, and must then return as the
   * document's change; null when absent. For big documents that each event changes a little (an
   * indicator's values in a year, for every country): an event then costs its change, not a copy
   * of the document. A document that already reflects the event comes as a throwaway copy, whose
   * change the runner drops.
   */
  edit<T extends object>(collection: string, id: string): T | null;
}

/** The new state of one document; `doc: null` deletes it. */
export interface DocumentChange {
  readonly collection: string;
  readonly id: string;
  readonly doc: Record<string, unknown> | null;
}

export interface CollectionSpec {
  /** Logical name; the runner maps it to the live or shadow physical collection. */
  readonly name: string;
  readonly indexes: readonly (readonly string[])[];
}

/**
 * A read model, declared: name, version, the event types it handles and pure handlers.
 *
 * - `touches` names every document an event may change; the runner loads them first.
 * - `apply` returns the new state of those documents. It must compute each document's change
 *   from that document alone (and the event): the runner drops the change of any document that
 *   already reflects the event (written at an equal or later position), which is what makes a
 *   replay — at-least-once delivery, a resumed rebuild — change nothing.
 * - Bumping `version` makes the projector rebuild the model into a shadow copy and swap it in.
 * - Projections have no side effects; reactions (notifications, Kafka) are not projections.
 */
export interface ProjectionDefinition {
  readonly name: string;
  readonly version: number;
  readonly description: string;
  readonly eventTypes: readonly string[];
  readonly collections: readonly CollectionSpec[];
  /**
   * Collections earlier versions wrote and this one no longer does: dropped once this version's
   * copy is live (after the swap that a version bump brings).
   */
  readonly retiredCollections?: readonly string[];
  /**
   * Earlier versions whose documents this package's readers still read correctly (same
   * collections, a layout they recognise). During the rebuild a version bump brings, the live
   * copy of such a version keeps being served instead of answering PROJECTION_REBUILDING.
   */
  readonly readableEarlierVersions?: readonly number[];
  /**
   * Declares that events of streams with different keys never touch the same document, so a
   * rebuild may apply disjoint shares of the streams at once (`StreamPartition`, one runner per
   * share, each with its own checkpoint). Decided from the stream's name alone. Omitted: one
   * runner applies every event (a model whose documents gather many streams' events, such as a
   * user's, or small enough not to need it).
   */
  readonly partitionKey?: (streamId: string) => string;
  touches(event: ProjectedEvent): readonly DocumentRef[];
  apply(event: ProjectedEvent, view: DocumentView): readonly DocumentChange[];
}

export const defineProjection = (definition: ProjectionDefinition): ProjectionDefinition => definition;

/** Where the projector records each projection's state (one document per projection, id = its name). */
export const PROJECTION_STATE_COLLECTION = 'projections_state';

/**
 * A projection's recorded state. Readers compare `version` with the version their code reads: a
 * live copy of another version (frozen while an upgrade rebuilds the new layout) is not theirs.
 */
// A type alias (not an interface) so it is assignable to a plain JSON document.
export type ProjectionStateDoc = {
  name: string;
  /** Version of the live copy's contents. */
  version: number;
  /** 'rebuilding': a shadow copy is being built; 'swapping': it is being made live (resumable). */
  status: 'live' | 'rebuilding' | 'swapping';
  rebuildVersion: number | null;
  /** A version bump freezes the live copy (old code's data, still served) until the swap. */
  liveFrozen: boolean;
  swapPosition: number | null;
  /**
   * While rebuilding: in how many shares of the streams the shadow copy is built (absent: one
   * runner). A rebuild resumed with another count starts over; the swap clears those shares' checkpoints.
   */
  rebuildShares?: number;
  updatedAt: string;
};

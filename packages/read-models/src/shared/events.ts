import type { EventDefinition } from '@nationpulse/domain';
import type { DocumentChange, ProjectedEvent } from '../projection.ts';

/** An event of one catalogue type, its data typed. The runner only hands projections decoded, validated events. */
export type EventOf<T extends string, D> = ProjectedEvent & { readonly type: T; readonly data: D };

export const isEvent = <T extends string, D>(event: ProjectedEvent, definition: EventDefinition<T, D>): event is EventOf<T, D> =>
  event.type === definition.type;

/**
 * The changes of an ObservationsRecorded, one per year (the last for a year wins, as when the
 * series is folded), in year order: the same document never gets two changes from one event.
 */
export const changesByYear = <C extends { readonly year: number }>(changes: readonly C[]): readonly C[] => {
  // Ingestion records years in order, each once: then there is nothing to sort or drop.
  let ordered = true;
  for (let i = 1; i < changes.length && ordered; i++) ordered = changes[i - 1]!.year < changes[i]!.year;
  if (ordered) return changes;
  const byYear = new Map<number, C>();
  for (const change of changes) byYear.set(change.year, change);
  return [...byYear.values()].sort((a, b) => a.year - b.year);
};

/** A put of a typed document (the document interfaces are plain JSON objects without an index signature). */
export const put = <T extends object>(collection: string, id: string, doc: T): DocumentChange => ({
  collection,
  id,
  doc: doc as Record<string, unknown>,
});

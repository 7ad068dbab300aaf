/** Where a projection's copy lives: the live copy serves queries; the shadow copy is a rebuild in progress. */
export type Copy = 'live' | 'shadow';

export const physicalCollection = (collection: string, copy: Copy): string => (copy === 'live' ? collection : `${collection}__shadow`);

/** The live checkpoint is named after the projection: the read API waits on it for read-your-writes. */
export const checkpointName = (projection: string, copy: Copy): string => (copy === 'live' ? projection : `${projection}:shadow`);

/** A share of a rebuild (one of `count` disjoint shares of the streams) keeps its own checkpoint. */
export const shareCheckpointName = (projection: string, share: { readonly index: number; readonly count: number }): string =>
  `${projection}:shadow:${share.index}/${share.count}`;

/** Per-projection bookkeeping (version served, rebuild state) lives in this collection. */
export { PROJECTION_STATE_COLLECTION as PROJECTIONS_COLLECTION } from '@nationpulse/read-models';

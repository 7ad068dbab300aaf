import { describe, expect, it } from 'vitest';
import * as readApi from '../../../read-api/src/query-handling/cache-keys.ts';
import { queries } from '../../../read-api/src/queries/catalogue.ts';
import * as keys from './keys.ts';
import { RESPONSE_CACHED_PROJECTIONS } from './response-cache.ts';

// The projectors write what the read API reads: the names must agree.
describe('names shared with the read API', () => {
  it('are the same on both sides', () => {
    expect(keys.RESPONSE_CACHE_PREFIX).toBe(readApi.RESPONSE_CACHE_PREFIX);
    expect(keys.RANKINGS_SYNC_MARKER).toBe(readApi.RANKINGS_SYNC_MARKER);
    expect(keys.SYNC_MARKER_POSITION).toBe(readApi.SYNC_MARKER_POSITION);
    expect(keys.SYNC_MARKER_VERSION).toBe(readApi.SYNC_MARKER_VERSION);
    expect(keys.rankingBoard('SP.POP.TOTL', 2021)).toBe(readApi.rankingBoard('SP.POP.TOTL', 2021));
  });

  it('invalidates cached answers for every projection a read API query reads', () => {
    const read = new Set(Object.values(queries).flatMap((q) => q.reads));
    expect([...RESPONSE_CACHED_PROJECTIONS].sort()).toEqual([...read].sort());
  });
});

import type { DocumentWrite } from '@nationpulse/ports';
import { describe, expect, it } from 'vitest';
import * as readApi from '../../../read-api/src/query-handling/cache-keys.ts';
import type { QueryDefinition } from '../../../read-api/src/query-handling/query-definition.ts';
import { responseCacheKey } from '../../../read-api/src/query-handling/query-executor.ts';
import { queries } from '../../../read-api/src/queries/catalogue.ts';
import * as keys from './keys.ts';
import { invalidatedPrefixes, MAX_SCOPES_PER_QUERY, RESPONSE_CACHE_READERS, RESPONSE_CACHED_PROJECTIONS } from './response-cache.ts';

// The projectors write what the read API reads: the names must agree.
describe('names shared with the read API', () => {
  it('are the same on both sides', () => {
    expect(keys.RESPONSE_CACHE_PREFIX).toBe(readApi.RESPONSE_CACHE_PREFIX);
    expect(keys.RANKINGS_SYNC_MARKER).toBe(readApi.RANKINGS_SYNC_MARKER);
    expect(keys.SYNC_MARKER_POSITION).toBe(readApi.SYNC_MARKER_POSITION);
    expect(keys.SYNC_MARKER_VERSION).toBe(readApi.SYNC_MARKER_VERSION);
    expect(keys.rankingBoard('SP.POP.TOTL', 2021)).toBe(readApi.rankingBoard('SP.POP.TOTL', 2021));
    expect(keys.responseNamespace('series')).toBe(readApi.responseNamespace('series'));
    expect(keys.responseScope('series', 'FRA:SP.POP.TOTL')).toBe(readApi.responseScope('series', 'FRA:SP.POP.TOTL'));
  });

  it('invalidates cached answers for every projection a read API query reads', () => {
    const read = new Set(Object.values(queries).flatMap((q) => q.reads));
    expect([...RESPONSE_CACHED_PROJECTIONS].sort()).toEqual([...read].sort());
  });
});

describe('targeted invalidation of cached answers', () => {
  const byName = new Map<string, QueryDefinition<any, unknown>>(Object.values(queries).map((q) => [q.name, q as QueryDefinition<any, unknown>]));
  const keyOf = (query: string, raw: unknown) => {
    const q = byName.get(query)!;
    return responseCacheKey(q, q.input.parse(raw));
  };
  const put = (collection: string, id: string, doc: Record<string, unknown>): DocumentWrite => ({ op: 'put', collection, id, doc, position: 10 });
  const dropped = (projection: string, write: DocumentWrite, key: string) => invalidatedPrefixes(projection, [write]).some((prefix) => key.startsWith(prefix));

  it('names every query reading each projection, and only those', () => {
    const expected = [...byName.values()].flatMap((q) => q.reads.map((p) => `${p} → ${q.name}`)).sort();
    const declared = Object.entries(RESPONSE_CACHE_READERS).flatMap(([p, readers]) => Object.keys(readers).map((q) => `${p} → ${q}`)).sort();
    expect(declared).toEqual(expected);
  });

  it('scopes the answers of a query only where the projectors know its scopes', () => {
    // A query with a cacheScope but invalidated whole is merely wasteful; scoped invalidation of a
    // query without one would never match its keys (stale answers): every scoped entry is tested below.
    const scoped = [...byName.values()].filter((q) => q.cacheScope).map((q) => q.name).sort();
    expect(scoped).toEqual(['audit-asof', 'audit-series', 'compare', 'country-profile', 'dashboard', 'rankings', 'series']);
  });

  const series = (country: string, indicator: string) => put('series', `${country}:${indicator}`, { country, indicator, isAggregate: false, points: [] });
  const profile = (country: string) => put('country_profiles', country, { country, isAggregate: false, latest: {} });
  const indicatorYear = (indicator: string, year: number) => put('indicator_years', `${indicator}:${year}`, { indicator, year, countries: {}, aggregates: {}, countryCount: 0 });
  const changeSet = (country: string, indicator: string) => put('change_sets', 'e-1', { country, indicator, kind: 'corrected', changes: [[2020, 1, null]] });

  it.each([
    // [projection, write, query, input, dropped]
    ['series', series('FRA', 'SP.POP.TOTL'), 'series', { country: 'FRA', indicator: 'SP.POP.TOTL', from: 1990 }, true],
    ['series', series('FRA', 'SP.POP.TOTL'), 'series', { country: 'USA', indicator: 'SP.POP.TOTL' }, false],
    ['series', series('FRA', 'SP.POP.TOTL'), 'series', { country: 'FRA', indicator: 'SP.POP.GROW' }, false],
    ['series', series('FRA', 'SP.POP.TOTL'), 'compare', { indicator: 'SP.POP.TOTL', countries: ['USA', 'FRA'] }, true],
    ['series', series('FRA', 'SP.POP.TOTL'), 'compare', { indicator: 'NY.GDP.MKTP.CD', countries: ['FRA'] }, false],
    ['country-profiles', profile('FRA'), 'country-profile', { country: 'FRA' }, true],
    ['country-profiles', profile('FRA'), 'country-profile', { country: 'DEU' }, false],
    ['country-profiles', profile('FRA'), 'list-countries', {}, true],
    ['observations', indicatorYear('SP.POP.TOTL', 2020), 'rankings', { indicator: 'SP.POP.TOTL', year: 2020, order: 'asc' }, true],
    ['observations', indicatorYear('SP.POP.TOTL', 2020), 'rankings', { indicator: 'SP.POP.TOTL' }, true],
    ['observations', indicatorYear('SP.POP.TOTL', 2020), 'rankings', { indicator: 'SP.POP.TOTL', year: 2019 }, false],
    ['observations', indicatorYear('SP.POP.TOTL', 2020), 'rankings', { indicator: 'SP.POP.GROW', year: 2020 }, false],
    ['observations', indicatorYear('SP.POP.TOTL', 2020), 'dashboard', { dashboard: 'population', year: 2020 }, true],
    ['observations', indicatorYear('SP.POP.TOTL', 2020), 'dashboard', { dashboard: 'gdp' }, true],
    ['observations', indicatorYear('SP.POP.TOTL', 2020), 'dashboard', { dashboard: 'population', year: 2021 }, false],
    ['observations', indicatorYear('SP.POP.TOTL', 2020), 'list-indicators', {}, true],
    ['change-log', changeSet('FRA', 'SP.POP.TOTL'), 'audit-series', { country: 'FRA', indicator: 'SP.POP.TOTL', year: 2020 }, true],
    ['change-log', changeSet('FRA', 'SP.POP.TOTL'), 'audit-series', { country: 'FRA', indicator: 'SP.POP.GROW' }, false],
    ['change-log', changeSet('FRA', 'SP.POP.TOTL'), 'audit-asof', { country: 'FRA', at: '2026-01-01T00:00:00Z' }, true],
    ['change-log', changeSet('FRA', 'SP.POP.TOTL'), 'audit-asof', { country: 'USA', at: '2026-01-01T00:00:00Z' }, false],
    ['change-log', changeSet('FRA', 'SP.POP.TOTL'), 'audit-changes', {}, true],
    ['users', put('users', 'u-1', { userId: 'u-1' }), 'list-users', {}, true],
    ['users', put('users', 'u-1', { userId: 'u-1' }), 'rankings', { indicator: 'SP.POP.TOTL' }, false],
    ['reports', put('reports', 'r-1', { reportId: 'r-1' }), 'series', { country: 'FRA', indicator: 'SP.POP.TOTL' }, false],
    ['ingestion-runs', put('ingestion_runs', 'run-1', { runId: 'run-1' }), 'audit-runs', {}, true],
    ['ingestion-runs', put('ingestion_runs', 'run-1', { runId: 'run-1' }), 'dashboard', { dashboard: 'population' }, false],
  ] as const)('%s %s → %s %j: dropped %s', (projection, write, query, input, expected) => {
    expect(dropped(projection, write, keyOf(query, input))).toBe(expected);
  });

  it('drops every answer of a query when a deletion (no document) or a swap does not say which', () => {
    const deletion: DocumentWrite = { op: 'delete', collection: 'series', id: 'FRA:SP.POP.TOTL', position: 10 };
    expect(dropped('series', deletion, keyOf('series', { country: 'USA', indicator: 'NY.GDP.MKTP.CD' }))).toBe(true);
    expect(invalidatedPrefixes('observations', 'all').sort()).toEqual(['dashboard', 'list-indicators', 'rankings'].map(keys.responseNamespace));
  });

  it('drops a query’s whole namespace rather than scanning for more than MAX_SCOPES_PER_QUERY scopes', () => {
    const many = Array.from({ length: MAX_SCOPES_PER_QUERY + 1 }, (_, i) => series(`A${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}`, 'SP.POP.TOTL'));
    expect(invalidatedPrefixes('series', many).sort()).toEqual([keys.responseScope('compare', 'SP.POP.TOTL'), keys.responseNamespace('series')].sort());
    expect(invalidatedPrefixes('series', many.slice(0, 3))).toHaveLength(4);
  });
});

import type { ReadStore } from '@nationpulse/ports';
import { collections } from '@nationpulse/read-models';
import { aggregates, countries } from '@nationpulse/reference-data';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadSide } from '../composition.ts';
import { seededPositions, seededReadStore } from '../testing/read-side-fixture.ts';
import { buildReadApp } from './app.ts';

const WAIT_TIMEOUT_MS = 600;

let readStore: ReadStore;
let app: FastifyInstance;
let base: string;

const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${base}${path}`, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
};
/** A JSON array of objects, for assertions. */
const rows = (value: unknown) => value as Record<string, unknown>[];
const expectError = async (path: string, status: number, code: string) => {
  const res = await get(path);
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  return res;
};

beforeAll(async () => {
  readStore = await seededReadStore();
  const { executor } = createReadSide({ readStore, waitTimeoutMs: WAIT_TIMEOUT_MS });
  app = await buildReadApp({ executor, logger: false, health: async () => ({ ok: true, details: { readStore: { status: 'up' } } }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await app.close();
  await readStore.close();
});

describe('GET /api/v1/countries', () => {
  it('lists countries by name, aggregates left out, with the total and whether data exists', async () => {
    const res = await get('/api/v1/countries?limit=3');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-position')).toBe(String(seededPositions['country-profiles']));
    expect(res.body.total).toBe(countries.length);
    expect(res.body).toMatchObject({ limit: 3, offset: 0 });
    expect(res.body.countries).toEqual(
      countries.slice(0, 3).map((c) => ({ iso3: c.iso3, iso2: c.iso2, name: c.name, region: c.region, subregion: c.subregion, isAggregate: false, hasData: false })),
    );
    const all = await get('/api/v1/countries');
    expect(all.body.countries).toHaveLength(countries.length);
    expect(rows(all.body.countries).some((c) => c.isAggregate)).toBe(false);
    expect(rows(all.body.countries).filter((c) => c.hasData).map((c) => c.iso3).sort()).toEqual(['DEU', 'ESP', 'FRA', 'ITA', 'JPN']);
  });

  it('adds the aggregates after the countries on request, and pages through them', async () => {
    const res = await get(`/api/v1/countries?include=aggregates&offset=${countries.length - 1}&limit=3`);
    expect(res.body.total).toBe(countries.length + aggregates.length);
    expect(rows(res.body.countries).map((c) => [c.iso3, c.isAggregate])).toEqual([
      [countries.at(-1)!.iso3, false],
      [aggregates[0]!.code, true],
      [aggregates[1]!.code, true],
    ]);
    expect(res.body.countries[1]).toEqual({ iso3: 'AFE', iso2: null, name: 'Africa Eastern and Southern', region: null, subregion: null, isAggregate: true, hasData: false });
    const world = await get(`/api/v1/countries?include=aggregates&offset=${countries.length + aggregates.length - 1}`);
    expect(world.body.countries).toEqual([{ iso3: 'WLD', iso2: null, name: 'World', region: null, subregion: null, isAggregate: true, hasData: true }]);
  });

  it('filters by region, in any case; an unknown region is a 400', async () => {
    const res = await get('/api/v1/countries?region=europe');
    const europe = countries.filter((c) => c.region === 'Europe');
    expect(res.body.total).toBe(europe.length);
    expect(rows(res.body.countries).map((c) => c.iso3)).toEqual(europe.map((c) => c.iso3));
    const asia = await get('/api/v1/countries?region=Asia&include=aggregates');
    expect(rows(asia.body.countries).every((c) => c.region === 'Asia')).toBe(true);
    await expectError('/api/v1/countries?region=Atlantis', 400, 'VALIDATION_FAILED');
  });

  it('answers 400 for bad paging', async () => {
    for (const q of ['limit=0', 'limit=301', 'limit=ten', 'offset=-1', 'include=everything']) await expectError(`/api/v1/countries?${q}`, 400, 'VALIDATION_FAILED');
  });
});

describe('GET /api/v1/countries/{iso3}', () => {
  it("answers the profile: reference data and each indicator's latest value and year", async () => {
    const res = await get('/api/v1/countries/FRA');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-position')).toBe('100');
    expect(res.body).toEqual({
      iso3: 'FRA',
      iso2: 'FR',
      numeric: '250',
      name: 'France',
      officialName: 'French Republic',
      region: 'Europe',
      subregion: 'Western Europe',
      isAggregate: false,
      indicators: [
        { code: 'SP.POP.TOTL', name: 'Population, total', unit: 'people', category: 'population', decimals: 0, year: 2022, value: 68_000_000 },
        { code: 'SP.POP.GROW', name: 'Population growth (annual %)', unit: 'annual %', category: 'population', decimals: 2, year: 2022, value: 0.3 },
        { code: 'NY.GDP.PCAP.CD', name: 'GDP per capita (current US$)', unit: 'current US$', category: 'economy', decimals: 0, year: 2022, value: 40_886 },
      ],
    });
  });

  it('profiles aggregates, and known countries without data', async () => {
    const world = await get('/api/v1/countries/WLD');
    expect(world.body).toMatchObject({ iso3: 'WLD', name: 'World', isAggregate: true, iso2: null, region: null });
    expect(rows(world.body.indicators).map((i) => [i.code, i.year, i.value])).toEqual([
      ['SP.POP.TOTL', 2023, 8_060_000_000],
      ['SP.POP.GROW', 2023, 0.9],
      ['NY.GDP.PCAP.CD', 2022, 12_688],
    ]);
    const brazil = await get('/api/v1/countries/BRA');
    expect(brazil.status).toBe(200);
    expect(brazil.body).toMatchObject({ iso3: 'BRA', name: 'Brazil', indicators: [] });
  });

  it('answers 404 COUNTRY_NOT_FOUND for an unknown code and 400 for a malformed one', async () => {
    const res = await expectError('/api/v1/countries/XYZ', 404, 'COUNTRY_NOT_FOUND');
    expect(res.body.error.details).toEqual({ country: 'XYZ' });
    const bad = await expectError('/api/v1/countries/fra', 400, 'VALIDATION_FAILED');
    expect(bad.body.error.details).toEqual([{ path: 'params.iso3', message: expect.any(String) }]);
  });
});

describe('GET /api/v1/indicators', () => {
  it('lists the catalogue with the latest year of country data', async () => {
    const res = await get('/api/v1/indicators');
    expect(res.headers.get('x-position')).toBe(String(seededPositions.observations));
    const byCode = new Map((res.body.indicators as { code: string }[]).map((i) => [i.code, i]));
    expect(byCode.get('SP.POP.TOTL')).toEqual({
      code: 'SP.POP.TOTL',
      name: 'Population, total',
      unit: 'people',
      category: 'population',
      decimals: 0,
      description: expect.any(String),
      latestYear: 2023,
    });
    expect(byCode.get('NY.GDP.PCAP.CD')).toMatchObject({ latestYear: 2022, category: 'economy' });
    expect(byCode.get('SH.DYN.MORT')).toMatchObject({ latestYear: null, category: 'health' });
  });
});

describe('GET /api/v1/series/{iso3}/{indicator}', () => {
  it('answers the points by year with year-on-year growth in percent', async () => {
    const res = await get('/api/v1/series/DEU/SP.POP.TOTL');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-position')).toBe(String(seededPositions.series));
    expect(res.body).toEqual({
      country: 'DEU',
      countryName: 'Germany',
      indicator: 'SP.POP.TOTL',
      indicatorName: 'Population, total',
      unit: 'people',
      points: [
        { year: 2020, value: 83_000_000, growth: null },
        { year: 2021, value: 83_100_000, growth: 0.1205 },
        { year: 2022, value: 83_800_000, growth: 0.8424 },
        { year: 2023, value: 84_400_000, growth: 0.716 },
      ],
    });
  });

  it('keeps the growth of the first point of a range; a missing previous year gives null', async () => {
    const range = await get('/api/v1/series/ITA/SP.POP.TOTL?from=2022&to=2023');
    expect(range.body.points).toEqual([
      { year: 2022, value: 58_900_000, growth: -0.3384 },
      { year: 2023, value: 58_800_000, growth: -0.1698 },
    ]);
    const gap = await get('/api/v1/series/ESP/SP.POP.TOTL');
    expect(gap.body.points).toEqual([
      { year: 2021, value: 47_400_000, growth: null },
      { year: 2023, value: 48_400_000, growth: null },
    ]);
    const negative = await get('/api/v1/series/JPN/SP.POP.GROW?from=2023');
    expect(negative.body.points).toEqual([{ year: 2023, value: -0.48, growth: 4 }]);
    const world = await get('/api/v1/series/WLD/SP.POP.TOTL?to=2022');
    expect(world.body).toMatchObject({ countryName: 'World', points: [{ year: 2022, value: 7_950_000_000, growth: null }] });
  });

  it('answers an empty series for a known country and indicator without data', async () => {
    const res = await get('/api/v1/series/BRA/SH.DYN.MORT');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ country: 'BRA', indicator: 'SH.DYN.MORT', unit: 'per 1,000 live births', points: [] });
  });

  it('answers 404 for an unknown country or indicator, 400 for bad parameters', async () => {
    await expectError('/api/v1/series/XYZ/SP.POP.TOTL', 404, 'COUNTRY_NOT_FOUND');
    const unknown = await expectError('/api/v1/series/FRA/SP.FOO.BAR', 404, 'INDICATOR_NOT_FOUND');
    expect(unknown.body.error.details).toEqual({ indicator: 'SP.FOO.BAR' });
    await expectError('/api/v1/series/FRA/population', 400, 'VALIDATION_FAILED');
    await expectError('/api/v1/series/FRA/SP.POP.TOTL?from=1700', 400, 'VALIDATION_FAILED');
    await expectError('/api/v1/series/FRA/SP.POP.TOTL?to=2201', 400, 'VALIDATION_FAILED');
    await expectError('/api/v1/series/FRA/SP.POP.TOTL?from=2021.5', 400, 'VALIDATION_FAILED');
    const reversed = await expectError('/api/v1/series/FRA/SP.POP.TOTL?from=2022&to=2020', 400, 'VALIDATION_FAILED');
    expect(reversed.body.error.details).toEqual([{ path: 'querystring.to', message: '"from" must not be after "to"' }]);
  });
});

describe('GET /api/v1/rankings/{indicator}', () => {
  it('ranks countries by value, highest first, in the latest year with data; aggregates never rank', async () => {
    const res = await get('/api/v1/rankings/SP.POP.TOTL');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-position')).toBe(String(seededPositions.observations));
    expect(res.body).toEqual({
      indicator: 'SP.POP.TOTL',
      indicatorName: 'Population, total',
      unit: 'people',
      year: 2023,
      order: 'desc',
      total: 4,
      entries: [
        { rank: 1, country: 'JPN', name: 'Japan', value: 124_500_000 },
        { rank: 2, country: 'DEU', name: 'Germany', value: 84_400_000 },
        { rank: 3, country: 'ITA', name: 'Italy', value: 58_800_000 },
        { rank: 4, country: 'ESP', name: 'Spain', value: 48_400_000 },
      ],
    });
  });

  it('takes the year, the order and the limit', async () => {
    const asc = await get('/api/v1/rankings/SP.POP.TOTL?order=asc&limit=2');
    expect(asc.body).toMatchObject({ year: 2023, order: 'asc', total: 4 });
    expect(asc.body.entries).toEqual([
      { rank: 1, country: 'ESP', name: 'Spain', value: 48_400_000 },
      { rank: 2, country: 'ITA', name: 'Italy', value: 58_800_000 },
    ]);
    const y2022 = await get('/api/v1/rankings/SP.POP.TOTL?year=2022');
    expect(rows(y2022.body.entries).map((e) => e.country)).toEqual(['JPN', 'DEU', 'FRA', 'ITA']);
    const growth = await get('/api/v1/rankings/SP.POP.GROW?year=2023&order=asc');
    expect(rows(growth.body.entries).map((e) => [e.country, e.value])).toEqual([
      ['JPN', -0.48],
      ['ITA', -0.17],
      ['DEU', 0.7],
      ['ESP', 1.05],
    ]);
    const gdp = await get('/api/v1/rankings/NY.GDP.PCAP.CD');
    expect(gdp.body).toMatchObject({ year: 2022, total: 3 });
    const empty = await get('/api/v1/rankings/SP.POP.TOTL?year=1990');
    expect(empty.body).toMatchObject({ year: 1990, total: 0, entries: [] });
    const none = await get('/api/v1/rankings/SH.DYN.MORT');
    expect(none.body).toMatchObject({ year: null, total: 0, entries: [] });
  });

  it('answers 404 for an unknown indicator and 400 for bad parameters', async () => {
    await expectError('/api/v1/rankings/SP.FOO.BAR', 404, 'INDICATOR_NOT_FOUND');
    for (const q of ['limit=0', 'limit=301', 'order=up', 'year=1799', 'year=abc']) await expectError(`/api/v1/rankings/SP.POP.TOTL?${q}`, 400, 'VALIDATION_FAILED');
  });
});

describe('GET /api/v1/dashboard/{name}', () => {
  it('answers the World value and the top and bottom 5 countries of each indicator, in its latest year', async () => {
    const res = await get('/api/v1/dashboard/population');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-position')).toBe(String(seededPositions.observations));
    const entry = (rank: number, country: string, name: string, value: number) => ({ rank, country, name, value });
    expect(res.body).toEqual({
      dashboard: 'population',
      year: null,
      indicators: [
        {
          indicator: 'SP.POP.TOTL',
          indicatorName: 'Population, total',
          unit: 'people',
          decimals: 0,
          year: 2023,
          world: 8_060_000_000,
          total: 4,
          top: [entry(1, 'JPN', 'Japan', 124_500_000), entry(2, 'DEU', 'Germany', 84_400_000), entry(3, 'ITA', 'Italy', 58_800_000), entry(4, 'ESP', 'Spain', 48_400_000)],
          bottom: [entry(1, 'ESP', 'Spain', 48_400_000), entry(2, 'ITA', 'Italy', 58_800_000), entry(3, 'DEU', 'Germany', 84_400_000), entry(4, 'JPN', 'Japan', 124_500_000)],
        },
        {
          indicator: 'SP.POP.GROW',
          indicatorName: 'Population growth (annual %)',
          unit: 'annual %',
          decimals: 2,
          year: 2023,
          world: 0.9,
          total: 4,
          top: [entry(1, 'ESP', 'Spain', 1.05), entry(2, 'DEU', 'Germany', 0.7), entry(3, 'ITA', 'Italy', -0.17), entry(4, 'JPN', 'Japan', -0.48)],
          bottom: [entry(1, 'JPN', 'Japan', -0.48), entry(2, 'ITA', 'Italy', -0.17), entry(3, 'DEU', 'Germany', 0.7), entry(4, 'ESP', 'Spain', 1.05)],
        },
      ],
    });
  });

  it('uses the year asked for; indicators without data come back empty', async () => {
    const res = await get('/api/v1/dashboard/gdp?year=2022');
    expect(res.body.year).toBe(2022);
    expect(rows(res.body.indicators).map((i) => i.indicator)).toEqual(['NY.GDP.MKTP.CD', 'NY.GDP.PCAP.CD', 'NY.GDP.MKTP.KD.ZG']);
    expect(res.body.indicators[0]).toEqual({
      indicator: 'NY.GDP.MKTP.CD',
      indicatorName: 'GDP (current US$)',
      unit: 'current US$',
      decimals: 0,
      year: 2022,
      world: null,
      total: 0,
      top: [],
      bottom: [],
    });
    expect(res.body.indicators[1]).toMatchObject({ year: 2022, world: 12_688, total: 3 });
    expect(rows(res.body.indicators[1].top).map((e) => e.country)).toEqual(['DEU', 'FRA', 'ITA']);
    const population2022 = await get('/api/v1/dashboard/population?year=2022');
    expect(population2022.body.indicators[0]).toMatchObject({ year: 2022, world: 7_950_000_000, total: 4 });
    const latest = await get('/api/v1/dashboard/gdp');
    expect(latest.body.indicators[0]).toMatchObject({ year: null, world: null, total: 0 });
    expect(latest.body.indicators[1]).toMatchObject({ year: 2022 });
  });

  it('answers 404 DASHBOARD_NOT_FOUND for an unknown dashboard', async () => {
    const res = await expectError('/api/v1/dashboard/wealth', 404, 'DASHBOARD_NOT_FOUND');
    expect(res.body.error.details).toEqual({ dashboard: 'wealth' });
    await expectError('/api/v1/dashboard/population?year=3000', 400, 'VALIDATION_FAILED');
  });
});

describe('series stored in the version-1 layout (a live copy until the series v2 rebuild is swapped in)', () => {
  it('answers /series and /compare exactly as from the version-2 layout', async () => {
    const v1Store = await seededReadStore();
    // Every series document rewritten as series v1 stored it: one { year, value } per point, unsorted here on purpose.
    const stored = await v1Store.find<{ country: string; indicator: string; isAggregate: boolean; years: number[]; values: number[] }>(collections.series);
    expect(stored.length).toBeGreaterThan(5);
    await v1Store.commit(
      stored.map(({ id, position, doc: { years, values, ...rest } }) => ({
        op: 'put' as const,
        collection: collections.series,
        id,
        position: position + 1,
        doc: { ...rest, points: years.map((year, i) => ({ year, value: values[i]! })).reverse() },
      })),
      { name: 'series', position: seededPositions.series },
    );
    const { executor } = createReadSide({ readStore: v1Store, waitTimeoutMs: WAIT_TIMEOUT_MS });
    const v1App = await buildReadApp({ executor, logger: false, health: async () => ({ ok: true, details: {} }) });
    try {
      for (const path of ['/api/v1/series/DEU/SP.POP.TOTL', '/api/v1/series/ITA/SP.POP.TOTL?from=2022&to=2023', '/api/v1/compare/SP.POP.TOTL?countries=DEU,FRA,WLD,BRA&from=2021']) {
        const fromV1 = await v1App.inject({ method: 'GET', url: path });
        const fromV2 = await get(path);
        expect(fromV1.statusCode).toBe(200);
        expect(JSON.parse(fromV1.body)).toEqual(fromV2.body);
      }
    } finally {
      await v1App.close();
      await v1Store.close();
    }
  });
});

describe('GET /api/v1/compare/{indicator}', () => {
  it('answers the series of each country in the order asked, within the range', async () => {
    const res = await get('/api/v1/compare/SP.POP.TOTL?countries=DEU,FRA,WLD,BRA,DEU&from=2021&to=2022');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-position')).toBe(String(seededPositions.series));
    expect(res.body).toEqual({
      indicator: 'SP.POP.TOTL',
      indicatorName: 'Population, total',
      unit: 'people',
      series: [
        { country: 'DEU', countryName: 'Germany', points: [{ year: 2021, value: 83_100_000 }, { year: 2022, value: 83_800_000 }] },
        { country: 'FRA', countryName: 'France', points: [{ year: 2021, value: 67_500_000 }, { year: 2022, value: 68_000_000 }] },
        { country: 'WLD', countryName: 'World', points: [{ year: 2022, value: 7_950_000_000 }] },
        { country: 'BRA', countryName: 'Brazil', points: [] },
      ],
    });
  });

  it('answers 400 without countries, with more than 10 or a malformed one; 404 for unknown ones', async () => {
    await expectError('/api/v1/compare/SP.POP.TOTL', 400, 'VALIDATION_FAILED');
    await expectError('/api/v1/compare/SP.POP.TOTL?countries=', 400, 'VALIDATION_FAILED');
    const eleven = ['FRA', 'DEU', 'ITA', 'ESP', 'JPN', 'BRA', 'USA', 'CHN', 'IND', 'NGA', 'WLD'].join(',');
    await expectError(`/api/v1/compare/SP.POP.TOTL?countries=${eleven}`, 400, 'VALIDATION_FAILED');
    const bad = await expectError('/api/v1/compare/SP.POP.TOTL?countries=FRA,de', 400, 'VALIDATION_FAILED');
    expect(bad.body.error.details[0].path).toBe('querystring.countries.1');
    await expectError('/api/v1/compare/SP.POP.TOTL?countries=FRA,DEU&from=2023&to=2021', 400, 'VALIDATION_FAILED');
    await expectError('/api/v1/compare/SP.POP.TOTL?countries=FRA,XYZ', 404, 'COUNTRY_NOT_FOUND');
    await expectError('/api/v1/compare/SP.FOO.BAR?countries=FRA', 404, 'INDICATOR_NOT_FOUND');
  });
});

describe('HTTP caching', () => {
  it('sends a strong ETag (hash of the body) and Cache-Control; If-None-Match gets an empty 304', async () => {
    const first = await get('/api/v1/rankings/SP.POP.TOTL?limit=3');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=30');
    const again = await get('/api/v1/rankings/SP.POP.TOTL?limit=3');
    expect(again.headers.get('etag')).toBe(etag);

    const notModified = await get('/api/v1/rankings/SP.POP.TOTL?limit=3', { 'if-none-match': etag! });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    expect(notModified.headers.get('etag')).toBe(etag);
    expect(notModified.headers.get('x-position')).toBe(String(seededPositions.observations));
    expect((await get('/api/v1/rankings/SP.POP.TOTL?limit=3', { 'if-none-match': `"other", W/${etag!}` })).status).toBe(304);
    expect((await get('/api/v1/rankings/SP.POP.TOTL?limit=3', { 'if-none-match': '"other"' })).status).toBe(200);

    const other = await get('/api/v1/rankings/SP.POP.TOTL?limit=2');
    expect(other.headers.get('etag')).not.toBe(etag);
  });

  it('marks errors no-store, without an ETag', async () => {
    const res = await get('/api/v1/countries/XYZ');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('etag')).toBeNull();
  });
});

describe('the app', () => {
  it('describes the query paths in /openapi.json and answers /health', async () => {
    const spec = await get('/openapi.json');
    expect(Object.keys(spec.body.paths as object).sort()).toEqual([
      '/api/v1/asof',
      '/api/v1/audit/access',
      '/api/v1/audit/changes',
      '/api/v1/audit/runs',
      '/api/v1/audit/runs/{runId}',
      '/api/v1/audit/series/{iso3}/{indicator}',
      '/api/v1/compare/{indicator}',
      '/api/v1/countries',
      '/api/v1/countries/{iso3}',
      '/api/v1/dashboard/{dashboard}',
      '/api/v1/indicators',
      '/api/v1/rankings/{indicator}',
      '/api/v1/series/{iso3}/{indicator}',
    ]);
    const rankings = spec.body.paths['/api/v1/rankings/{indicator}'].get;
    expect(rows(rankings.parameters).map((p) => p.name).sort()).toEqual(['indicator', 'limit', 'minPosition', 'order', 'year']);
    expect(rankings.responses['200'].content['application/json'].schema.properties.entries).toBeDefined();
    expect((await get('/health')).body).toEqual({ ok: true, details: { readStore: { status: 'up' } } });
    expect((await get('/api/v1/nothing')).body.error.code).toBe('ROUTE_NOT_FOUND');
  });
});

describe('read-your-writes (minPosition)', () => {
  it('answers at once when the read models already reached minPosition', async () => {
    const res = await get(`/api/v1/rankings/SP.POP.TOTL?minPosition=${seededPositions.observations}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-position')).toBe(String(seededPositions.observations));
    expect((await get('/api/v1/countries/FRA?minPosition=0')).status).toBe(200);
  });

  it('waits for the projection to reach minPosition, then answers the new data', async () => {
    const started = Date.now();
    const pending = get('/api/v1/series/ESP/SP.POP.TOTL?minPosition=110');
    await new Promise((r) => setTimeout(r, 150));
    await readStore.commit(
      [
        {
          op: 'put',
          collection: collections.series,
          id: 'ESP:SP.POP.TOTL',
          doc: { country: 'ESP', indicator: 'SP.POP.TOTL', isAggregate: false, points: [{ year: 2021, value: 47_400_000 }, { year: 2022, value: 47_800_000 }, { year: 2023, value: 48_400_000 }] },
          position: 110,
        },
      ],
      { name: 'series', position: 110 },
    );
    const res = await pending;
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-position')).toBe('110');
    expect(rows(res.body.points).map((p) => p.year)).toEqual([2021, 2022, 2023]);
    expect(res.body.points[2].growth).toBe(1.2552);
  });

  it('answers 503 POSITION_NOT_REACHED when the read model does not get there in time', async () => {
    const started = Date.now();
    const res = await expectError('/api/v1/rankings/SP.POP.TOTL?minPosition=1000', 503, 'POSITION_NOT_REACHED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(WAIT_TIMEOUT_MS - 20);
    expect(res.body.error.details).toMatchObject({ projection: 'observations', minPosition: 1000, position: seededPositions.observations });
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a malformed minPosition', async () => {
    for (const q of ['minPosition=-1', 'minPosition=abc', 'minPosition=1.5']) await expectError(`/api/v1/indicators?${q}`, 400, 'VALIDATION_FAILED');
  });
});

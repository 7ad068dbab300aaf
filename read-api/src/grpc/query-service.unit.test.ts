import * as grpc from '@grpc/grpc-js';
import type { ReadStore } from '@nationpulse/ports';
import {
  ERROR_CODE_KEY,
  ERROR_DETAILS_KEY,
  QUERY_SERVICE_NAME,
  loadHealthProto,
  loadReadProto,
  type HealthCheckResponse,
  type HealthClient,
  type Input,
  type QueryServiceClient,
  type UnaryMethod,
} from '@nationpulse/protos';
import { collections, type IndicatorYearDoc } from '@nationpulse/read-models';
import { countries } from '@nationpulse/reference-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadSide } from '../composition.ts';
import { seededPositions, seededReadStore } from '../testing/read-side-fixture.ts';
import { startReadGrpcServer, type ReadGrpcServer } from './server.ts';

let readStore: ReadStore;
let server: ReadGrpcServer;
let client: QueryServiceClient;
let health: HealthClient;

/** Without the virtual properties of proto3 `optional` fields' synthetic oneofs (`_growth: 'growth'`). */
const plain = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(plain)
    : value !== null && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value).filter(([k]) => !k.startsWith('_')).map(([k, v]) => [k, plain(v)]))
      : value;

/** Promisified unary call. */
const call = <Req, Res>(method: UnaryMethod<Req, Res>, request: Input<Req>) =>
  new Promise<Res>((resolve, reject) => {
    method.call(client, request, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (error, reply) => (error ? reject(error) : resolve(plain(reply) as Res)));
  });

/** The call's failure: gRPC status, the trailers' error code and details. */
const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => expect.unreachable('the call should fail'),
    (e: unknown) => e as grpc.ServiceError,
  );
  const details = error.metadata.get(ERROR_DETAILS_KEY)[0];
  return { status: error.code, code: error.metadata.get(ERROR_CODE_KEY)[0], details: typeof details === 'string' ? (JSON.parse(details) as unknown) : undefined };
};

beforeAll(async () => {
  readStore = await seededReadStore();
  const { executor } = createReadSide({ readStore, waitTimeoutMs: 400 });
  server = await startReadGrpcServer({ host: '127.0.0.1', port: 0, executor, health: async () => ({ readstore: 'SERVING' }), shutdownTimeoutMs: 1_000 });
  const { QueryServiceClient } = loadReadProto();
  client = new QueryServiceClient(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  health = new (loadHealthProto().HealthClient)(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  health.close();
  await server.close();
  await readStore.close();
});

describe('QueryService over gRPC', () => {
  it('lists countries with paging, the total and the position', async () => {
    const res = await call(client.ListCountries, { limit: 2, offset: 0 });
    expect(res).toEqual({
      position: seededPositions['country-profiles'],
      total: countries.length,
      limit: 2,
      offset: 0,
      countries: countries.slice(0, 2).map((c) => ({ iso3: c.iso3, iso2: c.iso2, name: c.name, region: c.region, subregion: c.subregion, isAggregate: false, hasData: false })),
    });
    const world = await call(client.ListCountries, { includeAggregates: true, offset: 100_000 - 1, limit: 1 });
    expect(world.countries).toEqual([]);
    const europe = await call(client.ListCountries, { region: 'EUROPE', limit: 300 });
    expect(europe.countries.every((c) => c.region === 'Europe')).toBe(true);
  });

  it('answers a profile; null reference fields are left out', async () => {
    const france = await call(client.GetCountryProfile, { country: 'FRA' });
    expect(france).toMatchObject({ position: 100, iso3: 'FRA', iso2: 'FR', numeric: '250', name: 'France', officialName: 'French Republic', isAggregate: false });
    expect(france.indicators[0]).toEqual({ code: 'SP.POP.TOTL', name: 'Population, total', unit: 'people', category: 'population', decimals: 0, year: 2022, value: 68_000_000 });
    const world = await call(client.GetCountryProfile, { country: 'WLD' });
    expect(world).toMatchObject({ iso3: 'WLD', name: 'World', isAggregate: true });
    expect(world.iso2).toBeUndefined();
    expect(world.region).toBeUndefined();
  });

  it('lists indicators; no data means no latest_year', async () => {
    const res = await call(client.ListIndicators, {});
    expect(res.position).toBe(seededPositions.observations);
    expect(res.indicators.find((i) => i.code === 'SP.POP.TOTL')?.latestYear).toBe(2023);
    expect(res.indicators.find((i) => i.code === 'SH.DYN.MORT')).not.toHaveProperty('latestYear');
  });

  it('answers a series with growth (absent for the first point) within a range', async () => {
    const res = await call(client.GetSeries, { country: 'DEU', indicator: 'SP.POP.TOTL', toYear: 2022 });
    expect(res).toEqual({
      position: seededPositions.series,
      country: 'DEU',
      countryName: 'Germany',
      indicator: 'SP.POP.TOTL',
      indicatorName: 'Population, total',
      unit: 'people',
      points: [
        { year: 2020, value: 83_000_000 },
        { year: 2021, value: 83_100_000, growth: 0.1205 },
        { year: 2022, value: 83_800_000, growth: 0.8424 },
      ],
    });
  });

  it('ranks countries in either order, aggregates excluded', async () => {
    const desc = await call(client.GetRanking, { indicator: 'SP.POP.TOTL' });
    expect(desc).toMatchObject({ position: 103, year: 2023, order: 'RANKING_ORDER_DESC', total: 4 });
    expect(desc.entries.map((e) => e.country)).toEqual(['JPN', 'DEU', 'ITA', 'ESP']);
    const asc = await call(client.GetRanking, { indicator: 'SP.POP.TOTL', year: 2022, limit: 2, order: 'RANKING_ORDER_ASC' });
    expect(asc).toMatchObject({ year: 2022, order: 'RANKING_ORDER_ASC', total: 4 });
    expect(asc.entries).toEqual([
      { rank: 1, country: 'ITA', name: 'Italy', value: 58_900_000 },
      { rank: 2, country: 'FRA', name: 'France', value: 68_000_000 },
    ]);
    const none = await call(client.GetRanking, { indicator: 'SH.DYN.MORT' });
    expect(none).not.toHaveProperty('year');
    expect(none.entries).toEqual([]);
  });

  it('answers a dashboard and a comparison', async () => {
    const dashboard = await call(client.GetDashboard, { dashboard: 'gdp', year: 2022 });
    expect(dashboard).toMatchObject({ position: 103, dashboard: 'gdp', year: 2022 });
    expect(dashboard.indicators[0]).toMatchObject({ indicator: 'NY.GDP.MKTP.CD', year: 2022, total: 0, top: [], bottom: [] });
    expect(dashboard.indicators[0]).not.toHaveProperty('world');
    expect(dashboard.indicators[1]).toMatchObject({ indicator: 'NY.GDP.PCAP.CD', world: 12_688, total: 3 });
    expect(dashboard.indicators[1]!.bottom.map((e) => e.country)).toEqual(['ITA', 'FRA', 'DEU']);

    const compare = await call(client.CompareSeries, { indicator: 'NY.GDP.PCAP.CD', countries: ['ITA', 'WLD'], fromYear: 2022 });
    expect(compare).toEqual({
      position: seededPositions.series,
      indicator: 'NY.GDP.PCAP.CD',
      indicatorName: 'GDP per capita (current US$)',
      unit: 'current US$',
      series: [
        { country: 'ITA', countryName: 'Italy', points: [{ year: 2022, value: 34_776 }] },
        { country: 'WLD', countryName: 'World', points: [{ year: 2022, value: 12_688 }] },
      ],
    });
  });

  it('fails with the mapped status and the stable code in the trailers', async () => {
    expect(await failure(call(client.GetCountryProfile, { country: 'XYZ' }))).toEqual({ status: grpc.status.NOT_FOUND, code: 'COUNTRY_NOT_FOUND', details: { country: 'XYZ' } });
    expect(await failure(call(client.GetSeries, { country: 'FRA', indicator: 'SP.FOO.BAR' }))).toMatchObject({ status: grpc.status.NOT_FOUND, code: 'INDICATOR_NOT_FOUND' });
    expect(await failure(call(client.GetDashboard, { dashboard: 'wealth' }))).toMatchObject({ status: grpc.status.NOT_FOUND, code: 'DASHBOARD_NOT_FOUND' });
    expect(await failure(call(client.GetCountryProfile, {}))).toMatchObject({ status: grpc.status.INVALID_ARGUMENT, code: 'VALIDATION_FAILED', details: [{ path: 'country' }] });
    expect(await failure(call(client.GetSeries, { country: 'FRA', indicator: 'SP.POP.TOTL', fromYear: 2022, toYear: 2020 }))).toMatchObject({
      status: grpc.status.INVALID_ARGUMENT,
      details: [{ path: 'toYear', message: '"from" must not be after "to"' }],
    });
    expect(await failure(call(client.GetRanking, { indicator: 'SP.POP.TOTL', limit: 0 }))).toMatchObject({ status: grpc.status.INVALID_ARGUMENT, details: [{ path: 'limit' }] });
    expect(await failure(call(client.CompareSeries, { indicator: 'SP.POP.TOTL', countries: [] }))).toMatchObject({ status: grpc.status.INVALID_ARGUMENT, details: [{ path: 'countries' }] });
  });

  it('honours min_position: waits for the projection, or answers UNAVAILABLE POSITION_NOT_REACHED', async () => {
    expect(await failure(call(client.GetRanking, { indicator: 'SP.POP.TOTL', minPosition: 1_000 }))).toMatchObject({
      status: grpc.status.UNAVAILABLE,
      code: 'POSITION_NOT_REACHED',
      details: { projection: 'observations', minPosition: 1_000, position: seededPositions.observations },
    });
    const pending = call(client.GetRanking, { indicator: 'SP.POP.TOTL', minPosition: 120 });
    await new Promise((r) => setTimeout(r, 100));
    const stored = (await readStore.get<IndicatorYearDoc>(collections.indicatorYears, 'SP.POP.TOTL:2023'))!.doc;
    const doc: IndicatorYearDoc = { ...stored, countries: { ...stored.countries, FRA: 68_400_000 }, countryCount: stored.countryCount + 1 };
    await readStore.commit([{ op: 'put', collection: collections.indicatorYears, id: 'SP.POP.TOTL:2023', doc: { ...doc }, position: 120 }], { name: 'observations', position: 120 });
    const res = await pending;
    expect(res.position).toBe(120);
    expect(res.entries.map((e) => e.country)).toEqual(['JPN', 'DEU', 'FRA', 'ITA', 'ESP']);
  });

  it('serves grpc.health.v1 for the QueryService', async () => {
    const check = (service: string) =>
      new Promise<HealthCheckResponse>((resolve, reject) => health.Check({ service }, (e, r) => (e ? reject(e) : resolve(r!))));
    expect(await check(QUERY_SERVICE_NAME)).toEqual({ status: 'SERVING' });
    expect(await check('')).toEqual({ status: 'SERVING' });
  });
});

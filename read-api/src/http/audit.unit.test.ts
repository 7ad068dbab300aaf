import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import type { DocumentWrite, ReadStore } from '@nationpulse/ports';
import { changeLogProjection, collections, type ChangeLogEntry, type ChangeSetDoc, type IngestionRunDoc } from '@nationpulse/read-models';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadSide } from '../composition.ts';
import { buildReadApp } from './app.ts';

const WAIT_TIMEOUT_MS = 300;
const POP = 'SP.POP.TOTL';
const GDP = 'NY.GDP.PCAP.CD';

let readStore: ReadStore;
let app: FastifyInstance;
let base: string;

const get = async (path: string) => {
  const res = await fetch(`${base}${path}`);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
};
const expectError = async (path: string, status: number, code: string) => {
  const res = await get(path);
  expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status, code });
};

type Change = Omit<ChangeLogEntry, 'country' | 'indicator' | 'source' | 'actor' | 'kind' | 'reason'> &
  Partial<Pick<ChangeLogEntry, 'source' | 'actor' | 'kind' | 'reason'>> & { country?: string; indicator?: string };
const change = (c: Change): ChangeLogEntry => ({ country: 'FRA', indicator: POP, source: 'worldbank', actor: 'system', kind: 'ingested', reason: null, ...c });

const changes: ChangeLogEntry[] = [
  change({ year: 2021, value: 67_500_000, previous: null, runId: 'run-1', at: '2024-01-10T10:00:05.000Z', eventId: 'ev-10', position: 10 }),
  change({ year: 2022, value: 68_000_000, previous: null, runId: 'run-1', at: '2024-01-10T10:00:05.000Z', eventId: 'ev-10', position: 10 }),
  change({ country: 'DEU', year: 2022, value: 83_800_000, previous: null, runId: 'run-1', at: '2024-01-10T10:00:06.000Z', eventId: 'ev-11', position: 11 }),
  change({ indicator: GDP, year: 2022, value: 40_886, previous: null, runId: 'run-1', at: '2024-01-10T10:00:07.000Z', eventId: 'ev-12', position: 12 }),
  change({ year: 2022, value: 68_100_000, previous: 68_000_000, runId: 'run-2', at: '2024-03-01T10:00:05.000Z', eventId: 'ev-20', position: 20 }),
  change({ year: 2023, value: 68_300_000, previous: null, runId: 'run-2', at: '2024-03-01T10:00:05.000Z', eventId: 'ev-20', position: 20 }),
  change({
    year: 2023,
    value: 68_250_000,
    previous: 68_300_000,
    kind: 'corrected',
    source: 'correction',
    runId: null,
    reason: 'Revised census estimate',
    actor: 'analyst-1',
    at: '2024-04-15T09:00:00.000Z',
    eventId: 'ev-30',
    position: 30,
  }),
];

const run = (r: Partial<IngestionRunDoc> & Pick<IngestionRunDoc, 'runId' | 'startedAt'>): IngestionRunDoc => ({
  source: 'worldbank',
  dataset: 'wdi',
  trigger: 'schedule',
  actor: 'system',
  parameters: { indicators: 'all' },
  status: 'completed',
  finishedAt: null,
  rowsRead: null,
  rowsChanged: null,
  rowsUnchanged: null,
  rowsRejected: null,
  seriesChanged: null,
  rejected: [],
  failureReason: null,
  durationMs: null,
  ...r,
});
const runs: IngestionRunDoc[] = [
  run({ runId: 'run-1', startedAt: '2024-01-10T10:00:00.000Z', finishedAt: '2024-01-10T10:00:10.000Z', durationMs: 10_000, rowsRead: 4, rowsChanged: 4, rowsUnchanged: 0, rowsRejected: 0, seriesChanged: 3 }),
  run({
    runId: 'run-2',
    startedAt: '2024-03-01T10:00:00.000Z',
    finishedAt: '2024-03-01T10:00:09.000Z',
    trigger: 'manual',
    actor: 'admin',
    parameters: { indicators: POP, force: true },
    durationMs: 9_000,
    rowsRead: 4,
    rowsChanged: 2,
    rowsUnchanged: 1,
    rowsRejected: 1,
    seriesChanged: 1,
    rejected: [{ row: 7, reason: 'value is not a number', raw: 'FRA,2023,abc' }],
  }),
];

/** An entry as the audit routes answer it. */
const entry = (c: ChangeLogEntry) => {
  const { eventId: _e, ...rest } = c;
  return rest;
};
const historyEntry = (c: ChangeLogEntry) => {
  const { eventId: _e, country: _c, indicator: _i, ...rest } = c;
  return rest;
};
const [fra2021, fra2022, deu2022, fraGdp2022, fra2022b, fra2023, fra2023corrected] = changes as [ChangeLogEntry, ChangeLogEntry, ChangeLogEntry, ChangeLogEntry, ChangeLogEntry, ChangeLogEntry, ChangeLogEntry];

beforeAll(async () => {
  readStore = createSqliteReadStore({ path: ':memory:' });
  for (const { name, indexes } of changeLogProjection.collections) for (const fields of indexes) await readStore.ensureIndex(name, fields);
  await readStore.ensureIndex(collections.ingestionRuns, ['startedAt']);
  // The entries as the change log stores them: one change set per event.
  const sets = new Map<string, ChangeSetDoc>();
  for (const { year, value, previous, ...context } of changes) {
    const set = sets.get(context.eventId);
    const changed = [...(set?.changes ?? []), [year, value, previous] as const];
    sets.set(context.eventId, { ...context, changes: changed, changeCount: changed.length });
  }
  const changeWrites: DocumentWrite[] = [...sets.values()].map((set) => ({ op: 'put', collection: collections.changeSets, id: set.eventId, doc: { ...set }, position: set.position }));
  const runWrites: DocumentWrite[] = runs.map((r, i) => ({ op: 'put', collection: collections.ingestionRuns, id: r.runId, doc: { ...r }, position: 15 + i * 10 }));
  await readStore.commit(changeWrites, { name: 'change-log', position: 30 });
  await readStore.commit(runWrites, { name: 'ingestion-runs', position: 25 });
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

describe('GET /api/v1/audit/series/{iso3}/{indicator}', () => {
  it('answers the history of every year of a series, by year then position, with previous values and the correction', async () => {
    const res = await get(`/api/v1/audit/series/FRA/${POP}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-position')).toBe('30');
    expect(res.body).toEqual({ country: 'FRA', indicator: POP, entries: [fra2021, fra2022, fra2022b, fra2023, fra2023corrected].map(historyEntry) });
  });

  it("answers one year's history", async () => {
    const res = await get(`/api/v1/audit/series/FRA/${POP}?year=2023`);
    expect(res.body.entries).toEqual([
      { year: 2023, value: 68_300_000, previous: null, kind: 'ingested', source: 'worldbank', runId: 'run-2', reason: null, actor: 'system', at: '2024-03-01T10:00:05.000Z', position: 20 },
      { year: 2023, value: 68_250_000, previous: 68_300_000, kind: 'corrected', source: 'correction', runId: null, reason: 'Revised census estimate', actor: 'analyst-1', at: '2024-04-15T09:00:00.000Z', position: 30 },
    ]);
  });

  it('answers no entries for a series without changes; 404 for an unknown indicator; 400 for a bad year', async () => {
    expect((await get(`/api/v1/audit/series/BRA/${POP}`)).body).toEqual({ country: 'BRA', indicator: POP, entries: [] });
    expect((await get(`/api/v1/audit/series/FRA/${POP}?year=1999`)).body.entries).toEqual([]);
    await expectError('/api/v1/audit/series/FRA/XX.NOT.REAL', 404, 'INDICATOR_NOT_FOUND');
    await expectError(`/api/v1/audit/series/FRA/${POP}?year=abc`, 400, 'VALIDATION_FAILED');
  });
});

describe('GET /api/v1/audit/runs', () => {
  it('lists runs newest first, with counts and status, paginated', async () => {
    const res = await get('/api/v1/audit/runs');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-position')).toBe('25');
    expect(res.body.total).toBe(2);
    expect((res.body.runs as { runId: string }[]).map((r) => r.runId)).toEqual(['run-2', 'run-1']);
    expect(res.body.runs[0]).toEqual({
      runId: 'run-2',
      source: 'worldbank',
      dataset: 'wdi',
      trigger: 'manual',
      actor: 'admin',
      status: 'completed',
      startedAt: '2024-03-01T10:00:00.000Z',
      finishedAt: '2024-03-01T10:00:09.000Z',
      durationMs: 9_000,
      rowsRead: 4,
      rowsChanged: 2,
      rowsUnchanged: 1,
      rowsRejected: 1,
      seriesChanged: 1,
      failureReason: null,
    });
    const page = await get('/api/v1/audit/runs?limit=1&offset=1');
    expect(page.body).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect((page.body.runs as { runId: string }[]).map((r) => r.runId)).toEqual(['run-1']);
    await expectError('/api/v1/audit/runs?limit=0', 400, 'VALIDATION_FAILED');
  });

  it('details a run: rejected rows and its changes by position, with their total', async () => {
    const res = await get('/api/v1/audit/runs/run-2');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-position')).toBe('25');
    expect(res.body).toMatchObject({ runId: 'run-2', status: 'completed', parameters: { indicators: POP, force: true }, changesTotal: 2 });
    expect(res.body.rejected).toEqual([{ row: 7, reason: 'value is not a number', raw: 'FRA,2023,abc' }]);
    expect(res.body.changes).toEqual([fra2022b, fra2023].map(entry));
    const first = await get('/api/v1/audit/runs/run-1');
    expect(first.body).toMatchObject({ rejected: [], changesTotal: 4 });
    expect(first.body.changes).toEqual([fra2021, fra2022, deu2022, fraGdp2022].map(entry));
  });

  it('answers 404 RUN_NOT_FOUND for an unknown run', async () => {
    await expectError('/api/v1/audit/runs/run-404', 404, 'RUN_NOT_FOUND');
  });
});

describe('GET /api/v1/audit/changes', () => {
  const newestFirst = [fra2023corrected, fra2023, fra2022b, fraGdp2022, deu2022, fra2022, fra2021];

  it('lists every data change newest first when no window is given', async () => {
    const res = await get('/api/v1/audit/changes');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-position')).toBe('30');
    expect(res.body).toEqual({ total: 7, limit: 50, offset: 0, changes: newestFirst.map(entry) });
  });

  it('filters by a time window (bounds included, any offset), with pagination and total', async () => {
    const window = 'from=2024-01-10T10:00:06Z&to=2024-03-01T11:00:05%2B01:00';
    const res = await get(`/api/v1/audit/changes?${window}`);
    expect(res.body).toMatchObject({ total: 4 });
    expect(res.body.changes).toEqual([fra2023, fra2022b, fraGdp2022, deu2022].map(entry));
    const page = await get(`/api/v1/audit/changes?${window}&limit=2&offset=1`);
    expect(page.body).toEqual({ total: 4, limit: 2, offset: 1, changes: [fra2022b, fraGdp2022].map(entry) });
    expect((await get('/api/v1/audit/changes?from=2024-04-15T09:00:00.001Z')).body).toMatchObject({ total: 0, changes: [] });
    expect((await get('/api/v1/audit/changes?to=2024-01-10T10:00:05Z')).body.changes).toEqual([fra2022, fra2021].map(entry));
  });

  it('filters by source and by actor', async () => {
    const corrections = await get('/api/v1/audit/changes?source=correction');
    expect(corrections.body).toEqual({ total: 1, limit: 50, offset: 0, changes: [entry(fra2023corrected)] });
    const system = await get('/api/v1/audit/changes?actor=system&limit=2');
    expect(system.body).toEqual({ total: 6, limit: 2, offset: 0, changes: [fra2023, fra2022b].map(entry) });
    expect((await get('/api/v1/audit/changes?actor=analyst-1&source=worldbank')).body).toMatchObject({ total: 0, changes: [] });
  });

  it('answers 400 for bad instants and for from after to', async () => {
    for (const q of ['from=yesterday', 'to=2024-13-01T00:00:00Z', 'from=2024-01-01', 'from=2024-01-01T00:00:00', 'from=2024-03-01T00:00:00Z&to=2024-02-01T00:00:00Z', 'limit=301']) {
      await expectError(`/api/v1/audit/changes?${q}`, 400, 'VALIDATION_FAILED');
    }
  });

  it('waits for the change log to reach minPosition', async () => {
    expect((await get('/api/v1/audit/changes?minPosition=30')).status).toBe(200);
    await expectError('/api/v1/audit/changes?minPosition=31', 503, 'POSITION_NOT_REACHED');
  });
});

describe('GET /api/v1/asof', () => {
  const asOf = async (at: string) => {
    const res = await get(`/api/v1/asof?country=FRA&at=${encodeURIComponent(at)}`);
    expect(res.status).toBe(200);
    return res.body;
  };

  it("answers each indicator's latest known year and value at the instant", async () => {
    expect(await asOf('2024-02-01T00:00:00Z')).toEqual({
      country: 'FRA',
      at: '2024-02-01T00:00:00.000Z',
      indicators: [
        { indicator: GDP, year: 2022, value: 40_886 },
        { indicator: POP, year: 2022, value: 68_000_000 },
      ],
    });
    expect((await asOf('2024-01-10T10:00:05Z')).indicators).toEqual([{ indicator: POP, year: 2022, value: 68_000_000 }]);
    expect((await asOf('2023-12-31T23:59:59Z')).indicators).toEqual([]);
  });

  it('answers the old value before the correction and the corrected one from its instant on', async () => {
    expect((await asOf('2024-04-15T08:59:59.999Z')).indicators).toContainEqual({ indicator: POP, year: 2023, value: 68_300_000 });
    expect((await asOf('2024-04-15T11:00:00+02:00')).indicators).toContainEqual({ indicator: POP, year: 2023, value: 68_250_000 });
    expect((await asOf('2030-01-01T00:00:00Z')).indicators).toEqual([
      { indicator: GDP, year: 2022, value: 40_886 },
      { indicator: POP, year: 2023, value: 68_250_000 },
    ]);
  });

  it('answers 400 for a bad or missing instant or country, 404 for an unknown country', async () => {
    for (const q of ['country=FRA', 'country=FRA&at=now', 'country=FRA&at=2024-02-30T00:00:00Z', 'at=2024-01-01T00:00:00Z', 'country=fr&at=2024-01-01T00:00:00Z']) {
      await expectError(`/api/v1/asof?${q}`, 400, 'VALIDATION_FAILED');
    }
    await expectError('/api/v1/asof?country=XYZ&at=2024-01-01T00:00:00Z', 404, 'COUNTRY_NOT_FOUND');
  });
});

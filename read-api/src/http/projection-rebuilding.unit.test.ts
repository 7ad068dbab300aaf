import type { ReadStore } from '@nationpulse/ports';
import { changeLogProjection, observationsProjection, PROJECTION_STATE_COLLECTION, seriesProjection, type ProjectionStateDoc } from '@nationpulse/read-models';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadSide } from '../composition.ts';
import { seededPositions, seededReadStore } from '../testing/read-side-fixture.ts';
import { buildReadApp } from './app.ts';

let readStore: ReadStore;
let app: FastifyInstance;
let statePosition = 1_000;

/** Records a projection's state as the projector does. */
const record = async (name: string, state: Pick<ProjectionStateDoc, 'version' | 'status' | 'rebuildVersion' | 'liveFrozen'>) => {
  const doc: ProjectionStateDoc = { name, ...state, swapPosition: null, updatedAt: '2026-01-01T00:00:00.000Z' };
  const position = ++statePosition;
  await readStore.commit([{ op: 'put', collection: PROJECTION_STATE_COLLECTION, id: name, doc, position }], { name: `${PROJECTION_STATE_COLLECTION}:${name}`, position });
};

const get = async (path: string) => {
  const res = await app.inject({ method: 'GET', url: path });
  return { status: res.statusCode, headers: res.headers, body: res.json<Record<string, any>>() };
};

beforeAll(async () => {
  readStore = await seededReadStore();
  const { executor } = createReadSide({ readStore, waitTimeoutMs: 200 });
  app = await buildReadApp({ executor, logger: false, health: async () => ({ ok: true, details: {} }) });
});
afterAll(async () => {
  await app.close();
  await readStore.close();
});

describe('a read model whose live copy is of another version (an upgrade rebuilding it)', () => {
  it('answers 503 PROJECTION_REBUILDING with Retry-After instead of empty rankings and audit, and serves again after the swap', async () => {
    await record(seriesProjection.name, { version: seriesProjection.version, status: 'live', rebuildVersion: null, liveFrozen: false });
    await record(observationsProjection.name, { version: 1, status: 'rebuilding', rebuildVersion: observationsProjection.version, liveFrozen: true });
    await record(changeLogProjection.name, { version: 1, status: 'rebuilding', rebuildVersion: changeLogProjection.version, liveFrozen: true });

    const rankings = await get('/api/v1/rankings/SP.POP.TOTL?year=2022');
    expect(rankings.status).toBe(503);
    expect(rankings.body.error).toMatchObject({
      code: 'PROJECTION_REBUILDING',
      details: { projection: 'observations', servedVersion: 1, expectedVersion: observationsProjection.version },
    });
    expect(rankings.headers['retry-after']).toBe('5');
    const audit = await get('/api/v1/audit/changes');
    expect(audit.status).toBe(503);
    expect(audit.body.error.code).toBe('PROJECTION_REBUILDING');
    expect(audit.headers['retry-after']).toBe('5');

    // A read model of the version this code reads keeps serving meanwhile.
    const series = await get('/api/v1/series/FRA/SP.POP.TOTL');
    expect(series.status).toBe(200);
    expect(series.headers['x-position']).toBe(String(seededPositions.series));

    // The swap records the new version: the rankings are served from it.
    await record(observationsProjection.name, { version: observationsProjection.version, status: 'live', rebuildVersion: null, liveFrozen: false });
    const after = await get('/api/v1/rankings/SP.POP.TOTL?year=2022');
    expect(after.status).toBe(200);
    expect(after.body.entries.length).toBe(4);
  });

  it('keeps serving a read model whose earlier version its readers still read (series v1 during the v2 upgrade), and no other', async () => {
    expect(seriesProjection.readableEarlierVersions).toEqual([1]);
    await record(seriesProjection.name, { version: 1, status: 'rebuilding', rebuildVersion: seriesProjection.version, liveFrozen: true });
    expect((await get('/api/v1/series/FRA/SP.POP.TOTL')).status).toBe(200);
    expect((await get('/api/v1/compare/SP.POP.TOTL?countries=FRA,DEU')).status).toBe(200);
    // A version it does not read (a future or unknown layout) is not served.
    await record(seriesProjection.name, { version: 3, status: 'rebuilding', rebuildVersion: seriesProjection.version, liveFrozen: true });
    const series = await get('/api/v1/series/FRA/SP.POP.TOTL');
    expect(series.status).toBe(503);
    expect(series.body.error).toMatchObject({ code: 'PROJECTION_REBUILDING', details: { projection: 'series', servedVersion: 3, expectedVersion: seriesProjection.version } });
    await record(seriesProjection.name, { version: seriesProjection.version, status: 'live', rebuildVersion: null, liveFrozen: false });
  });

  it('serves as before when an operator rebuilds the same version (the live copy is current)', async () => {
    await record(observationsProjection.name, { version: observationsProjection.version, status: 'rebuilding', rebuildVersion: observationsProjection.version, liveFrozen: false });
    const rankings = await get('/api/v1/rankings/SP.POP.TOTL?year=2022');
    expect(rankings.status).toBe(200);
    expect(rankings.body.entries.length).toBe(4);
  });
});

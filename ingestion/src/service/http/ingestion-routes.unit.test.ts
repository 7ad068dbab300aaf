import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunnerFixture, writeCsvFolder } from '../testing/service-fixture.ts';
import { buildIngestionApp } from './app.ts';

let f: Awaited<ReturnType<typeof createRunnerFixture>>;
let app: FastifyInstance;
beforeAll(async () => {
  f = await createRunnerFixture();
  writeCsvFolder(f.root, 'wdi', ['SP.POP.TOTL', 'SP.POP.GROW'], 150, 24);
  app = await buildIngestionApp({ runner: f.runner, authorize: f.authorize, logger: false, bodyLimitBytes: 16 * 1024, health: async () => ({ ok: true, details: {} }) });
});
afterAll(async () => {
  await app.close();
  await f.close();
});

const post = (body: unknown, token: string | null = f.admin.token) =>
  app.inject({ method: 'POST', url: '/api/v1/ingestions', payload: body as object, headers: token ? { authorization: token } : {} });

describe('POST /api/v1/ingestions', () => {
  it('refuses an anonymous caller (401) and one without ingestion:trigger (403)', async () => {
    const anonymous = await post({ kind: 'world-bank-csv', path: 'wdi' }, null);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('TOKEN_MISSING');
    const viewer = await post({ kind: 'world-bank-csv', path: 'wdi' }, f.viewer.token);
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json().error).toMatchObject({ code: 'PERMISSION_DENIED', details: { permission: 'ingestion:trigger' } });
  });

  it.each([
    ['no kind', { path: 'wdi' }],
    ['an unknown kind', { kind: 'ftp', path: 'wdi' }],
    ['no path', { kind: 'world-bank-csv' }],
    ['an empty path', { kind: 'world-bank-csv', path: '' }],
    ['a bad indicator', { kind: 'world-bank-csv', path: 'wdi/sp.pop.totl/data.csv', indicator: 'DROP TABLE' }],
    ['an unknown field', { kind: 'world-bank-csv', path: 'wdi', extra: true }],
    ['an unknown indicator for the World Bank API', { kind: 'world-bank-api', indicators: ['NOT.AN.INDICATOR'] }],
    ['an OECD dataflow without its indicator mapping', { kind: 'oecd-sdmx', dataflow: 'OECD.SDD.NAD,DSD_NASEC10@DF_TABLE12,1.1' }],
  ])('answers 400 VALIDATION_FAILED for a spec with %s, starting nothing', async (_label, body) => {
    const head = await f.eventStore.headPosition();
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(await f.eventStore.headPosition()).toBe(head);
  });

  it('answers 400 SOURCE_PATH_NOT_ALLOWED for a path outside the file root', async () => {
    const res = await post({ kind: 'world-bank-csv', path: '../../../etc' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('SOURCE_PATH_NOT_ALLOWED');
  });

  it('starts a run (202, runId, position, Location), answers 409 INGESTION_RUNNING to a second trigger meanwhile, and shows its live progress', async () => {
    const [first, second] = await Promise.all([post({ kind: 'world-bank-csv', path: 'wdi' }), post({ kind: 'world-bank-csv', path: 'wdi' })]);
    const [accepted, refused] = first.statusCode === 202 ? [first, second] : [second, first];
    expect(accepted.statusCode).toBe(202);
    const body = accepted.json();
    expect(body).toMatchObject({ dataset: 'world-bank-csv:WDI', status: 'running' });
    expect(body.position).toBeGreaterThan(0);
    expect(accepted.headers['x-position']).toBe(String(body.position));
    expect(accepted.headers.location).toBe(`/api/v1/ingestions/${body.runId}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'INGESTION_RUNNING', details: { dataset: 'world-bank-csv:WDI' } });

    let run = (await app.inject({ url: `/api/v1/ingestions/${body.runId}`, headers: { authorization: f.admin.token } })).json();
    expect(run).toMatchObject({ runId: body.runId, trigger: 'manual', actor: f.admin.userId });
    const deadline = Date.now() + 30_000;
    while (run.status === 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      run = (await app.inject({ url: `/api/v1/ingestions/${body.runId}`, headers: { authorization: f.admin.token } })).json();
    }
    expect(run).toMatchObject({ status: 'completed', progress: { percent: 100 }, summary: { rowsRead: 2 * 150 * 24, rowsRejected: 0 } });
    expect(run.position).toBeGreaterThan(body.position);
  });

  it('answers 404 RUN_NOT_FOUND for a run this instance does not know, and 401 without a token', async () => {
    const unknown = await app.inject({ url: '/api/v1/ingestions/nope', headers: { authorization: f.admin.token } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('RUN_NOT_FOUND');
    expect((await app.inject({ url: '/api/v1/ingestions/nope' })).statusCode).toBe(401);
  });

  it('documents both routes in the OpenAPI document', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/ingestions', '/api/v1/ingestions/{runId}']));
  });
});

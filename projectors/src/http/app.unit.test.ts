import { createMetricsRegistry } from '@nationpulse/platform';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProjectorMetrics } from '../metrics.ts';
import { createProjectionManager, type ProjectionManager } from '../runner/projection-manager.ts';
import { eventually, seedObservations, tallyProjection } from '../testing/fixtures.ts';
import { buildProjectorsApp } from './app.ts';

const eventStore = createSqliteEventStore({ path: ':memory:' });
const readStore = createSqliteReadStore({ path: ':memory:' });
let manager: ProjectionManager;
let app: Awaited<ReturnType<typeof buildProjectorsApp>>;

beforeAll(async () => {
  await seedObservations(eventStore, ['FRA', 'DEU'], [2000, 2001], 2);
  const metrics = createProjectorMetrics(createMetricsRegistry('projectors'), () => manager);
  manager = createProjectionManager({ eventStore, readStore, projections: [tallyProjection()], clock: { now: () => new Date() }, onProgress: (p) => metrics.onProgress(p) });
  await manager.start();
  app = await buildProjectorsApp({ manager, metrics: metrics.registry, logger: false, health: async () => ({ ok: true, details: {} }) });
  const head = await eventStore.headPosition();
  await eventually(async () => (await manager.status())[0]?.position === head);
});
afterAll(async () => {
  await app.close();
  await manager.stop();
});

describe('projectors ops endpoints', () => {
  it('lists projections with version, status, position and lag', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/ops/projections' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ projections: [expect.objectContaining({ name: 'tally', version: 1, status: 'live', position: 4, head: 4, lag: 0, rebuild: null })] });
  });

  it('starts a rebuild (202) and reports it live again afterwards', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/ops/projections/tally/rebuild' });
    expect(res.statusCode).toBe(202);
    await eventually(async () => (await manager.status())[0]?.status === 'live' && (await readStore.listCollections('tally__shadow')).length === 0);
  });

  it('answers 404 with a stable code for an unknown projection', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/ops/projections/nope/rebuild' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'PROJECTION_NOT_FOUND' } });
  });

  it('exposes position, lag and events projected as Prometheus metrics', async () => {
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/nationpulse_projection_position\{(?=[^}]*service="projectors")[^}]*projection="tally"[^}]*\} 4/);
    expect(res.body).toMatch(/nationpulse_projection_lag_positions\{(?=[^}]*service="projectors")[^}]*projection="tally"[^}]*\} 0/);
    // The ops requests above were measured too.
    expect(res.body).toMatch(/nationpulse_http_request_duration_seconds_count\{service="projectors",method="GET",route="\/api\/v1\/ops\/projections",status_code="200"\} \d+/);
    expect(res.body).toMatch(/nationpulse_projection_events_total\{(?=[^}]*service="projectors")[^}]*projection="tally",copy="live"[^}]*\} 4/);
  });
});

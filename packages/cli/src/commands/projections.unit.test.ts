import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiError, startFakeGateway, type FakeGateway, type Reply } from '../testing/fake-gateway.ts';
import { projectionStatus } from '../testing/fixtures.ts';
import { manualClock, runNationpulse } from '../testing/run-cli.ts';

let gateway: FakeGateway;
let env: Record<string, string>;
/** What GET /api/v1/ops/projections answers after the rebuild starts, one state per poll; the last one repeats. */
let timeline: Record<string, unknown>[];
let started: boolean;

beforeEach(async () => {
  gateway = await startFakeGateway();
  env = { NATIONPULSE_URL: gateway.url, NATIONPULSE_TOKEN: 'ops-token' };
  started = false;
  gateway.route('POST', '/api/v1/ops/projections/:name/rebuild', (_req, { name }): Reply => {
    if (name !== 'series') return apiError(404, 'PROJECTION_NOT_FOUND', `No projection ${name}`);
    started = true;
    return { status: 202, json: { projection: name, status: 'rebuilding' } };
  });
  gateway.route('GET', '/api/v1/ops/projections', () => {
    const series = started ? (timeline.length > 1 ? timeline.shift()! : timeline[0]!) : projectionStatus();
    return { json: { projections: [projectionStatus({ name: 'country-profiles', version: 1 }), projectionStatus(series)] } };
  });
});
afterEach(() => gateway.close());

const rebuilding = (position: number, eventsPerSecond: number, etaSeconds: number | null) => ({
  status: 'rebuilding',
  rebuild: { version: 2, position, target: 1000, eventsPerSecond, etaSeconds },
  head: 1000,
  position: 1000,
});

describe('nationpulse projections --remote', () => {
  it('rebuilds with a progress bar (position/head, events/s, ETA) until the projection is live again', async () => {
    timeline = [rebuilding(0, 0, null), rebuilding(250, 500, 1.5), rebuilding(700, 520, 0.6), { status: 'swapping', rebuild: { version: 2, position: 1000, target: 1000, eventsPerSecond: 510, etaSeconds: 0 } }, { position: 1000, head: 1000 }];
    const run = await runNationpulse(['projections', 'rebuild', 'series', '--remote'], { env, clock: manualClock() });
    expect(run.code).toBe(0);
    expect(gateway.requests.filter((r) => r.method === 'POST').map((r) => [r.path, r.headers.authorization])).toEqual([['/api/v1/ops/projections/series/rebuild', 'Bearer ops-token']]);
    expect(gateway.requests.filter((r) => r.method === 'GET')).toHaveLength(5);
    // Off a terminal the bar prints a line when it starts and when it ends.
    const bar = run.stderr.trimEnd().split('\n');
    expect(bar[0]).toMatch(/^ rebuild series \|[░ ]+\| 0% \| position 0\/1000 \| 0 ev\/s \| ETA \?$/);
    expect(bar.at(-1)).toMatch(/^ rebuild series \|█+\| 100% \| position 1000\/1000 \| - ev\/s \| ETA 0 s$/);
    expect(run.stdout).toBe('series rebuilt and live at position 1,000 (v2, 2.0 s)\n');
  });

  it('counts a rebuild that finished between two polls as done once the projection stays live', async () => {
    timeline = [{ position: 1000, head: 1000 }];
    const run = await runNationpulse(['projections', 'rebuild', 'series', '--remote'], { env, clock: manualClock() });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^series rebuilt and live at position 1,000 \(v2, 2\.0 s\)\n$/);
  });

  it('fails with the projection error when the rebuild fails (exit 1)', async () => {
    timeline = [rebuilding(100, 50, 18), { status: 'failed', error: 'read store unavailable', rebuild: null }];
    const run = await runNationpulse(['projections', 'rebuild', 'series', '--remote'], { env, clock: manualClock() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('REBUILD_FAILED: The rebuild of series failed: read store unavailable\n');
  });

  it('reports an unknown projection with the API code (exit 1)', async () => {
    const run = await runNationpulse(['projections', 'rebuild', 'nope', '--remote'], { env });
    expect(run).toMatchObject({ code: 1, stderr: 'PROJECTION_NOT_FOUND: No projection nope\n' });
  });

  it('prints the status table, and keeps refreshing it with --watch until interrupted', async () => {
    const once = await runNationpulse(['projections', 'status', '--remote'], { env });
    expect(once.code).toBe(0);
    expect(once.stdout.split('\n').slice(0, 4)).toEqual([
      'PROJECTION        VERSION  STATUS  POSITION  HEAD  LAG  REBUILD',
      '----------------  -------  ------  --------  ----  ---  -------',
      'country-profiles       v1  live         100   100    0',
      'series                 v2  live         100   100    0',
    ]);

    const interrupt = new AbortController();
    const clock = manualClock();
    let sleeps = 0;
    const watching = await runNationpulse(['projections', 'status', '--remote', '--watch', '--interval', '5'], {
      env,
      signal: interrupt.signal,
      clock: { now: clock.now, sleep: async (ms) => ((sleeps += 1) === 3 ? interrupt.abort() : await clock.sleep(ms)) },
    });
    expect(watching.code).toBe(0);
    expect(watching.stdout.match(/^PROJECTION /gm)).toHaveLength(3);
    expect(watching.stdout).toContain('2026-05-01 12:00:10Z\n');
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { freePort, waitForHealthWhileRunning } from '@nationpulse/platform/testing';
import { appendWdiHistory, loadWdiSeries } from '../fixtures/wdi-history.ts';
import { GC_MS, STALL_MS, type ProbeReport } from '../load/event-loop-probe.ts';
import { createRecorder, every, percentile, runMixedWorkload, type RouteSpec } from '../load/mixed-workload.ts';
import type { BenchContext, Row } from '../types.ts';

export const name = 'load';
export const description =
  'Sustained mixed workload on the embedded platform (`npm start` as its own process, SQLite stores): 16 clients (NATIONPULSE_LOAD_CONNECTIONS) sending reads across every read route through the gateway (authenticated, parameters drawn at random), while corrections (4/s, each read back with minPosition), report requests (1 every 2 s) and ingestions (one triggered every 5 s) run, for a fixed time (NATIONPULSE_LOAD_SECONDS, default 30) at 1×, 2× and 4× the World Bank snapshot (the copies under synthetic country codes; NATIONPULSE_LOAD_SCALES). Projection lag: from a correction’s acknowledgement until a read with its position as minPosition answers.';

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
const USER = { username: 'bench', password: 'a long benchmark password' };
/** Closed-loop read clients (NATIONPULSE_LOAD_CONNECTIONS; fewer leave the loop idle at times, so stalls show). */
const connections = () => Number(process.env['NATIONPULSE_LOAD_CONNECTIONS'] ?? 16);
const READ_P99_TARGET_MS = 100;
const LAG_TARGET_MS = 1000;

type Series = ReturnType<typeof loadWdiSeries>['series'][number];

/** The snapshot `scale` times: copy k of every series under a synthetic country code (never a real ISO3 of the data). */
const scaled = (series: readonly Series[], scale: number): Series[] => {
  const real = new Set(series.map((s) => s.country));
  const codes: string[] = [];
  for (let i = 0; codes.length < real.size * (scale - 1); i++) {
    const code = String.fromCharCode(81 + Math.floor(i / 676) % 10, 65 + Math.floor(i / 26) % 26, 65 + (i % 26)); // QAA, QAB, … then RAA …
    if (!real.has(code)) codes.push(code);
  }
  const countries = [...real];
  const out = [...series];
  for (let k = 1; k < scale; k++) {
    const rename = new Map(countries.map((c, i) => [c, codes[(k - 1) * countries.length + i]!]));
    for (const s of series) out.push({ ...s, country: rename.get(s.country)! });
  }
  return out;
};

const pickOne = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

/** NATIONPULSE_LOAD_CPU_PROF=<dir>: the platform writes a V8 CPU profile there (read it with bench/src/load/stall-profile.ts). */
const cpuProfileArgs = (): string[] => {
  const dir = process.env['NATIONPULSE_LOAD_CPU_PROF'];
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
};

const startPlatform = async (dataDir: string, probeFile: string) => {
  const ports = {
    PORT: await freePort(),
    WRITE_API_HTTP_PORT: await freePort(),
    WRITE_API_GRPC_PORT: await freePort(),
    READ_API_HTTP_PORT: await freePort(),
    READ_API_GRPC_PORT: await freePort(),
    PROJECTORS_HTTP_PORT: await freePort(),
    REPORTING_HTTP_PORT: await freePort(),
    INGESTION_HTTP_PORT: await freePort(),
    INGESTION_GRPC_PORT: await freePort(),
  };
  const child: ChildProcess = spawn(process.execPath, [...cpuProfileArgs(), '--import', 'tsx', '--import', join(import.meta.dirname, '..', 'load', 'event-loop-probe.ts'), join(REPO_ROOT, 'packages/embedded-platform/src/main.ts')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      NATIONPULSE_DATA_DIR: dataDir,
      NATIONPULSE_EVENT_LOOP_PROBE: probeFile,
      NATIONPULSE_SEED_DEMO: 'false',
      NATIONPULSE_ADMIN_USER: USER.username,
      NATIONPULSE_ADMIN_PASSWORD: USER.password,
      INGESTION_FILE_ROOT: REPO_ROOT,
      // The load is one user from one address: exempt it, as the gateway benchmark does not need to.
      RATE_LIMIT_EXEMPT_USERS: USER.username,
      RATE_LIMIT_IP_PER_MINUTE: '0',
      UI_DIST_DIR: join(dataDir, 'no-ui'),
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const gateway = `http://127.0.0.1:${ports.PORT}`;
  const ops = `http://127.0.0.1:${ports.PROJECTORS_HTTP_PORT}`;
  try {
    // Long: the first start builds every projection from the seeded history in the same process.
    await waitForHealthWhileRunning(gateway, 600_000, exited, (code) => new Error(`the platform exited (${code}): ${stderr}`));
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    gateway,
    ops,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`the platform stopped with ${code}: ${stderr}`);
    },
  };
};

/** Free ports are picked before the platform binds them: on a shared machine another process may take one first. */
const startPlatformRetrying = async (dataDir: string, probeFile: string, attempts = 3): ReturnType<typeof startPlatform> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startPlatform(dataDir, probeFile);
    } catch (e) {
      if (attempt >= attempts || !(e instanceof Error) || !e.message.includes('EADDRINUSE')) throw e;
    }
  }
};

const projectionStatus = async (ops: string) =>
  ((await (await fetch(`${ops}/api/v1/ops/projections`, { signal: AbortSignal.timeout(5000) })).json()) as { projections: { status: string; position: number; head: number; lag: number }[] }).projections;

const runAtScale = async (ctx: BenchContext, series: readonly Series[], scale: number, seconds: number): Promise<Row[]> => {
  const dir = ctx.tmpDir();
  const data = scaled(series, scale);
  const store = createSqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'normal' });
  const { events, values } = await appendWdiHistory(store, data, 0);
  const seeded = await store.headPosition();
  await store.close();
  ctx.log(`${scale}×: ${data.length} series, ${values} values (${events} events); starting the platform`);
  const probeFile = join(dir, 'event-loop.json');
  const platform = await startPlatformRetrying(dir, probeFile);
  let rows: Row[];
  let requests = 0;
  try {
    const t0 = performance.now();
    for (;;) {
      const status = await projectionStatus(platform.ops);
      // Every projection live and past the seeded history (a projection that has not read the head yet may show lag 0).
      if (status.length > 0 && status.every((p) => p.status === 'live' && p.position >= seeded && p.lag === 0)) break;
      await sleep(250);
    }
    ctx.log(`${scale}×: projections caught up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const signin = await fetch(`${platform.gateway}/api/v1/auth/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(USER) });
    if (!signin.ok) throw new Error(`sign-in answered ${signin.status}: ${await signin.text()}`);
    const { accessToken } = (await signin.json()) as { accessToken: string };
    const headers = { authorization: `Bearer ${accessToken}` };
    const get = async <T>(path: string): Promise<T> => {
      const res = await fetch(`${platform.gateway}${path}`, { headers });
      if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as T;
    };

    // Parameters from what the platform serves: its countries, and the catalogue's indicators that have data.
    const countries = (await get<{ countries: { iso3: string }[] }>('/api/v1/countries')).countries.map((c) => c.iso3);
    const withData = new Set(data.map((s) => s.indicator));
    const indicators = (await get<{ indicators: { code: string }[] }>('/api/v1/indicators')).indicators.map((i) => i.code).filter((c) => withData.has(c));
    const seriesKeys = series.filter((s) => countries.includes(s.country) && indicators.includes(s.indicator)).map((s) => [s.country, s.indicator] as const);
    if (countries.length === 0 || seriesKeys.length === 0) throw new Error('the platform serves no countries or series to read');
    const year = () => 2000 + Math.floor(Math.random() * 23);
    const routes: RouteSpec[] = [
      { name: 'GET /countries', weight: 5, path: () => '/api/v1/countries' },
      { name: 'GET /countries/{iso3}', weight: 15, path: () => `/api/v1/countries/${pickOne(countries)}` },
      { name: 'GET /indicators', weight: 5, path: () => '/api/v1/indicators' },
      { name: 'GET /series/{iso3}/{indicator}', weight: 25, path: () => { const [c, i] = pickOne(seriesKeys); return `/api/v1/series/${c}/${i}?from=1990`; } },
      { name: 'GET /rankings/{indicator}', weight: 15, path: () => `/api/v1/rankings/${pickOne(indicators)}?year=${year()}&limit=20` },
      { name: 'GET /dashboard/{topic}', weight: 10, path: () => `/api/v1/dashboard/${pickOne(['population', 'health', 'gdp'])}?year=${year()}` },
      { name: 'GET /compare/{indicator}', weight: 10, path: () => `/api/v1/compare/${pickOne(indicators)}?countries=${[pickOne(countries), pickOne(countries), pickOne(countries)].filter((c, i, a) => a.indexOf(c) === i).join(',')}` },
      { name: 'GET /audit/series/{iso3}/{indicator}', weight: 6, path: () => { const [c, i] = pickOne(seriesKeys); return `/api/v1/audit/series/${c}/${i}`; } },
      { name: 'GET /audit/runs', weight: 3, path: () => '/api/v1/audit/runs' },
      { name: 'GET /asof', weight: 2, path: () => `/api/v1/asof?at=${new Date().toISOString()}&country=${pickOne(countries)}` },
    ];

    const recorder = createRecorder();
    const lags: number[] = [];
    const reportIds: string[] = [];
    let opsLagMax = 0;
    const stop = new AbortController();
    const post = async (route: string, path: string, body: unknown): Promise<Record<string, unknown> | null> => {
      const start = performance.now();
      try {
        const res = await fetch(`${platform.gateway}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
        const text = await res.text();
        if (res.ok) {
          recorder.ok(route, performance.now() - start);
          return JSON.parse(text) as Record<string, unknown>;
        }
        // A second ingestion of a dataset still running is refused by design: not an error of the platform.
        if (res.status === 409 && text.includes('INGESTION_RUNNING')) return null;
        recorder.error(route, performance.now() - start, `${res.status} ${text.slice(0, 120)}`);
      } catch (e) {
        recorder.error(route, performance.now() - start, e instanceof Error ? e.message : String(e));
      }
      return null;
    };
    let n = 0;
    const background = [
      // Corrections, each read back at its position: the projection lag as a reader sees it.
      every(250, stop.signal, async () => {
        const [country, indicator] = pickOne(seriesKeys);
        const answer = await post('POST /corrections', '/api/v1/corrections', { country, indicator, year: 2020, value: 1_000 + ++n, reason: 'load benchmark' });
        if (!answer) return;
        const acknowledged = performance.now();
        const res = await fetch(`${platform.gateway}/api/v1/series/${country}/${indicator}?minPosition=${String(answer['position'])}`, { headers });
        await res.text();
        if (res.ok) lags.push(performance.now() - acknowledged);
        else recorder.error('GET /series (read-your-writes)', performance.now() - acknowledged, `${res.status}`);
      }),
      every(2000, stop.signal, async () => {
        const answer = await post('POST /reports', '/api/v1/reports', { spec: { kind: 'ranking', indicator: pickOne(indicators), year: year(), order: 'desc' }, format: 'csv' });
        if (answer) reportIds.push(String(answer['reportId']));
      }),
      // An ingestion running through the load: the sample, then the two-indicator fixture, again and again.
      every(5000, stop.signal, async () => {
        await post('POST /ingestions', '/api/v1/ingestions', { kind: 'world-bank-csv', path: pickOne(['packages/web/src/e2e/fixtures/wdi-sample', 'ingestion/src/testing/fixtures/multi']) });
      }),
      every(500, stop.signal, async () => {
        try {
          for (const p of await projectionStatus(platform.ops)) opsLagMax = Math.max(opsLagMax, p.lag);
        } catch {
          // sampled again in half a second
        }
      }),
    ];
    ctx.log(`${scale}×: ${connections()} clients for ${seconds} s`);
    writeFileSync(`${probeFile}.mark`, ''); // the probe starts counting here
    const reads = await runMixedWorkload({ baseUrl: platform.gateway, headers, routes, connections: connections(), seconds, recorder });
    stop.abort();
    await Promise.all(background);
    writeFileSync(`${probeFile}.end`, '');

    // Reports requested during the run: how many were ready (or failed) by a few seconds after it.
    const deadline = Date.now() + 15_000;
    let finished = 0;
    for (const id of reportIds) {
      for (;;) {
        const res = await fetch(`${platform.gateway}/api/v1/reports/${id}`, { headers });
        const status = res.ok ? ((await res.json()) as { status: string }).status : 'unknown';
        if (status === 'ready' || status === 'failed') {
          finished++;
          break;
        }
        if (Date.now() > deadline) break;
        await sleep(200);
      }
    }

    const figures = recorder.figures();
    requests = figures.reduce((a, f) => a + f.requests, 0);
    const readFigures = figures.filter((f) => f.name.startsWith('GET '));
    const errors = figures.reduce((a, f) => a + f.errors, 0);
    const sortedLags = [...lags].sort((a, b) => a - b);
    const tag = `${scale}×`;
    rows = [
      { metric: `${tag} reads throughput`, value: Math.round(readFigures.reduce((a, f) => a + f.requests, 0) / reads.seconds), unit: 'req/s', note: `${reads.requests} reads in ${reads.seconds.toFixed(0)} s; ${data.length} series, ${values} values` },
      {
        metric: `${tag} errors`,
        value: errors,
        unit: 'requests',
        target: { max: 0 },
        note: errors > 0 ? figures.filter((f) => f.errors > 0).map((f) => `${f.name}: ${f.errors} (${f.errorSamples.join('; ')})`).join(' | ') : `of ${figures.reduce((a, f) => a + f.requests, 0)} requests`,
      },
      ...readFigures.map((f): Row => ({ metric: `${tag} p99 ${f.name}`, value: f.p99Ms, unit: 'ms', target: { max: READ_P99_TARGET_MS }, note: `p50 ${f.p50Ms} ms, max ${f.maxMs} ms, ${f.requests} requests` })),
      ...figures.filter((f) => f.name.startsWith('POST ')).map((f): Row => ({ metric: `${tag} p99 ${f.name}`, value: f.p99Ms, unit: 'ms', note: `p50 ${f.p50Ms} ms, ${f.requests} requests` })),
      {
        metric: `${tag} projection lag p99 (command → readable)`,
        value: Math.round(percentile(sortedLags, 99)),
        unit: 'ms',
        target: { max: LAG_TARGET_MS },
        note: `p50 ${Math.round(percentile(sortedLags, 50))} ms, max ${Math.round(sortedLags.at(-1) ?? 0)} ms over ${lags.length} corrections; largest lag seen on the ops endpoint ${opsLagMax} events`,
      },
      { metric: `${tag} reports finished`, value: finished, unit: 'reports', target: { min: reportIds.length }, note: `of ${reportIds.length} requested during the run, within 15 s after it` },
    ];
  } finally {
    await platform.stop();
  }
  const probe = JSON.parse(readFileSync(probeFile, 'utf8')) as ProbeReport;
  const profiles = process.env['NATIONPULSE_LOAD_CPU_PROF'];
  if (profiles) writeFileSync(join(profiles, `event-loop-${scale}x.json`), JSON.stringify(probe));
  return [...rows, ...eventLoopRows(`${scale}×`, probe, requests)];
};

/** The platform's event loop from the load's start to the platform's exit (the report wait included). */
export const eventLoopRows = (tag: string, probe: ProbeReport, requests: number): Row[] => {
  const stalls = [...probe.stalls].sort((a, b) => b.ms - a.ms);
  const majors = probe.gcs.filter((g) => g.kind === 'major');
  return [
    { metric: `${tag} event-loop delay p99`, value: probe.delay.p99Ms, unit: 'ms', note: `p50 ${probe.delay.p50Ms} ms, max ${probe.delay.maxMs} ms; utilisation ${probe.utilisation}, CPU ${(probe.cpuMs / 1000).toFixed(1)} s over ${probe.seconds} s` },
    // CPU per request compares runs on a busy machine, where wall-clock latencies do not.
    { metric: `${tag} platform CPU per request`, value: Math.round((probe.cpuMs / Math.max(1, requests)) * 100) / 100, unit: 'ms', note: `${(probe.cpuMs / 1000).toFixed(1)} s CPU (all threads) for ${requests} requests and the background work` },
    {
      metric: `${tag} event-loop stalls > ${STALL_MS} ms`,
      value: stalls.length,
      unit: 'stalls',
      note: stalls.length === 0 ? 'none' : `longest ${stalls.slice(0, 5).map((s) => s.ms).join(', ')} ms; ${stalls.reduce((a, s) => a + s.ms, 0)} ms in all`,
    },
    {
      metric: `${tag} GC pauses ≥ ${GC_MS} ms`,
      value: probe.gcs.length,
      unit: 'pauses',
      note: probe.gcs.length === 0 ? 'none' : `longest ${Math.max(...probe.gcs.map((g) => g.ms))} ms; ${majors.length} major (longest ${Math.max(0, ...majors.map((g) => g.ms))} ms)`,
    },
  ];
};

export async function run(ctx: BenchContext): Promise<readonly Row[]> {
  const seconds = Number(process.env.NATIONPULSE_LOAD_SECONDS ?? 30);
  const scales = (process.env.NATIONPULSE_LOAD_SCALES ?? '1,2,4').split(',').map(Number);
  if (!(seconds > 0) || scales.some((s) => !Number.isInteger(s) || s < 1)) throw new Error('NATIONPULSE_LOAD_SECONDS must be > 0 and NATIONPULSE_LOAD_SCALES a list of integers ≥ 1');
  const { series, source } = loadWdiSeries();
  if (source.startsWith('synthetic')) throw new Error('the load benchmark reads the World Bank snapshot (../shared/data or NATIONPULSE_WDI_DIR); it is not present');
  ctx.log(`data: ${source}`);
  const rows: Row[] = [];
  for (const scale of scales) rows.push(...(await runAtScale(ctx, series, scale, seconds)));
  return rows;
}

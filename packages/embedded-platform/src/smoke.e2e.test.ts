/**
 * The run command's smoke test (issue 7's done-when): `npm start`'s entry point (main.ts) as a
 * child process over a temporary data folder, as a new user runs it. It reaches the API and the
 * UI through the gateway, checks the pulse and /metrics, shuts down cleanly on Ctrl-C (SIGINT),
 * and a restart on the same folder serves the same data without appending anything.
 *
 * The UI is built first when packages/web/dist is missing (what `npm start`'s prestart does). Demo
 * seeding is off here (the fixtures are ingested through the gateway instead); seeding once and
 * never again is demo-data.e2e.test.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { describeProcesses, freePort, startServiceProcess, waitForHealthWhileRunning, type ServiceProcess } from '@nationpulse/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..', '..');
const entry = join(import.meta.dirname, 'main.ts');
const dataDir = mkdtempSync(join(tmpdir(), 'np-smoke-'));
const admin = { username: 'smoke-admin', password: 'a long smoke admin password' };
const portKeys = ['PORT', 'WRITE_API_HTTP_PORT', 'WRITE_API_GRPC_PORT', 'READ_API_HTTP_PORT', 'READ_API_GRPC_PORT', 'PROJECTORS_HTTP_PORT', 'REPORTING_HTTP_PORT', 'INGESTION_HTTP_PORT', 'INGESTION_GRPC_PORT'] as const;
const env: Record<string, string> = {};
const started: ServiceProcess[] = [];
let gatewayUrl = '';

const start = async (): Promise<ServiceProcess> => {
  const proc = startServiceProcess(`npm start #${started.length + 1}`, entry, env, { cwd: root });
  started.push(proc);
  await waitForHealthWhileRunning(gatewayUrl, 180_000, proc.exited, (exit) => new Error(`the platform exited (${JSON.stringify(exit)}) before it was up`)).catch((e: unknown) => {
    throw new Error(`${String(e)}\n${describeProcesses([proc])}`);
  });
  return proc;
};
const call = async (path: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
  fetch(`${gatewayUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
const signIn = async (): Promise<string> => {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await call('/api/v1/auth/signin', { method: 'POST', body: admin });
    if (res.status === 200) return ((await res.json()) as { accessToken: string }).accessToken;
    if (Date.now() > deadline) throw new Error(`sign-in: ${res.status} ${await res.text()}\n${describeProcesses(started)}`);
    await sleep(150);
  }
};
type Pulse = { status: string; services: { name: string; status: string; details: Record<string, unknown> }[] };
const pulseOf = async (token: string): Promise<Pulse> => {
  const res = await call('/api/v1/ops/pulse', { token });
  const body = (await res.json()) as Pulse;
  expect(res.status, `${JSON.stringify(body)}\n${describeProcesses(started)}`).toBe(200);
  return body;
};
const headOf = (pulse: Pulse) => Number(pulse.services.find((s) => s.name === 'event-store')?.details['headPosition']);
/** What a user reads, at least as of `minPosition`. */
const answers = async (token: string, minPosition: number) => {
  const [series, ranking] = await Promise.all(
    [`/api/v1/series/FRA/SP.POP.TOTL?minPosition=${minPosition}`, `/api/v1/rankings/SP.POP.TOTL?year=2021&minPosition=${minPosition}`].map(async (path) => {
      const res = await call(path, { token });
      expect(res.status, path).toBe(200);
      return (await res.json());
    }),
  );
  return { series, ranking };
};

beforeAll(async () => {
  if (!existsSync(join(root, 'packages', 'web', 'dist', 'index.html'))) {
    // What `npm start` does first on a fresh clone.
    await promisify(execFile)('npm', ['run', 'build', '-w', '@nationpulse/web'], { cwd: root, timeout: 300_000, env: { ...process.env, NODE_ENV: 'production' } });
  }
  for (const key of portKeys) env[key] = String(await freePort());
  Object.assign(env, {
    NATIONPULSE_DATA_DIR: dataDir,
    NATIONPULSE_ADMIN_USER: admin.username,
    NATIONPULSE_ADMIN_PASSWORD: admin.password,
    NATIONPULSE_SEED_DEMO: 'false',
    INGESTION_FILE_ROOT: join(root, 'ingestion', 'src', 'testing', 'fixtures'),
    LOG_LEVEL: 'warn',
  });
  gatewayUrl = `http://127.0.0.1:${env['PORT']}`;
}, 360_000);
afterAll(async () => {
  await Promise.all(started.map((p) => p.stop('SIGKILL', 5_000)));
});

describe('the run command (npm start): embedded platform as a child process', () => {
  let before: { head: number; answers: unknown } | null = null;

  it('serves the UI and the API, answers pulse and /metrics, and stops on Ctrl-C with exit code 0', async () => {
    const platform = await start();
    const page = await fetch(`${gatewayUrl}/`, { signal: AbortSignal.timeout(10_000) });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toMatch(/<script type="module"[^>]* src="\/assets\/[^"]+\.js"/);
    expect(html).not.toContain('not built');

    const token = await signIn();
    const accepted = await call('/api/v1/ingestions', { method: 'POST', token, body: { kind: 'world-bank-csv', path: 'multi' } });
    expect(accepted.status, await accepted.clone().text()).toBe(202);
    const { runId } = (await accepted.json()) as { runId: string };
    let run: { status: string } = { status: 'running' };
    for (const deadline = Date.now() + 60_000; run.status === 'running' && Date.now() < deadline; await sleep(150)) {
      run = (await (await call(`/api/v1/ingestions/${runId}`, { token })).json()) as { status: string };
    }
    expect(run, describeProcesses(started)).toMatchObject({ status: 'completed' });

    const pulse = await pulseOf(token);
    expect(pulse.status).toBe('up');
    expect(pulse.services.filter((s) => s.status !== 'up')).toEqual([]);
    expect(pulse.services.map((s) => s.name)).toEqual(expect.arrayContaining(['write-api', 'read-api', 'projectors', 'ingestion', 'reporting', 'read-store', 'event-store']));
    const head = headOf(pulse);
    expect(head).toBeGreaterThan(0);
    before = { head, answers: await answers(token, head) };
    expect(before.answers).toMatchObject({ series: { points: [{ year: 2019, value: 67_248_926 }, { year: 2020 }, { year: 2021 }] } });

    for (const [key, metric] of [['PORT', 'nationpulse_http_request_duration_seconds'], ['PROJECTORS_HTTP_PORT', 'nationpulse_projection_position'], ['INGESTION_HTTP_PORT', 'nationpulse_ingestion_rows_total'], ['REPORTING_HTTP_PORT', 'nationpulse_kafka_consumer_lag']] as const) {
      const res = await fetch(`http://127.0.0.1:${env[key]}/metrics`, { signal: AbortSignal.timeout(10_000) });
      expect(res.status).toBe(200);
      expect(await res.text(), `${key} /metrics`).toMatch(new RegExp(`^# TYPE ${metric} `, 'm'));
    }

    const stopped = await platform.stop('SIGINT', 10_000);
    expect(stopped, platform.output()).toMatchObject({ code: 0, killed: false });
  });

  it('restarts on the same data folder with the data kept and nothing appended again', async () => {
    expect(before, 'the first start did not finish').not.toBeNull();
    const platform = await start();
    const token = await signIn();
    const pulse = await pulseOf(token);
    expect(headOf(pulse)).toBe(before!.head);
    expect(await answers(token, before!.head)).toEqual(before!.answers);
    const stopped = await platform.stop('SIGINT', 10_000);
    expect(stopped, platform.output()).toMatchObject({ code: 0, killed: false });
  });
});

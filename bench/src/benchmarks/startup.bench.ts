import { basename, dirname, join, resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeProcesses, freePort, startServiceProcess, waitForHealth, type ServiceProcess } from '@nationpulse/platform/testing';
import { WDI_DIR } from '../fixtures/wdi-history.ts';
import { median } from '../stats.ts';
import type { BenchContext, Row } from '../types.ts';

export const name = 'startup';
export const description =
  "Start-up of the embedded platform (`npm start`'s entry point, packages/embedded-platform/src/main.ts, as a child process) over a data folder already holding the whole World Bank snapshot (ingested through the gateway and projected in a setup start): time from spawning the process to the first answer of an authenticated API query through the gateway, and the process's RSS then.";

const SNAPSHOT = resolve(process.env['WDI_SNAPSHOT'] ?? WDI_DIR);
const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const ENTRY = join(ROOT, 'packages', 'embedded-platform', 'src', 'main.ts');
const RUNS = Number(process.env['STARTUP_BENCH_RUNS'] ?? 3);
const admin = { username: 'bench-admin', password: 'a long bench admin password' };
const portKeys = ['PORT', 'WRITE_API_HTTP_PORT', 'WRITE_API_GRPC_PORT', 'READ_API_HTTP_PORT', 'READ_API_GRPC_PORT', 'PROJECTORS_HTTP_PORT', 'REPORTING_HTTP_PORT', 'INGESTION_HTTP_PORT', 'INGESTION_GRPC_PORT'];

const rssMb = (pid: number): number => {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) / 1024;
};

const json = async <T>(res: Response, what: string): Promise<T> => {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
};

export async function run(ctx: BenchContext): Promise<readonly Row[]> {
  if (!existsSync(SNAPSHOT)) throw new Error(`no snapshot at ${SNAPSHOT} (set WDI_SNAPSHOT)`);
  const env: Record<string, string> = {
    NATIONPULSE_DATA_DIR: ctx.tmpDir(),
    NATIONPULSE_ADMIN_USER: admin.username,
    NATIONPULSE_ADMIN_PASSWORD: admin.password,
    NATIONPULSE_SEED_DEMO: 'false',
    INGESTION_FILE_ROOT: dirname(SNAPSHOT),
    LOG_LEVEL: 'warn',
  };
  for (const key of portKeys) env[key] = String(await freePort());
  const gateway = `http://127.0.0.1:${env['PORT']}`;
  const call = (path: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
    fetch(`${gateway}${path}`, {
      method: init.method ?? 'GET',
      headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
      ...(init.body ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
  const signIn = async () => (await json<{ accessToken: string }>(await call('/api/v1/auth/signin', { method: 'POST', body: admin }), 'sign-in')).accessToken;
  const stop = async (p: ServiceProcess) => {
    const exit = await p.stop('SIGINT', 60_000);
    if (exit.code !== 0) throw new Error(`the platform exited ${JSON.stringify(exit)}\n${describeProcesses([p])}`);
    return exit.ms;
  };

  // Setup: one start that ingests the snapshot through the gateway and waits until every projection has caught up.
  ctx.log(`setup: ingesting ${SNAPSHOT} into ${env['NATIONPULSE_DATA_DIR']} through a running platform`);
  const setup = startServiceProcess('setup', ENTRY, env, { cwd: ROOT });
  try {
    await waitForHealth(gateway, 300_000);
    let token = '';
    for (const deadline = Date.now() + 60_000; !token; await sleep(200)) {
      token = await signIn().catch((e: unknown) => {
        if (Date.now() > deadline) throw e;
        return '';
      });
    }
    const { runId } = await json<{ runId: string }>(await call('/api/v1/ingestions', { method: 'POST', token, body: { kind: 'world-bank-csv', path: basename(SNAPSHOT) } }), 'ingestion trigger');
    /** A poll whose answer is late (the event loop is busy ingesting) is simply tried again. */
    const patiently = async <T>(fn: () => Promise<T>): Promise<T | null> => {
      try {
        return await fn();
      } catch (e) {
        if (e instanceof Error && e.name === 'TimeoutError') return null;
        throw e;
      }
    };
    for (;;) {
      const runView = await patiently(async () => json<{ status: string; summary: { rowsRead: number } | null }>(await call(`/api/v1/ingestions/${runId}`, { token }), 'ingestion run'));
      if (!runView) continue;
      if (runView.status === 'failed') throw new Error(`ingestion failed: ${JSON.stringify(runView)}`);
      if (runView.status === 'completed') {
        ctx.log(`setup: ${runView.summary?.rowsRead} rows ingested`);
        break;
      }
      await sleep(500);
    }
    for (;;) {
      const answer = await patiently(async () => json<{ projections: { name: string; status: string; lag: number }[] }>(await call('/api/v1/ops/projections', { token }), 'projections'));
      if (!answer) continue;
      const { projections } = answer;
      if (projections.every((p) => p.status === 'live' && p.lag === 0)) break;
      await sleep(500);
    }
  } catch (e) {
    setup.child.kill('SIGKILL');
    throw new Error(`${String(e)}\n${describeProcesses([setup])}`);
  }
  const setupStopMs = await stop(setup);
  ctx.log(`setup: done (stopped in ${setupStopMs} ms)`);

  const readyMs: number[] = [];
  const healthMs: number[] = [];
  const rss: number[] = [];
  const stopMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const p = startServiceProcess(`run ${i + 1}`, ENTRY, env, { cwd: ROOT });
    // Ready to serve: the gateway answers a signed-in query with the snapshot's data.
    let health = 0;
    for (;;) {
      if (p.child.exitCode !== null) throw new Error(`the platform exited early\n${describeProcesses([p])}`);
      if (!health && (await fetch(`${gateway}/health`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false))) health = performance.now() - started;
      const answered = health
        ? await signIn()
            .then((token) => call('/api/v1/rankings/SP.POP.TOTL?year=2020&limit=5', { token }))
            .then(async (r) => r.ok && ((await r.json()) as { entries: unknown[] }).entries.length === 5, () => false)
        : false;
      if (answered) break;
      await sleep(20);
    }
    readyMs.push(performance.now() - started);
    healthMs.push(health);
    rss.push(rssMb(p.child.pid!));
    stopMs.push(await stop(p));
    ctx.log(`run ${i + 1}: ready in ${Math.round(readyMs.at(-1)!)} ms, RSS ${Math.round(rss.at(-1)!)} MB`);
  }
  const ready = { median: median(readyMs), max: Math.max(...readyMs) };
  const memory = { median: median(rss), max: Math.max(...rss) };
  return [
    { metric: 'start → first API answer (snapshot loaded)', value: +(ready.median / 1000).toFixed(2), unit: 's', target: { max: 5 }, note: `median of ${RUNS}; max ${(ready.max / 1000).toFixed(2)} s; /health first answered after ${(median(healthMs) / 1000).toFixed(2)} s; node --import tsx main.ts (npm start adds npm's own start-up), warm tsx cache` },
    { metric: 'RSS when ready (snapshot loaded)', value: Math.round(memory.median), unit: 'MB', target: { max: 400 }, note: `median of ${RUNS}; max ${Math.round(memory.max)} MB` },
    { metric: 'Ctrl-C (SIGINT) → exit 0', value: +(median(stopMs) / 1000).toFixed(2), unit: 's', note: `median of ${RUNS}` },
  ];
}

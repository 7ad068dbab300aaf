import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInProcessScheduler } from '@nationpulse/embedded/in-process-scheduler';
import { createLogger } from '@nationpulse/platform';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunUpdate } from './ingestion-runner.ts';
import { SCHEDULER_ACTOR, startScheduledRuns } from './scheduling.ts';
import { createRunnerFixture, writeCsvFolder } from './testing/service-fixture.ts';
import { sourcesConfigSchema } from '../config.ts';
import { fixture } from '../testing/fixtures.ts';
import { useTestServers } from '../testing/http-server.ts';
import { governmentFinanceMapping } from '../testing/sdmx-mappings.ts';
import { worldBankApiStandIn } from '../testing/world-bank-api.ts';

const servers = useTestServers();
const fixtures: Awaited<ReturnType<typeof createRunnerFixture>>[] = [];
const setup = async (options?: Parameters<typeof createRunnerFixture>[0]) => {
  const f = await createRunnerFixture(options);
  fixtures.push(f);
  return f;
};
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
});

const runStarted = async (f: Awaited<ReturnType<typeof createRunnerFixture>>, runId: string) => {
  for await (const e of f.eventStore.readStream(`ingestion-${runId}`)) if (e.type === 'IngestionRunStarted') return e;
  return undefined;
};

describe('ingestion runner', () => {
  it('runs a spec under its dataset lock: started with a position, progress, then completed with counts; the lock is free again', async () => {
    const f = await setup();
    const folder = writeCsvFolder(f.root, 'wdi', ['SP.POP.TOTL', 'SP.POP.GROW'], 60, 24);
    const updates: RunUpdate['kind'][] = [];
    const { run, done } = await f.runner.trigger({ kind: 'world-bank-csv', path: 'wdi' }, { trigger: 'manual', actor: f.admin.userId });
    f.runner.watch(run.runId, (u) => updates.push(u.kind));
    expect(run).toMatchObject({ status: 'running', dataset: 'world-bank-csv:WDI', trigger: 'manual', actor: f.admin.userId, spec: { path: folder } });
    expect(run.position).toBeGreaterThan(0);
    expect(await f.lock.isHeld('world-bank-csv:WDI')).toBe(true);

    const finished = await done;
    expect(finished).toMatchObject({ status: 'completed', reason: null, summary: { rowsRead: 2 * 60 * 24, rowsChanged: 2 * 60 * 24, rowsRejected: 0, seriesChanged: 120 } });
    expect(finished.progress.percent).toBe(100);
    expect(finished.position).toBeGreaterThan(run.position!);
    expect(updates).toContain('progress');
    expect(updates.at(-1)).toBe('finished');
    expect(f.runner.get(run.runId)).toEqual(finished);
    expect(await f.lock.isHeld('world-bank-csv:WDI')).toBe(false);
    // The actor who triggered it is on the run's start event.
    const started = await runStarted(f, run.runId);
    expect(started?.metadata.actor).toBe(f.admin.userId);
    expect(started?.data).toMatchObject({ trigger: 'manual', source: 'file' });
  });

  it('lets one of two concurrent triggers of a dataset run; the other gets INGESTION_RUNNING and appends nothing', async () => {
    const f = await setup();
    writeCsvFolder(f.root, 'wdi', ['SP.POP.TOTL'], 200, 24);
    const head = await f.eventStore.headPosition();
    const results = await Promise.allSettled([
      f.runner.trigger({ kind: 'world-bank-csv', path: 'wdi' }, { trigger: 'manual', actor: 'a' }),
      f.runner.trigger({ kind: 'world-bank-csv', path: './wdi/' }, { trigger: 'schedule', actor: 'b' }),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toMatchObject({ kind: 'conflict', code: 'INGESTION_RUNNING', details: { dataset: 'world-bank-csv:WDI' } });
    const finished = await ok[0]!.value.done;
    let runsStarted = 0;
    for await (const e of f.eventStore.readAll({ after: head })) if (e.type === 'IngestionRunStarted') runsStarted++;
    expect(runsStarted).toBe(1);
    expect(finished.status).toBe('completed');
    // Other datasets are not blocked, and the freed dataset runs again (changing nothing).
    const again = await f.runner.trigger({ kind: 'world-bank-csv', path: 'wdi' }, { trigger: 'manual', actor: 'a' });
    expect((await again.done).summary).toMatchObject({ rowsChanged: 0, seriesChanged: 0 });
  });

  it("waits out a crashed holder's lease: refused while it lives, runs once its TTL has passed", async () => {
    const f = await setup();
    writeCsvFolder(f.root, 'wdi', ['SP.POP.TOTL'], 5, 5);
    // A worker took the lease and died without releasing it.
    expect(await f.lock.acquire('world-bank-csv:WDI', 300)).not.toBeNull();
    await expect(f.runner.trigger({ kind: 'world-bank-csv', path: 'wdi' }, { trigger: 'manual', actor: 'a' })).rejects.toMatchObject({ code: 'INGESTION_RUNNING' });
    await sleep(350);
    const { done } = await f.runner.trigger({ kind: 'world-bank-csv', path: 'wdi' }, { trigger: 'manual', actor: 'a' });
    expect((await done).status).toBe('completed');
  });

  it('renews the lease while the run lasts, refusing every other run of the dataset meanwhile', { timeout: 60_000 }, async () => {
    // Renewed every TTL/3. The TTL must leave room for the event loop being busy with the run
    // itself (SQLite calls are synchronous): loops stalled ~400 ms on this shared machine.
    const f = await setup({ lockTtlMs: 1_500 });
    let renewals = 0;
    const renew = f.lock.renew.bind(f.lock);
    f.lock.renew = (lease, ttlMs) => (renewals++, renew(lease, ttlMs));
    writeCsvFolder(f.root, 'big', ['SP.POP.TOTL', 'SP.POP.GROW', 'SP.DYN.CBRT.IN', 'SP.DYN.CDRT.IN', 'SP.DYN.TFRT.IN', 'SH.DYN.MORT'], 250, 60);
    const { run, done } = await f.runner.trigger({ kind: 'world-bank-csv', path: 'big' }, { trigger: 'manual', actor: 'a' });
    let refusals = 0;
    while (f.runner.get(run.runId).status === 'running') {
      await sleep(40);
      if (f.runner.get(run.runId).status !== 'running') break;
      const second = await f.runner.trigger({ kind: 'world-bank-csv', path: 'big' }, { trigger: 'manual', actor: 'b' }).catch((e: unknown) => e);
      expect(second).toMatchObject({ code: 'INGESTION_RUNNING' });
      refusals++;
    }
    const finished = await done;
    expect(finished.status).toBe('completed');
    // The lease was renewed while the run lasted, and no second run joined it.
    expect(Date.parse(finished.finishedAt!) - Date.parse(finished.startedAt)).toBeGreaterThan(500);
    expect(renewals).toBeGreaterThan(0);
    expect(refusals).toBeGreaterThan(3);
  });

  it('records a structurally bad source as a failed run and frees the lock', async () => {
    const f = await setup();
    const { cpSync } = await import('node:fs');
    cpSync(fixture('bad-header'), `${f.root}/bad`, { recursive: true });
    const { run, done } = await f.runner.trigger({ kind: 'world-bank-csv', path: 'bad' }, { trigger: 'manual', actor: 'a' });
    const finished = await done;
    expect(finished).toMatchObject({ runId: run.runId, status: 'failed' });
    expect(finished.reason).toMatch(/header/i);
    expect(await f.lock.isHeld(run.dataset)).toBe(false);
  });

  it('refuses a path outside the file root and an unknown run', async () => {
    const f = await setup();
    await expect(f.runner.trigger({ kind: 'world-bank-csv', path: '../../etc' }, { trigger: 'manual', actor: 'a' })).rejects.toMatchObject({
      kind: 'validation',
      code: 'SOURCE_PATH_NOT_ALLOWED',
    });
    await expect(f.runner.trigger({ kind: 'world-bank-csv', path: '/etc/passwd' }, { trigger: 'manual', actor: 'a' })).rejects.toMatchObject({ code: 'SOURCE_PATH_NOT_ALLOWED' });
    expect(() => f.runner.get('nope')).toThrow(expect.objectContaining({ code: 'RUN_NOT_FOUND' }));
  });
});

describe('ingestion runner, every source kind', () => {
  it('runs a World Bank API spec through the engine, under its own dataset lock, with the API progress', async () => {
    const server = await servers.start((req, res) => worldBankApiStandIn(res, new URL(req.url!, 'http://x')));
    const config = sourcesConfigSchema.parse({ WORLD_BANK_API_URL: server.url, WORLD_BANK_API_PER_PAGE: '4', WORLD_BANK_API_MIN_INTERVAL_MS: '0' });
    const f = await setup({ sourceDeps: { config, sleep: async () => undefined } });
    const { run, done } = await f.runner.trigger({ kind: 'world-bank-api', indicators: ['sp.pop.totl'] }, { trigger: 'manual', actor: f.admin.userId });
    expect(run).toMatchObject({ status: 'running', dataset: 'world-bank-api:SP.POP.TOTL', spec: { kind: 'world-bank-api', indicators: ['SP.POP.TOTL'] } });
    const finished = await done;
    expect(finished).toMatchObject({ status: 'completed', reason: null, progress: { percent: 100 } });
    expect(finished.summary!.rowsChanged).toBeGreaterThan(0);
    expect((await runStarted(f, run.runId))?.data).toMatchObject({ source: 'worldbank-api', dataset: 'SP.POP.TOTL', trigger: 'manual' });
    expect(await f.lock.isHeld('world-bank-api:SP.POP.TOTL')).toBe(false);
  });

  it('runs an SDMX-CSV file spec inside the file root, and refuses one outside it', async () => {
    const f = await setup();
    mkdirSync(join(f.root, 'oecd'));
    copyFileSync(fixture('sdmx/government-finance.csv'), join(f.root, 'oecd', 'government-finance.csv'));
    const { run, done } = await f.runner.trigger({ kind: 'sdmx-csv', path: 'oecd', indicators: governmentFinanceMapping }, { trigger: 'schedule', actor: 'a' });
    expect(run.dataset).toBe('sdmx-csv:OECD');
    const finished = await done;
    expect(finished.status).toBe('completed');
    expect(finished.summary!.rowsChanged).toBeGreaterThan(0);
    await expect(f.runner.trigger({ kind: 'sdmx-csv', path: '../elsewhere', indicators: governmentFinanceMapping }, { trigger: 'manual', actor: 'a' })).rejects.toMatchObject({
      code: 'SOURCE_PATH_NOT_ALLOWED',
    });
  });
});

describe('scheduled runs', () => {
  it('runs a scheduled job as trigger "schedule" under the lock, and skips a tick whose dataset is busy', async () => {
    const f = await setup();
    writeCsvFolder(f.root, 'wdi', ['SP.POP.TOTL'], 5, 5);
    const scheduler = createInProcessScheduler({ backoffMs: 10 });
    const finished: string[] = [];
    const logger = createLogger('test', 'silent');
    await startScheduledRuns({ scheduler, schedules: [{ cron: '* * * * * *', spec: { kind: 'world-bank-csv', path: 'wdi' } }], runner: f.runner, logger });
    expect(await scheduler.listSchedules()).toMatchObject([{ id: 'world-bank-csv_WDI', cron: '* * * * * *' }]);
    const head = await f.eventStore.headPosition();
    // Hold the dataset: the next tick must be skipped, not queued behind it.
    const lease = await f.lock.acquire('world-bank-csv:WDI', 10_000);
    await sleep(1_300);
    await f.lock.release(lease!);
    const watchRuns = async () => {
      finished.length = 0;
      for await (const e of f.eventStore.readAll({ after: head })) if (e.type === 'IngestionRunStarted') finished.push(`${(e.data as { trigger: string }).trigger}:${e.metadata.actor}`);
    };
    await watchRuns();
    expect(finished).toEqual([]);
    await sleep(1_300);
    await scheduler.close();
    await watchRuns();
    expect(finished.length).toBeGreaterThanOrEqual(1);
    expect(new Set(finished)).toEqual(new Set([`schedule:${SCHEDULER_ACTOR}`]));
  });
});

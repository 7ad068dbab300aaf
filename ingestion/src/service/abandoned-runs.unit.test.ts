import { afterEach, describe, expect, it } from 'vitest';
import { ABANDONED_REASON, failAbandonedRuns, LOCK_PARAMETER } from './abandoned-runs.ts';
import { createRunnerFixture, writeCsvFolder } from './testing/service-fixture.ts';

const fixtures: Awaited<ReturnType<typeof createRunnerFixture>>[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
});

/** What a process SIGKILLed mid-run leaves in the store: the run's start, recorded with its lock, and no end. */
const crashedRun = async (f: Awaited<ReturnType<typeof createRunnerFixture>>, runId: string, lockKey: string) => {
  await f.eventStore.append(
    `ingestion-${runId}`,
    [{
      type: 'IngestionRunStarted',
      data: { runId, source: 'file', dataset: 'wdi', trigger: 'manual', parameters: { path: '/data/wdi', [LOCK_PARAMETER]: lockKey } },
      metadata: { eventId: `00000000-0000-7000-8000-${runId.padStart(12, '0')}`, correlationId: runId, causationId: null, actor: 'system:ingestion', occurredAt: new Date(Date.now() - 60_000).toISOString(), traceparent: null, source: 'ingestion', schemaVersion: 1 },
    }],
    'no_stream',
  );
};

const typesOf = async (f: Awaited<ReturnType<typeof createRunnerFixture>>, runId: string) => {
  const out: { type: string; data: unknown }[] = [];
  for await (const e of f.eventStore.readStream(`ingestion-${runId}`)) out.push({ type: e.type, data: e.data });
  return out;
};

describe('runs abandoned by a crashed process', () => {
  it('are ended as failed at start-up when their dataset lock is free, and left alone while another holder runs them', async () => {
    const f = await createRunnerFixture();
    fixtures.push(f);
    await crashedRun(f, '1', 'world-bank-csv:WDI');
    await crashedRun(f, '2', 'world-bank-csv:BUSY');
    const busy = await f.lock.acquire('world-bank-csv:BUSY', 10_000);
    expect(busy).not.toBeNull();

    const failed = await failAbandonedRuns({ eventStore: f.eventStore, lock: f.lock, clock: { now: () => new Date() }, lockTtlMs: 1_000 });
    expect(failed).toEqual(['1']);
    expect((await typesOf(f, '1')).map((e) => e.type)).toEqual(['IngestionRunStarted', 'IngestionRunFailed']);
    expect((await typesOf(f, '1'))[1]!.data).toMatchObject({ runId: '1', reason: ABANDONED_REASON });
    expect((await typesOf(f, '2')).map((e) => e.type), 'a run whose lock is held is still running somewhere').toEqual(['IngestionRunStarted']);
    expect(await f.lock.isHeld('world-bank-csv:WDI'), 'the lock taken to check is given back').toBe(false);

    // Twice is once: nothing more is appended.
    expect(await failAbandonedRuns({ eventStore: f.eventStore, lock: f.lock, clock: { now: () => new Date() }, lockTtlMs: 1_000 })).toEqual([]);
    await f.lock.release(busy!);
  });

  it('are ended when a new run of their dataset starts, and the new run records its lock', async () => {
    const f = await createRunnerFixture();
    fixtures.push(f);
    writeCsvFolder(f.root, 'wdi', ['SP.POP.TOTL'], 10, 5);
    await crashedRun(f, '7', 'world-bank-csv:WDI');
    const { run, done } = await f.runner.trigger({ kind: 'world-bank-csv', path: 'wdi' }, { trigger: 'manual', actor: f.admin.userId });
    expect((await typesOf(f, '7')).map((e) => e.type)).toEqual(['IngestionRunStarted', 'IngestionRunFailed']);
    expect((await done).status).toBe('completed');
    expect((await typesOf(f, run.runId))[0]!.data).toMatchObject({ parameters: { [LOCK_PARAMETER]: 'world-bank-csv:WDI' } });
  });
});

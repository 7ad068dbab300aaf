import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import type { NewEvent } from '@nationpulse/ports';
import { deterministicId } from '@nationpulse/platform';
import { projections } from '@nationpulse/read-models';
import { describe, expect, it } from 'vitest';

const cli = join(import.meta.dirname, 'cli.ts');

/**
 * The change log (documents derived from each event alone, never loaded) and observations
 * (indicator-years loaded once, then kept in the runner's memory and edited in place batch after
 * batch), with the number of documents a build gives.
 */
const cases = [
  // In two shares, each in a worker thread with its own checkpoint (the projectors' default).
  { projection: 'change-log', documents: 16 * 12 * 4 + 6, shares: 2 },
  { projection: 'observations', documents: 4 * 40, shares: 2 },
  // By one runner.
  { projection: 'observations', documents: 4 * 40, shares: 1 },
] as const;

/** Where the rebuild stands: its one runner's checkpoint, or the lowest of its shares' (0 when none is stored). */
const shadowCheckpoint = async (dataDir: string, projectionName: string, shares: number): Promise<number> => {
  const store = createSqliteReadStore({ path: join(dataDir, 'read.db') });
  try {
    if (shares === 1) return (await store.checkpoint(`${projectionName}:shadow`)) ?? 0;
    const positions = await Promise.all(Array.from({ length: shares }, async (_, i) => (await store.checkpoint(`${projectionName}:shadow:${i}/${shares}`)) ?? 0));
    return Math.min(...positions);
  } finally {
    await store.close();
  }
};

/** Runs the CLI; with `killAfterProgressBeyond`, SIGKILLs it a random moment after its rebuild has moved past that position. */
const runCli = (dataDir: string, args: string[], shares: number, killAfterProgressBeyond?: number, projectionName = '') =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
      env: { ...process.env, NATIONPULSE_DATA_DIR: dataDir, PROJECTORS_BATCH_SIZE: '4', PROJECTORS_REBUILD_COMMIT_INTERVAL_MS: '20', PROJECTORS_REBUILD_SHARES: String(shares) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let watching = killAfterProgressBeyond !== undefined;
    const watch = async () => {
      while (watching) {
        if ((await shadowCheckpoint(dataDir, projectionName, shares)) > killAfterProgressBeyond!) {
          await new Promise((r) => setTimeout(r, Math.random() * 50));
          child.kill('SIGKILL');
          return;
        }
        await new Promise((r) => setTimeout(r, 15));
      }
    };
    void watch();
    child.once('exit', (code, signal) => {
      watching = false;
      resolve({ code, signal, stderr });
    });
  });

const event = (i: number, type: string, data: unknown): NewEvent => ({
  type,
  data,
  metadata: {
    eventId: deterministicId(`crash-test:${i}`),
    correlationId: 'seed',
    causationId: null,
    actor: 'system:seed',
    occurredAt: new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(),
    traceparent: null,
    source: 'test',
    schemaVersion: 1,
  },
});

/** A deterministic history: several ingestion rounds over many series, plus corrections. */
const seed = async (path: string) => {
  const store = createSqliteEventStore({ path, synchronous: 'normal' });
  const countries = ['FRA', 'DEU', 'ITA', 'ESP', 'PRT', 'NLD', 'BEL', 'POL', 'SWE', 'NOR', 'WLD', 'EUU'];
  const indicators = ['SP.POP.TOTL', 'SP.DYN.LE00.IN', 'NY.GDP.MKTP.CD', 'SP.DYN.IMRT.IN'];
  let i = 0;
  for (let round = 0; round < 16; round++) {
    for (const country of countries) {
      for (const indicator of indicators) {
        const stream = `series-${country}-${indicator}`;
        const changes = Array.from({ length: 40 }, (_, k) => ({ year: 1980 + k, value: (k + 1) * 1000 + round, previous: round === 0 ? null : (k + 1) * 1000 + round - 1 }));
        const revision = await store.streamRevision(stream);
        await store.append(stream, [event(i++, 'ObservationsRecorded', { country, indicator, source: 'file', runId: `run-${round}`, changes })], revision ?? 'no_stream');
      }
    }
  }
  for (const country of countries.slice(0, 6)) {
    const stream = `series-${country}-SP.POP.TOTL`;
    await store.append(stream, [event(i++, 'ObservationCorrected', { country, indicator: 'SP.POP.TOTL', year: 2000, value: 42, previous: 21_005, reason: 'test correction' })], 'stream_exists');
  }
  await store.close();
};

const dump = async (dataDir: string, collection: string, projectionName: string) => {
  const store = createSqliteReadStore({ path: join(dataDir, 'read.db') });
  try {
    const docs = await store.find(collection, { orderBy: [{ field: 'eventId', direction: 'asc' }] });
    return { json: JSON.stringify(docs), count: docs.length, checkpoint: await store.checkpoint(projectionName) };
  } finally {
    await store.close();
  }
};

describe('projection rebuild under SIGKILL', () => {
  it.each(cases)('$projection in $shares share(s): resumes after being killed at random points and ends identical to a clean rebuild', async ({ projection: projectionName, documents, shares }) => {
    const projection = projections.find((p) => p.name === projectionName);
    expect(projection, `projection ${projectionName} exists`).toBeDefined();
    const collection = projection!.collections[0]!.name;

    const crashed = mkdtempSync(join(tmpdir(), 'np-crash-'));
    const clean = mkdtempSync(join(tmpdir(), 'np-clean-'));
    await seed(join(crashed, 'events.db'));
    copyFileSync(join(crashed, 'events.db'), join(clean, 'events.db'));

    // The clean reference: every projection built once from an empty read store.
    expect((await runCli(clean, ['catch-up'], shares)).code).toBe(0);
    // The crashed copy: built, then rebuilt while being killed repeatedly.
    expect((await runCli(crashed, ['catch-up'], shares)).code).toBe(0);

    // Each run is killed a random moment after its rebuild has made progress; the next run must
    // resume from the shadow checkpoint the previous one left (never start over).
    const killedAt: number[] = [];
    for (let attempt = 0; attempt < 20 && killedAt.length < 6; attempt++) {
      const before = await shadowCheckpoint(crashed, projectionName, shares);
      const result = await runCli(crashed, ['rebuild', projectionName], shares, before, projectionName);
      if (result.signal !== 'SIGKILL') {
        // It finished between two polls; the next run starts a new rebuild to interrupt.
        expect(result.code, result.stderr).toBe(0);
        continue;
      }
      const after = await shadowCheckpoint(crashed, projectionName, shares);
      // No shadow checkpoint: killed during or after the swap, which the next run finishes. Valid, but not mid-rebuild.
      if (after === 0) continue;
      expect(after, 'the rebuild resumed from its checkpoint and advanced it').toBeGreaterThan(before);
      killedAt.push(after);
    }
    expect(killedAt.length, `killed at shadow positions ${killedAt.join(', ')}`).toBeGreaterThanOrEqual(5);

    const final = await runCli(crashed, ['rebuild', projectionName], shares);
    expect(final.code, final.stderr).toBe(0);
    const [a, b] = [await dump(crashed, collection, projectionName), await dump(clean, collection, projectionName)];
    expect(a.count, 'documents of a build').toBe(documents);
    expect(a.checkpoint).toBe(b.checkpoint);
    expect(a.json === b.json, 'rebuilt collection is byte-identical to the clean build').toBe(true);
  }, 600_000);
});

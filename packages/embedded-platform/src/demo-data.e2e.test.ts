import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPlatform, type EmbeddedPlatform } from './embedded-platform.ts';
import { ephemeralPorts } from './testing/platform-env.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'np-demo-'));
// The demo data is what this file tests: no admin, the platform's own NATIONPULSE_SEED_DEMO default.
const env = { NATIONPULSE_DATA_DIR: dataDir, ...ephemeralPorts(), LOG_LEVEL: 'silent' };
let platform: EmbeddedPlatform | null = null;
afterAll(async () => {
  await platform?.close();
});

const headOf = async () => {
  const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
  try {
    return await store.headPosition();
  } finally {
    await store.close();
  }
};

describe('demo data at the first start of the embedded platform', () => {
  it('seeds the synthetic data set once, readable through the read API, and a second start appends nothing', { timeout: 600_000 }, async () => {
    platform = await startEmbeddedPlatform(env);
    const seeded = (await platform.demoSeeding) as { status: string; runId: string };
    expect(seeded).toMatchObject({ status: 'seeded' });
    const readApi = platform.urls.readApi;
    const head = await fetch(`${platform.urls.writeApi}/health`).then((r) => r.json() as Promise<{ details: { eventStore: { position: number } } }>);
    const position = head.details.eventStore.position;
    const series = await fetch(`${readApi}/api/v1/series/FRA/SP.DYN.LE00.IN?minPosition=${position}`);
    expect(series.status).toBe(200);
    const body = (await series.json()) as { points: { year: number; value: number }[] };
    expect(body.points.map((p) => p.year)).toEqual(Array.from({ length: 24 }, (_, i) => 2000 + i));
    const run = await fetch(`${readApi}/api/v1/audit/runs/${seeded.runId}?minPosition=${position}`);
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({ source: 'demo', dataset: 'demo', trigger: 'startup', status: 'completed' });
    await platform.close();
    platform = null;

    const before = await headOf();
    platform = await startEmbeddedPlatform(env);
    expect(await platform.demoSeeding).toBeNull();
    await platform.close();
    platform = null;
    expect(await headOf()).toBe(before);
  });

  it('seeds nothing when NATIONPULSE_SEED_DEMO=false', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'np-nodemo-'));
    platform = await startEmbeddedPlatform({ ...env, NATIONPULSE_DATA_DIR: dir, NATIONPULSE_SEED_DEMO: 'false' });
    expect(await platform.demoSeeding).toBeNull();
    await platform.close();
    platform = null;
  });
});

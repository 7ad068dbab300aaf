import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInProcessCache } from '@nationpulse/embedded/in-process-cache';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import { ingestWorldBankCsv } from '@nationpulse/ingestion';
import { systemClock } from '@nationpulse/platform';
import { createProjectors } from '@nationpulse/projectors';
import { buildReadApp, createReadSide } from '@nationpulse/read-api';
import { describe, expect, it } from 'vitest';

/** The World Bank snapshot beside the repository (../shared/data, or NATIONPULSE_WDI_DIR for a worktree elsewhere), read in place, never copied. */
const WDI = process.env.NATIONPULSE_WDI_DIR ?? join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'world-development-indicators');

/** Every value of one indicator's CSV, by series: the truth the read API must return. */
const expectedSeries = (folder: string): Map<string, { year: number; value: number }[]> => {
  const out = new Map<string, { year: number; value: number }[]>();
  for (const line of readFileSync(join(WDI, folder, 'data.csv'), 'utf8').split(/\r?\n/).slice(1)) {
    if (!line) continue;
    const parts = line.split(',');
    const value = Number(parts.pop());
    const year = Number(parts.pop());
    const code = parts.pop()!;
    out.set(code, [...(out.get(code) ?? []), { year, value }]);
  }
  return out;
};

describe.skipIf(!existsSync(WDI))('the whole World Bank snapshot through the platform (large-data check; needs ../shared/data)', () => {
  it('ingests every file, projects it, and the read API returns exactly the CSV values; a second run appends nothing', async () => {
    const eventStore = createSqliteEventStore({ path: ':memory:' });
    const readStore = createSqliteReadStore({ path: ':memory:' });
    const cache = createInProcessCache();
    const projectors = createProjectors({ eventStore, readStore, cache, clock: systemClock });
    await projectors.start();

    const first = await ingestWorldBankCsv({ eventStore, clock: systemClock, path: WDI, trigger: 'manual' });
    expect(first.status).toBe('completed');
    expect(first.rowsRejected).toBe(0);
    const second = await ingestWorldBankCsv({ eventStore, clock: systemClock, path: WDI, trigger: 'manual' });
    expect(second.status).toBe('completed');
    expect(second.seriesEvents).toBe(0);
    expect(second.rowsChanged).toBe(0);
    expect(second.position - first.position).toBe(2); // the second run's own start and completion

    const { executor } = createReadSide({ readStore });
    const app = await buildReadApp({ executor, logger: false, health: async () => ({ ok: true, details: {} }) });
    let checkedValues = 0;
    for (const folder of readdirSync(WDI).filter((f) => existsSync(join(WDI, f, 'data.csv')))) {
      const indicator = folder.toUpperCase();
      for (const [country, points] of expectedSeries(folder)) {
        const res = await app.inject({ url: `/api/v1/series/${country}/${indicator}?minPosition=${second.position}` });
        expect(res.statusCode, `${country} ${indicator}`).toBe(200);
        const body = res.json<{ points: { year: number; value: number }[] }>();
        expect(body.points.map((p) => ({ year: p.year, value: p.value })), `${country} ${indicator}`).toEqual(points);
        checkedValues += points.length;
      }
    }
    expect(checkedValues).toBe(first.rowsRead);
    await app.close();
    await projectors.stop();
    await Promise.all([eventStore.close(), readStore.close(), cache.close()]);
  }, 300_000);
});

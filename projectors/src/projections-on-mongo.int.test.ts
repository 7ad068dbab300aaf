import { randomUUID } from 'node:crypto';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import { createMongoReadStore } from '@nationpulse/mongodb';
import type { ReadStore } from '@nationpulse/ports';
import { projections } from '@nationpulse/read-models';
import { describe, expect, it } from 'vitest';
import { createProjectors } from './composition.ts';
import { eventually, recorded } from './testing/fixtures.ts';

const clock = { now: () => new Date('2026-01-01T00:00:00Z') };

const everything = async (store: ReadStore) => {
  const out: Record<string, unknown> = {};
  for (const p of projections) {
    for (const c of p.collections) {
      const docs = await store.find(c.name);
      out[c.name] = docs.map((d) => ({ id: d.id, position: d.position, doc: d.doc })).sort((a, b) => a.id.localeCompare(b.id));
    }
  }
  return out;
};

describe('projections on the MongoDB read store', () => {
  it('produce exactly what they produce on SQLite', async () => {
    const eventStore = createSqliteEventStore({ path: ':memory:' });
    for (const country of ['FRA', 'DEU', 'WLD']) {
      for (const indicator of ['SP.POP.TOTL', 'NY.GDP.MKTP.CD']) {
        await eventStore.append(`series-${country}-${indicator}`, [recorded(country, indicator, [{ year: 2000, value: 1.5, previous: null }, { year: 2001, value: 2.5, previous: null }])], 'no_stream');
      }
    }
    const mongo = createMongoReadStore({ url: process.env['MONGO_URL'] ?? 'mongodb://127.0.0.1:27017', database: `np_proj_${randomUUID().slice(0, 8)}` });
    const sqlite = createSqliteReadStore({ path: ':memory:' });
    const head = await eventStore.headPosition();
    for (const readStore of [mongo, sqlite]) {
      const manager = createProjectors({ eventStore, readStore, clock });
      await manager.start();
      await eventually(async () => (await manager.status()).every((s) => s.position === head || s.status === 'failed'));
      expect((await manager.status()).filter((s) => s.status === 'failed')).toEqual([]);
      await manager.stop();
    }
    expect(await everything(mongo)).toEqual(await everything(sqlite));
    const profile = await mongo.get<{ latest: Record<string, { value: number }> }>('country_profiles', 'FRA');
    expect(profile?.doc.latest['SP.POP.TOTL']?.value).toBe(2.5);
    await Promise.all([mongo.close(), sqlite.close(), eventStore.close()]);
  }, 60_000);
});

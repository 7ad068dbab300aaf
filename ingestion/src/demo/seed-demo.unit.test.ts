import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createLogger, systemClock } from '@nationpulse/platform';
import type { EventStore, RecordedEvent } from '@nationpulse/ports';
import { countries, indicators } from '@nationpulse/reference-data';
import { describe, expect, it } from 'vitest';
import { demoSource } from './demo-source.ts';
import { seedDemoDataOnFirstStart } from './first-start.ts';
import { seedDemoData } from './seed-demo.ts';

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};
const all = (store: EventStore): Promise<RecordedEvent[]> => collect(store.readAll());

describe('demo source', () => {
  it('yields every indicator for every country over 2000-2023, the same numbers every time, finite and plausible', { timeout: 30_000 }, async () => {
    const first = await collect(demoSource());
    const again = await collect(demoSource());
    expect(first).toEqual(again);
    expect(first).toHaveLength(countries.length * indicators.length);
    expect(new Set(first.map((s) => s.indicator))).toEqual(new Set(indicators.map((i) => i.code)));
    const years = Array.from({ length: 24 }, (_, i) => 2000 + i).join();
    expect(first.filter((s) => s.observations.map((o) => o.year).join() !== years)).toEqual([]);
    expect(first.filter((s) => !s.observations.every((o) => Number.isFinite(o.value)))).toEqual([]);
    const value = (country: string, indicator: string, year: number) =>
      first.find((s) => s.country === country && s.indicator === indicator)!.observations.find((o) => o.year === year)!.value;
    for (const c of ['FRA', 'NGA', 'BRA']) {
      expect(value(c, 'SP.DYN.LE00.IN', 2020)).toBeGreaterThan(45);
      expect(value(c, 'SP.DYN.LE00.IN', 2020)).toBeLessThan(87);
      expect(value(c, 'SP.DYN.LE00.FE.IN', 2020)).toBeGreaterThan(value(c, 'SP.DYN.LE00.MA.IN', 2020));
      expect(value(c, 'SP.POP.TOTL', 2023)).toBeGreaterThan(10_000);
      expect(Number.isInteger(value(c, 'SP.POP.TOTL', 2023))).toBe(true);
      expect(value(c, 'NY.GDP.MKTP.CD', 2010)).toBeCloseTo(value(c, 'NY.GDP.PCAP.CD', 2010) * value(c, 'SP.POP.TOTL', 2010), -9);
    }
    // Another seed, other numbers.
    const other = await collect(demoSource({ seed: 'other', countries: ['FRA'] }));
    expect(other.find((s) => s.indicator === 'SP.POP.TOTL')).not.toEqual(first.find((s) => s.country === 'FRA' && s.indicator === 'SP.POP.TOTL'));
  });
});

describe('seedDemoData', () => {
  it('records the demo set as one run labelled demo/startup, deterministic, and appends nothing the second time', { timeout: 60_000 }, async () => {
    const options = { clock: systemClock, countries: ['FRA', 'DEU', 'NGA'], fromYear: 2010, toYear: 2015 };
    const a = createSqliteEventStore({ path: ':memory:' });
    const b = createSqliteEventStore({ path: ':memory:' });
    const first = await seedDemoData({ ...options, eventStore: a });
    expect(first).toMatchObject({ status: 'seeded', seriesEvents: 3 * indicators.length, observations: 3 * indicators.length * 6 });
    const head = await a.headPosition();
    expect(await seedDemoData({ ...options, eventStore: a })).toMatchObject({ status: 'skipped', runId: first.runId });
    expect(await a.headPosition()).toBe(head);

    const events = await all(a);
    const started = events.find((e) => e.type === 'IngestionRunStarted')!;
    expect(started.data).toMatchObject({ runId: first.runId, source: 'demo', dataset: 'demo', trigger: 'startup', parameters: { synthetic: true } });
    expect(events.filter((e) => e.type === 'ObservationsRecorded').every((e) => (e.data as { source: string }).source === 'demo' && e.metadata.actor === 'system:demo')).toBe(true);
    expect(events.at(-1)!.type).toBe('IngestionRunCompleted');

    // Another store seeded alike holds the same run id and the same observations.
    const second = await seedDemoData({ ...options, eventStore: b });
    expect(second.runId).toBe(first.runId);
    const payloads = async (s: EventStore) => (await all(s)).filter((e) => e.type === 'ObservationsRecorded').map((e) => [e.streamId, e.data]);
    expect(await payloads(b)).toEqual(await payloads(a));
    await Promise.all([a.close(), b.close()]);
  });

  it('seeds at first start only: not when the store had events, not when disabled, not when a configured source is reachable', async () => {
    const logger = createLogger('test', 'silent');
    const store = createSqliteEventStore({ path: ':memory:' });
    const config = { NATIONPULSE_SEED_DEMO: true, INGESTION_SCHEDULES: [], INGESTION_FILE_ROOT: '.' };
    expect(await seedDemoDataOnFirstStart({ eventStore: store, clock: systemClock, config, storeWasEmpty: false, logger })).toBeNull();
    expect(await seedDemoDataOnFirstStart({ eventStore: store, clock: systemClock, config: { ...config, NATIONPULSE_SEED_DEMO: false }, storeWasEmpty: true, logger })).toBeNull();
    const reachable = { ...config, INGESTION_SCHEDULES: [{ cron: '0 3 * * *', spec: { kind: 'world-bank-csv' as const, path: import.meta.dirname } }] };
    expect(await seedDemoDataOnFirstStart({ eventStore: store, clock: systemClock, config: reachable, storeWasEmpty: true, logger })).toBeNull();
    expect(await store.headPosition()).toBe(0);
    await store.close();
  });
});

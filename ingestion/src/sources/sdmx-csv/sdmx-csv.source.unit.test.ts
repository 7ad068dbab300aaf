import { describe, expect, it } from 'vitest';
import { useMemoryEventStore } from '../../testing/event-store.ts';
import { sourcesConfigSchema } from '../../config.ts';
import { runIngestion } from '../../runs/run-ingestion.ts';
import { fixture } from '../../testing/fixtures.ts';
import { governmentFinanceMapping } from '../../testing/sdmx-mappings.ts';
import { createSource } from '../source-spec.ts';

const clock = { now: () => new Date('2026-07-01T12:00:00Z') };
const config = sourcesConfigSchema.parse({});
const memory = useMemoryEventStore();

const run = (path: string, indicators = governmentFinanceMapping) =>
  runIngestion({ source: createSource({ kind: 'sdmx-csv', path, indicators }, { config }), eventStore: memory.store, clock, trigger: 'manual', concurrency: 2 });

describe('SDMX-CSV file source', () => {
  it('ingests a file: each mapped OECD series becomes one of our series, the OECD aggregate is rejected', async () => {
    const summary = await run(fixture('sdmx/government-finance.labels.csv'));
    expect(summary).toMatchObject({ status: 'completed', source: 'file', dataset: 'government-finance.labels.csv', rowsRead: 11, rowsChanged: 10, rowsRejected: 1, seriesChanged: 4 });
    const events = await memory.all();
    expect(events[0]!.data).toMatchObject({ parameters: { format: 'sdmx-csv', indicators: 'GC.REV.XGRT.GD.ZS,GC.XPN.TOTL.GD.ZS' } });
    const fra = events.find((e) => e.streamId === 'series-FRA-GC.REV.XGRT.GD.ZS')!;
    expect(fra.data).toMatchObject({ source: 'file', changes: [{ year: 2020, value: 52.4 }, { year: 2021, value: 52.6 }, { year: 2022, value: 53.4 }] });
  });

  it('appends no series event when the same data comes again, in another SDMX-CSV flavour', async () => {
    await run(fixture('sdmx/government-finance.csv'));
    const before = (await memory.all()).length;
    const second = await run(fixture('sdmx/government-finance.labels-both.csv'));
    expect(second).toMatchObject({ status: 'completed', rowsChanged: 0, rowsUnchanged: 10, seriesEvents: 0 });
    expect((await memory.all()).slice(before).map((e) => e.type)).toEqual(['IngestionRunStarted', 'IngestionRunCompleted']);
  });

  it('ingests a folder of SDMX-CSV files in one run', async () => {
    const summary = await run(fixture('sdmx-folder'));
    expect(summary).toMatchObject({ status: 'completed', rowsRead: 10, rowsChanged: 10, seriesChanged: 4 });
  });

  it('fails before appending anything when a file is not SDMX-CSV', async () => {
    const summary = await run(fixture('sp.pop.totl/data.csv'));
    expect(summary).toMatchObject({ status: 'failed', reason: expect.stringMatching(/not SDMX-CSV/) });
    expect((await memory.all()).map((e) => e.type)).toEqual(['IngestionRunStarted', 'IngestionRunFailed']);
  });

  it('lists bad rows in the run while the valid rows land', async () => {
    const summary = await run(fixture('sdmx/government-finance.bad-rows.csv'));
    expect(summary).toMatchObject({ status: 'completed', rowsRead: 7, rowsChanged: 2, rowsRejected: 5 });
    const completed = (await memory.all()).at(-1)!;
    expect(completed.data).toMatchObject({ rowsRejected: 5, rejected: expect.arrayContaining([{ row: 3, reason: 'GC.REV.XGRT.GD.ZS: invalid value "abc"', raw: expect.stringContaining(',abc') }]) });
  });

  it('fails the run when no row matches the mapping', async () => {
    const summary = await run(fixture('sdmx/government-finance.csv'), [{ indicator: 'GC.TAX.TOTL.GD.ZS', dimensions: { SECTOR: 'S13', TRANSACTION: 'D2_D5_D91_D611', UNIT_MEASURE: 'PT_B1GQ' } }]);
    expect(summary).toMatchObject({ status: 'failed', reason: expect.stringMatching(/none of the 13 observation\(s\) matched the indicator mapping/) });
    expect((await memory.all()).map((e) => e.type)).toEqual(['IngestionRunStarted', 'IngestionRunFailed']);
  });
});

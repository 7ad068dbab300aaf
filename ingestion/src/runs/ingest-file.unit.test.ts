import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '@nationpulse/ports';
import { afterEach, describe, expect, it } from 'vitest';
import { useMemoryEventStore } from '../testing/event-store.ts';
import { fixture } from '../testing/fixtures.ts';
import { ingestWorldBankCsv, type IngestWorldBankCsvOptions } from './ingest-file.ts';

const clock = { now: () => new Date('2026-07-01T12:00:00Z') };
const memory = useMemoryEventStore();
let tmp: string | null = null;

afterEach(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
  tmp = null;
});

const seriesEvents = (events: RecordedEvent[]) => events.filter((e) => e.streamId.startsWith('series-'));
const ingest = (path: string, extra: Partial<IngestWorldBankCsvOptions> = {}) =>
  ingestWorldBankCsv({ eventStore: memory.store, clock, path, trigger: 'manual', ...extra });

describe('ingestWorldBankCsv', () => {
  it('records every value on a first run, one event per series, with no previous value', async () => {
    const summary = await ingest(fixture('sp.pop.totl/data.csv'), { runId: 'run-1', concurrency: 1 });
    expect(summary).toMatchObject({ runId: 'run-1', status: 'completed', rowsRead: 9, rowsChanged: 9, rowsUnchanged: 0, rowsRejected: 0, seriesChanged: 4 });

    const events = await memory.all();
    expect(events.map((e) => [e.streamId, e.type])).toEqual([
      ['ingestion-run-1', 'IngestionRunStarted'],
      ['series-ABW-SP.POP.TOTL', 'ObservationsRecorded'],
      ['series-BHS-SP.POP.TOTL', 'ObservationsRecorded'],
      ['series-FRA-SP.POP.TOTL', 'ObservationsRecorded'],
      ['series-WLD-SP.POP.TOTL', 'ObservationsRecorded'],
      ['ingestion-run-1', 'IngestionRunCompleted'],
    ]);
    expect(events[0]!.data).toMatchObject({ runId: 'run-1', source: 'file', dataset: 'SP.POP.TOTL', trigger: 'manual' });
    expect(events[3]!.data).toEqual({
      country: 'FRA',
      indicator: 'SP.POP.TOTL',
      source: 'file',
      runId: 'run-1',
      changes: [
        { year: 2019, value: 67248926, previous: null },
        { year: 2020, value: 67571107, previous: null },
        { year: 2021, value: 67764304, previous: null },
      ],
    });
    expect(events[4]!.data).toMatchObject({ country: 'WLD', changes: [{ year: 2020, value: 7820206000, previous: null }, { year: 2021 }] });
    expect(events[3]!.metadata).toMatchObject({ actor: 'system:ingestion', source: 'file', correlationId: 'run-1' });
    expect(summary.position).toBe(events.at(-1)!.position);
  });

  it('appends no series event when the same file is ingested again', async () => {
    await ingest(fixture('sp.pop.totl/data.csv'));
    const before = await memory.all();
    const second = await ingest(fixture('sp.pop.totl/data.csv'), { runId: 'run-2' });
    expect(second).toMatchObject({ status: 'completed', rowsRead: 9, rowsChanged: 0, rowsUnchanged: 9, seriesChanged: 0, seriesEvents: 0 });
    const added = (await memory.all()).slice(before.length);
    expect(added.map((e) => [e.streamId, e.type])).toEqual([
      ['ingestion-run-2', 'IngestionRunStarted'],
      ['ingestion-run-2', 'IngestionRunCompleted'],
    ]);
  });

  it('records a changed value as one event carrying the previous value', async () => {
    await ingest(fixture('sp.pop.totl/data.csv'));
    tmp = await mkdtemp(join(tmpdir(), 'ingestion-'));
    await mkdir(join(tmp, 'sp.pop.totl'));
    const changed = (await readFile(fixture('sp.pop.totl/data.csv'), 'utf8')).replace('France,FRA,2021,67764304', 'France,FRA,2021,67764999');
    await writeFile(join(tmp, 'sp.pop.totl', 'data.csv'), changed);
    const before = (await memory.all()).length;

    const summary = await ingest(tmp, { runId: 'run-3' });
    expect(summary).toMatchObject({ status: 'completed', rowsChanged: 1, rowsUnchanged: 8, seriesChanged: 1 });
    const added = seriesEvents((await memory.all()).slice(before));
    expect(added).toHaveLength(1);
    expect(added[0]!.streamId).toBe('series-FRA-SP.POP.TOTL');
    expect(added[0]!.data).toMatchObject({ runId: 'run-3', changes: [{ year: 2021, value: 67764999, previous: 67764304 }] });
  });

  it('fails the run on a bad header and appends no series event', async () => {
    const summary = await ingest(fixture('bad-header/sp.pop.totl/data.csv'), { runId: 'run-bad' });
    expect(summary.status).toBe('failed');
    expect(summary.reason).toMatch(/unexpected header/);
    const events = await memory.all();
    expect(events.map((e) => e.type)).toEqual(['IngestionRunStarted', 'IngestionRunFailed']);
    expect(events[1]!.data).toMatchObject({ runId: 'run-bad', reason: expect.stringMatching(/unexpected header/) });
  });

  it('checks every file of a folder before writing any series', async () => {
    const summary = await ingest(fixture('multi-bad'));
    expect(summary.status).toBe('failed');
    expect(seriesEvents(await memory.all())).toEqual([]);
  });

  it('fails the run when the path does not exist', async () => {
    const summary = await ingest('/nonexistent/sp.pop.totl/data.csv');
    expect(summary).toMatchObject({ status: 'failed', reason: expect.stringMatching(/ENOENT/) });
    expect((await memory.all()).map((e) => e.type)).toEqual(['IngestionRunStarted', 'IngestionRunFailed']);
  });

  it('counts and lists rejected rows while the valid rows land', async () => {
    const summary = await ingest(fixture('bad-rows/sp.pop.grow/data.csv'), { runId: 'run-rows', concurrency: 1 });
    expect(summary).toMatchObject({ status: 'completed', rowsRead: 9, rowsChanged: 3, rowsRejected: 6, seriesChanged: 3 });
    const events = await memory.all();
    expect(seriesEvents(events).map((e) => e.streamId)).toEqual(['series-ABW-SP.POP.GROW', 'series-BHS-SP.POP.GROW', 'series-FRA-SP.POP.GROW']);
    const completed = events.at(-1)!;
    expect(completed.type).toBe('IngestionRunCompleted');
    expect(completed.data).toMatchObject({ rowsRejected: 6, rejected: expect.arrayContaining([{ row: 3, reason: 'invalid value "abc"', raw: 'Aruba,ABW,2021,abc' }]) });
    expect((completed.data as { rejected: unknown[] }).rejected).toHaveLength(6);
  });

  it('ingests a folder of indicator folders in one run, with an explicit indicator refused for several files', async () => {
    const summary = await ingest(fixture('multi'), { concurrency: 2 });
    expect(summary).toMatchObject({ status: 'completed', rowsRead: 10, rowsChanged: 10, seriesChanged: 5 });
    expect(seriesEvents(await memory.all()).map((e) => e.streamId).sort()).toContain('series-FRA-SP.POP.GROW');
    expect(await ingest(fixture('multi'), { indicator: 'SP.POP.TOTL' })).toMatchObject({ status: 'failed' });
  });

  it('takes an explicit indicator for a single file and reports progress', async () => {
    const progress: number[] = [];
    const summary = await ingest(fixture('sp.pop.totl/data.csv'), { indicator: 'sp.pop.grow', onProgress: (p) => progress.push(p.rowsRead) });
    expect(summary.status).toBe('completed');
    expect(seriesEvents(await memory.all()).every((e) => e.streamId.endsWith('-SP.POP.GROW'))).toBe(true);
    expect(progress.at(-1)).toBe(9);
  });
});

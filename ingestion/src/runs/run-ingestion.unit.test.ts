import type { EventStore } from '@nationpulse/ports';
import { describe, expect, it } from 'vitest';
import { useMemoryEventStore } from '../testing/event-store.ts';
import { runIngestion } from './run-ingestion.ts';
import type { Source, SourceItem } from './source.ts';

const clock = { now: () => new Date('2026-07-01T12:00:00Z') };
const memory = useMemoryEventStore();

const series = (country: string, indicator: string, ...values: [number, number][]): SourceItem => ({
  kind: 'series',
  country,
  indicator,
  observations: values.map(([year, value]) => ({ year, value })),
});

/** A source over a fixed list of items, recording what the engine pulled. */
const listSource = (items: SourceItem[], check: () => Promise<void> = async () => {}) => {
  const pulled: number[] = [];
  const source: Source = {
    describe: () => ({ source: 'demo', dataset: 'test', parameters: { items: items.length } }),
    check,
    async *series() {
      for (const [i, item] of items.entries()) {
        pulled.push(i);
        yield item;
      }
    },
  };
  return { source, pulled };
};

describe('runIngestion', () => {
  it('records the description in IngestionRunStarted and the counts in IngestionRunCompleted', async () => {
    const { source } = listSource([
      series('FRA', 'SP.POP.TOTL', [2020, 1], [2021, 2]),
      { kind: 'rejected', row: 7, reason: 'invalid value "x"', raw: 'x'.repeat(900) },
      { kind: 'progress', unit: 'rows', done: 3, total: 3 },
      series('DEU', 'SP.POP.TOTL', [2020, 3]),
    ]);
    const progress: number[] = [];
    const summary = await runIngestion({ source, eventStore: memory.store, clock, trigger: 'schedule', runId: 'r1', actor: 'user-1', onProgress: (p) => progress.push(p.done) });
    expect(summary).toMatchObject({ status: 'completed', source: 'demo', dataset: 'test', rowsRead: 4, rowsChanged: 3, rowsRejected: 1, seriesChanged: 2 });
    const events = await memory.all();
    expect(events[0]).toMatchObject({ type: 'IngestionRunStarted', data: { source: 'demo', dataset: 'test', trigger: 'schedule', parameters: { items: 4 } } });
    expect(events[0]!.metadata).toMatchObject({ actor: 'user-1', correlationId: 'r1' });
    const completed = events.at(-1)!;
    expect(completed.type).toBe('IngestionRunCompleted');
    expect((completed.data as { rejected: { raw: string }[] }).rejected[0]!.raw).toHaveLength(500);
    expect(progress).toContain(3);
  });

  it('fails the run before anything is appended when the check fails, without reading the series', async () => {
    const { source, pulled } = listSource([series('FRA', 'SP.POP.TOTL', [2020, 1])], async () => {
      throw new Error('wrong header');
    });
    const summary = await runIngestion({ source, eventStore: memory.store, clock, trigger: 'manual', runId: 'bad' });
    expect(summary).toMatchObject({ status: 'failed', reason: 'wrong header', rowsRead: 0 });
    expect(pulled).toEqual([]);
    expect((await memory.all()).map((e) => e.type)).toEqual(['IngestionRunStarted', 'IngestionRunFailed']);
  });

  it('fails the run with the error a source throws midway, keeping what was already written', async () => {
    const source: Source = {
      describe: () => ({ source: 'demo', dataset: 'test', parameters: {} }),
      check: async () => {},
      async *series() {
        yield series('FRA', 'SP.POP.TOTL', [2020, 1]);
        throw new Error('connection reset');
      },
    };
    const summary = await runIngestion({ source, eventStore: memory.store, clock, trigger: 'manual', concurrency: 1 });
    expect(summary).toMatchObject({ status: 'failed', reason: 'connection reset' });
    expect((await memory.all()).map((e) => e.type)).toEqual(['IngestionRunStarted', 'ObservationsRecorded', 'IngestionRunFailed']);
  });

  it('records a series key that comes again as a second part, the later value winning', async () => {
    const { source } = listSource([series('FRA', 'SP.POP.TOTL', [2020, 1]), series('DEU', 'SP.POP.TOTL', [2020, 2]), series('FRA', 'SP.POP.TOTL', [2021, 5])]);
    const summary = await runIngestion({ source, eventStore: memory.store, clock, trigger: 'manual', concurrency: 1 });
    expect(summary).toMatchObject({ status: 'completed', rowsChanged: 3, seriesChanged: 3 });
    const fra = (await memory.all()).filter((e) => e.streamId === 'series-FRA-SP.POP.TOTL');
    expect(fra.map((e) => (e.data as { changes: unknown[] }).changes)).toEqual([[{ year: 2020, value: 1, previous: null }], [{ year: 2021, value: 5, previous: null }]]);
  });

  it('pulls from the source no further ahead than the concurrency window (backpressure)', async () => {
    const countries = ['FRA', 'DEU', 'ITA', 'ESP', 'PRT'];
    const indicators = ['SP.POP.TOTL', 'SP.POP.GROW', 'SP.DYN.CBRT.IN', 'SP.DYN.CDRT.IN'];
    const { source, pulled } = listSource(indicators.flatMap((indicator) => countries.map((country, i) => series(country, indicator, [2020, i]))));
    let maxAhead = 0;
    const slow: EventStore = {
      ...memory.store,
      append: async (...args: Parameters<EventStore['append']>) => {
        await new Promise((r) => setTimeout(r, 2));
        const appended = (await memory.all()).filter((e) => e.type === 'ObservationsRecorded').length;
        maxAhead = Math.max(maxAhead, pulled.length - appended);
        return memory.store.append(...args);
      },
    };
    const summary = await runIngestion({ source, eventStore: slow, clock, trigger: 'manual', concurrency: 3 });
    expect(summary).toMatchObject({ status: 'completed', seriesChanged: 20 });
    expect(maxAhead).toBeLessThanOrEqual(4);
  });

  it('fails the run when its signal is aborted', async () => {
    const controller = new AbortController();
    const source: Source = {
      describe: () => ({ source: 'demo', dataset: 'test', parameters: {} }),
      check: async () => {},
      async *series() {
        yield series('FRA', 'SP.POP.TOTL', [2020, 1]);
        controller.abort(new Error('operator cancelled the run'));
        yield series('DEU', 'SP.POP.TOTL', [2020, 1]);
      },
    };
    const summary = await runIngestion({ source, eventStore: memory.store, clock, trigger: 'manual', concurrency: 1, signal: controller.signal });
    expect(summary).toMatchObject({ status: 'failed', reason: 'operator cancelled the run' });
    expect((await memory.all()).some((e) => e.streamId === 'series-DEU-SP.POP.TOTL')).toBe(false);
  });

  it('gives the event loop a turn every yieldEveryMs of a long synchronous parse and diff, with the same result', async () => {
    const items = Array.from({ length: 30 }, (_, i) => series(`C${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}`, 'SP.POP.TOTL', [2020, i], [2021, i + 1]));
    const first = await runIngestion({ source: listSource(items).source, eventStore: memory.store, clock, trigger: 'manual', runId: 'first' });
    expect(first).toMatchObject({ status: 'completed', seriesChanged: 30 });

    /**
     * Re-ingests the same data (every series is read and diffed, nothing is appended) with 2 ms
     * of synchronous parsing per series; answers how many series had been pulled when an
     * immediate queued at the first one got to run.
     */
    const slowRun = async (runId: string, yieldEveryMs?: number) => {
      let pulled = 0;
      let pulledWhenImmediateRan: number | null = null;
      const source: Source = {
        describe: () => ({ source: 'demo', dataset: 'test', parameters: {} }),
        check: async () => {},
        async *series() {
          for (const item of items) {
            if (pulled === 0) setImmediate(() => (pulledWhenImmediateRan = pulled));
            const until = performance.now() + 2;
            while (performance.now() < until);
            pulled++;
            yield item;
          }
        },
      };
      const { runId: _runId, position: _position, durationMs: _durationMs, ...summary } = await runIngestion({
        source,
        eventStore: memory.store,
        clock,
        trigger: 'manual',
        runId,
        ...(yieldEveryMs === undefined ? {} : { yieldEveryMs }),
      });
      return { summary, pulledWhenImmediateRan };
    };

    const paced = await slowRun('paced');
    const unpaced = await slowRun('unpaced', Infinity);
    expect(paced.summary).toMatchObject({ status: 'completed', rowsRead: 60, rowsUnchanged: 60, rowsChanged: 0, seriesChanged: 0 });
    expect(paced.summary).toEqual(unpaced.summary);
    // Paced, the immediate ran within the first ~10 ms of the 60 ms of parsing; unpaced, the
    // loop never gave the event loop a turn until the source was exhausted.
    expect(paced.pulledWhenImmediateRan).toBeGreaterThan(0);
    expect(paced.pulledWhenImmediateRan).toBeLessThan(items.length / 2);
    expect(unpaced.pulledWhenImmediateRan).toBe(items.length);
  });
});

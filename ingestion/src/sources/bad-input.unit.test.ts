import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countryCode, isNationPulseError, observationValue, observationYear } from '@nationpulse/domain';
import { nastyString, nastyValue } from '@nationpulse/platform/testing/hostile-input';
import { countries } from '@nationpulse/reference-data';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sourcesConfigSchema } from '../config.ts';
import { runIngestion } from '../runs/run-ingestion.ts';
import { readAllEvents } from '../testing/event-store.ts';
import { fixtureText } from '../testing/fixtures.ts';
import { governmentFinanceMapping } from '../testing/sdmx-mappings.ts';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { readSdmxCsv } from './sdmx/sdmx-csv.parser.ts';
import { readSdmxJson } from './sdmx/sdmx-json.parser.ts';
import { compileMapping, type SdmxRecord } from './sdmx/sdmx-mapping.ts';
import { createSource, type SourceSpecInput } from './source-spec.ts';
import { parseWorldBankPage, readWorldBankRow } from './world-bank-api/world-bank-api.parser.ts';

/**
 * Every ingestion format with arbitrary and mutated input: a parser either refuses the input as a
 * whole with a stable error (structural) or yields rows and rejections — and every row it yields
 * is one the domain accepts, so that a bad value is a rejected row, never a failed write halfway
 * through a run. A run over a file either fails with nothing but its own events, or completes
 * with the valid rows landed and the bad ones listed.
 */

const RUNS = { numRuns: 150, seed: 20261202, endOnFailure: true } as const;
const clock = { now: () => new Date('2026-07-01T12:00:00Z') };
const config = sourcesConfigSchema.parse({});
const mapping = compileMapping(governmentFinanceMapping, 'REF_AREA');

/** An observation as ObservationsRecorded will validate it. */
const domainValid = (country: string, year: number, value: number): boolean =>
  countryCode.safeParse(country).success && observationYear.safeParse(year).success && observationValue.safeParse(value).success;

/** A structural refusal is one of ours (a stable code), not a TypeError from deep inside a parser. */
const structural = (e: unknown): string => {
  if (!isNationPulseError(e)) throw e;
  expect(e.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
  return e.code;
};

const checkRecords = (records: Iterable<SdmxRecord>) => {
  for (const record of records) {
    if (record.kind === 'observation') expect(domainValid(record.country, record.year, record.value), JSON.stringify(record)).toBe(true);
  }
};

/** A JSON document with 1-3 values replaced by hostile ones, or removed, anywhere in its tree. */
const mutatedJson = (text: string): fc.Arbitrary<string> => {
  const original: unknown = JSON.parse(text);
  const paths: (string | number)[][] = [];
  const walk = (value: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(original, []);
  const replacement = fc.oneof(nastyValue, fc.constant(undefined), fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(1e308, -1, 99_999, '0999', '99999', 'NaN', 1.5));
  return fc.array(fc.tuple(fc.nat({ max: paths.length - 1 }), replacement), { minLength: 1, maxLength: 3 }).map((changes) => {
    const copy = JSON.parse(text) as Record<string | number, unknown>;
    for (const [index, value] of changes) {
      const path = paths[index]!;
      if (path.length === 0) return JSON.stringify(value ?? null);
      let parent: unknown = copy;
      for (const key of path.slice(0, -1)) parent = parent && typeof parent === 'object' ? (parent as Record<string | number, unknown>)[key] : undefined;
      if (parent && typeof parent === 'object') (parent as Record<string | number, unknown>)[path.at(-1)!] = value;
    }
    return JSON.stringify(copy);
  });
};

/** Text with characters flipped, cut short or doubled: broken quoting, lengths, encodings. */
const mutatedText = (text: string): fc.Arbitrary<string> =>
  fc
    .tuple(fc.array(fc.tuple(fc.nat({ max: text.length - 1 }), fc.oneof(nastyString, fc.constantFrom(',', '"', '\n', ';', ':', '\r', '\uFEFF', '9'))), { maxLength: 4 }), fc.nat({ max: text.length }))
    .map(([edits, cut]) => {
      let out = text;
      for (const [at, insert] of edits) out = out.slice(0, at) + insert + out.slice(at + 1);
      return out.slice(0, Math.max(cut, Math.floor(out.length / 2)));
    });

describe('SDMX-JSON: structural refusal or domain-valid records', () => {
  const base = fixtureText('sdmx/government-finance.json');
  it('mutated messages and arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedJson(base), mutatedText(base), fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
        try {
          checkRecords(readSdmxJson(text, 'fuzz', mapping).records());
        } catch (e) {
          structural(e);
        }
      }),
      RUNS,
    );
  });
});

describe('SDMX-CSV: structural refusal or domain-valid records', () => {
  const base = fixtureText('sdmx/government-finance.csv');
  it('mutated files and arbitrary lines', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedText(base), fc.array(nastyString, { maxLength: 6 }).map((lines) => [base.split('\n')[0], ...lines].join('\n'))), async (text) => {
        try {
          const records: SdmxRecord[] = [];
          for await (const record of readSdmxCsv(text.split('\n'), 'fuzz', mapping)) records.push(record);
          checkRecords(records);
        } catch (e) {
          structural(e);
        }
      }),
      RUNS,
    );
  });
});

describe('World Bank API JSON: structural refusal or domain-valid rows', () => {
  const base = fixtureText('world-bank-api/sp.pop.totl.page-1.json');
  it('mutated pages and arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedJson(base), mutatedText(base), fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
        let rows: readonly unknown[];
        try {
          rows = parseWorldBankPage(text, 'fuzz').rows;
        } catch (e) {
          structural(e);
          return;
        }
        for (const row of rows) {
          const read = readWorldBankRow(row, 'SP.POP.TOTL');
          if (read.kind === 'row') expect(domainValid(read.country, read.year, read.value), JSON.stringify(row)).toBe(true);
        }
      }),
      RUNS,
    );
  });
});

/** A run over the text as a file: failed with only its own events, or completed with every valid row landed. */
const runOver = async (spec: (path: string) => SourceSpecInput, file: string, text: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'np-ingest-fuzz-'));
  mkdirSync(join(dir, 'sp.pop.totl'));
  const path = join(dir, 'sp.pop.totl', file);
  writeFileSync(path, text);
  const eventStore = createSqliteEventStore({ path: ':memory:' });
  try {
    const summary = await runIngestion({ source: createSource(spec(path), { config }), eventStore, clock, trigger: 'manual', concurrency: 2 });
    const events = await readAllEvents(eventStore);
    if (summary.status === 'failed') expect(events.map((e) => e.type), `failed (${summary.reason}) after appending series`).toEqual(['IngestionRunStarted', 'IngestionRunFailed']);
    return { summary, events };
  } finally {
    await eventStore.close();
  }
};

const codes = countries.map((c) => c.iso3);
/** A valid World Bank CSV row, and rows that are wrong in exactly one field (quoted, so the field count holds). */
const quoted = (s: string) => `"${s.replace(/[\r\n]/g, ' ').replaceAll('"', '""')}"`;
const goodRow = fc.tuple(fc.constantFrom(...codes), fc.integer({ min: 1800, max: 2200 }), fc.double({ min: -1e12, max: 1e12, noNaN: true }));
const badRow = fc.oneof(
  fc.tuple(goodRow, nastyString).map(([[, year, value], s]) => `X,${quoted(`XX${s}`)},${year},${value}`),
  fc.tuple(goodRow, nastyString).map(([[code, , value], s]) => `X,${code},${quoted(`Y${s}`)},${value}`),
  fc.tuple(goodRow, nastyString).map(([[code, year], s]) => `X,${code},${year},${quoted(`V${s}`)}`),
  fc.tuple(goodRow, fc.constantFrom('1799', '2201', '0999', '99999', '2020.5', '-2020')).map(([[code, , value], year]) => `X,${code},${year},${value}`),
  fc.tuple(goodRow, fc.constantFrom('1e999', '-1e400', 'Infinity', 'NaN', '0x10', '1,5', '')).map(([[code, year], value]) => `X,${code},${year},${quoted(value)}`),
  fc.constantFrom('a,b,c', 'only one field', '"unclosed,quote,x,y', 'a,b,c,d,e', ',,,'),
);

describe('World Bank CSV runs: valid rows land, bad rows are listed, a bad header fails the run before any append', () => {
  it('files mixing valid and bad rows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(goodRow, { maxLength: 12, selector: ([code, year]) => `${code}:${year}` }),
        fc.array(badRow, { maxLength: 8 }),
        fc.boolean(),
        async (good, bad, crlf) => {
          // Sorted by country as the World Bank writes them; bad rows sprinkled after.
          const lines = ['Country Name,Country Code,Year,Value', ...[...good].sort((a, b) => a[0].localeCompare(b[0])).map(([code, year, value]) => `X,${code},${year},${value}`), ...bad];
          const { summary, events } = await runOver((path) => ({ kind: 'world-bank-csv', path }), 'data.csv', lines.join(crlf ? '\r\n' : '\n'));
          expect(summary.status, summary.reason).toBe('completed');
          expect(summary.rowsRejected).toBe(bad.length);
          const landed = new Map<string, number>();
          for (const e of events) if (e.type === 'ObservationsRecorded') for (const c of (e.data as { changes: { year: number; value: number }[] }).changes) landed.set(`${(e.data as { country: string }).country}:${c.year}`, c.value);
          for (const [code, year, value] of good) expect(landed.get(`${code}:${year}`), `${code} ${year}`).toBe(Object.is(value, -0) ? 0 : value);
        },
      ),
      { ...RUNS, numRuns: 60 },
    );
  }, 60_000);

  it('arbitrary or mutated files', async () => {
    const base = fixtureText('sp.pop.totl/data.csv');
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedText(base), fc.string({ unit: 'binary', maxLength: 300 })), async (text) => {
        await runOver((path) => ({ kind: 'world-bank-csv', path }), 'data.csv', text);
      }),
      { ...RUNS, numRuns: 60 },
    );
  }, 60_000);
});

describe('SDMX-CSV runs: fail before any append, or complete', () => {
  it('mutated files', async () => {
    const base = fixtureText('sdmx/government-finance.csv');
    await fc.assert(
      fc.asyncProperty(mutatedText(base), async (text) => {
        await runOver((path) => ({ kind: 'sdmx-csv', path, indicators: governmentFinanceMapping }), 'data.csv', text);
      }),
      { ...RUNS, numRuns: 60 },
    );
  }, 60_000);
});

describe('values the domain would refuse are rejected rows, not a run failed halfway (found by the properties above)', () => {
  it('an SDMX-CSV year outside 1800-2200 or a value overflowing with UNIT_MULT: the row is listed, the rest lands', async () => {
    const [header, ...rows] = fixtureText('sdmx/government-finance.csv').trim().split('\n');
    const text = [header, ...rows, 'DATAFLOW,OECD.SDD.NAD:DSD_NASEC10@DF_TABLE12(1.1),I,A,FRA,S13,OTE,PT_B1GQ,9022,36.4,A,0', 'DATAFLOW,OECD.SDD.NAD:DSD_NASEC10@DF_TABLE12(1.1),I,A,FRA,S13,OTE,PT_B1GQ,2019,1e300,A,99'].join('\n');
    const { summary, events } = await runOver((path) => ({ kind: 'sdmx-csv', path, indicators: governmentFinanceMapping }), 'data.csv', text);
    // The fixture's own rejected row (an OECD aggregate) and the two added.
    expect(summary).toMatchObject({ status: 'completed', rowsRejected: 3 });
    expect(summary.rejected.map((r) => r.reason)).toEqual(expect.arrayContaining(['GC.XPN.TOTL.GD.ZS: year 9022 is outside 1800-2200', 'GC.XPN.TOTL.GD.ZS: value "1e300" × 10^99 is out of range']));
    expect(events.filter((e) => e.type === 'ObservationsRecorded').length).toBeGreaterThan(0);
  });

  it('a World Bank API row dated outside 1800-2200', () => {
    const row = { indicator: { id: 'SP.POP.TOTL' }, country: { id: 'FR', value: 'France' }, countryiso3code: 'FRA', date: '3021', value: 1 };
    expect(readWorldBankRow(row, 'SP.POP.TOTL')).toMatchObject({ kind: 'rejected', reason: 'year 3021 is outside 1800-2200' });
  });
});

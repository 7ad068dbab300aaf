import { NationPulseError } from '@nationpulse/domain';
import { describe, expect, it } from 'vitest';
import { sourcesConfigSchema } from '../config.ts';
import { fixture } from '../testing/fixtures.ts';
import { createSource, datasetOf, parseSourceSpec, sourceSpecSchema } from './source-spec.ts';

const config = sourcesConfigSchema.parse({});

describe('sourceSpecSchema', () => {
  it('reads each kind, with its defaults, upper-casing codes', () => {
    expect(parseSourceSpec({ kind: 'world-bank-csv', path: '/data/x', indicator: 'sp.pop.totl' })).toEqual({ kind: 'world-bank-csv', path: '/data/x', indicator: 'SP.POP.TOTL' });
    expect(parseSourceSpec({ kind: 'world-bank-api', indicators: ['sp.pop.totl'], countries: ['fra', 'DE'], fromYear: 2000, toYear: 2020 })).toEqual({
      kind: 'world-bank-api',
      indicators: ['SP.POP.TOTL'],
      countries: ['FRA', 'DE'],
      fromYear: 2000,
      toYear: 2020,
    });
    const mapping = [{ indicator: 'GC.REV.XGRT.GD.ZS', dimensions: { TRANSACTION: 'OTR', UNIT_MEASURE: 'PT_B1GQ' } }];
    expect(parseSourceSpec({ kind: 'oecd-sdmx', dataflow: 'OECD.SDD.NAD,DSD_NASEC10@DF_TABLE12,1.1', indicators: mapping })).toMatchObject({
      key: 'all',
      format: 'csv',
      countryDimension: 'REF_AREA',
    });
    expect(parseSourceSpec({ kind: 'sdmx-csv', path: 'f.csv', indicators: mapping })).toMatchObject({ kind: 'sdmx-csv', countryDimension: 'REF_AREA' });
  });

  it('refuses an unknown kind, an unknown indicator, a bad year range and an empty mapping, naming each problem', () => {
    expect(sourceSpecSchema.safeParse({ kind: 'ftp', path: 'x' }).success).toBe(false);
    const error = (() => {
      try {
        parseSourceSpec({ kind: 'world-bank-api', indicators: ['NOT.AN.INDICATOR'], fromYear: 2020, toYear: 2000 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NationPulseError);
    expect(error).toMatchObject({ kind: 'validation', code: 'SOURCE_SPEC_INVALID' });
    expect((error as Error).message).toMatch(/indicators\.0: unknown indicator/);
    expect((error as Error).message).toMatch(/fromYear must not be after toYear/);
    expect(() => parseSourceSpec({ kind: 'oecd-sdmx', dataflow: 'OECD,DF', indicators: [] })).toThrow(/indicators/);
    expect(() => parseSourceSpec({ kind: 'oecd-sdmx', dataflow: 'no spaces allowed', indicators: [{ indicator: 'SP.POP.TOTL', dimensions: { A: 'B' } }] })).toThrow(/dataflow/);
  });
});

describe('datasetOf', () => {
  it('names the dataset a spec ingests (the ingestion lock key), the same for equivalent specs', () => {
    const mapping = [{ indicator: 'GC.REV.XGRT.GD.ZS', dimensions: { TRANSACTION: 'OTR' } }];
    expect(datasetOf(parseSourceSpec({ kind: 'world-bank-csv', path: '/data/wdi' }))).toBe('world-bank-csv:WDI');
    expect(datasetOf(parseSourceSpec({ kind: 'world-bank-csv', path: '/data/sp.pop.totl/data.csv' }))).toBe('world-bank-csv:SP.POP.TOTL');
    expect(datasetOf(parseSourceSpec({ kind: 'world-bank-csv', path: '/data/x.csv', indicator: 'sp.pop.grow' }))).toBe('world-bank-csv:SP.POP.GROW');
    expect(datasetOf(parseSourceSpec({ kind: 'sdmx-csv', path: 'downloads/oecd', indicators: mapping }))).toBe('sdmx-csv:OECD');
    const api = datasetOf(parseSourceSpec({ kind: 'world-bank-api', indicators: ['SP.POP.TOTL', 'NY.GDP.MKTP.CD', 'sp.pop.totl'] }));
    expect(api).toBe('world-bank-api:NY.GDP.MKTP.CD+SP.POP.TOTL');
    expect(datasetOf(parseSourceSpec({ kind: 'world-bank-api', indicators: ['NY.GDP.MKTP.CD', 'SP.POP.TOTL'], fromYear: 2000 }))).toBe(api);
    const oecd = (dataflow: string) => datasetOf(parseSourceSpec({ kind: 'oecd-sdmx', dataflow, indicators: mapping }));
    expect(oecd('OECD.SDD.NAD,DSD_NASEC10@DF_TABLE12,1.1')).toBe('oecd-sdmx:OECD.SDD.NAD,DSD_NASEC10@DF_TABLE12');
    expect(oecd('OECD.SDD.NAD,DSD_NASEC10@DF_TABLE12')).toBe(oecd('OECD.SDD.NAD,DSD_NASEC10@DF_TABLE12,1.0'));
  });

  it('refuses unknown keys, so a misspelt parameter never silently changes a run', () => {
    expect(() => parseSourceSpec({ kind: 'world-bank-api', indicators: ['SP.POP.TOTL'], fromyear: 2000 })).toThrow(/fromyear/);
  });
});

describe('createSource', () => {
  it('builds the World Bank CSV file source from its spec', () => {
    const source = createSource({ kind: 'world-bank-csv', path: fixture('sp.pop.totl/data.csv') }, { config });
    expect(source.describe()).toEqual({ source: 'file', dataset: 'SP.POP.TOTL', parameters: { path: fixture('sp.pop.totl/data.csv'), format: 'world-bank-csv' } });
  });

  it('validates the spec first', () => {
    expect(() => createSource({ kind: 'world-bank-csv', path: '' }, { config })).toThrow(/path/);
  });
});

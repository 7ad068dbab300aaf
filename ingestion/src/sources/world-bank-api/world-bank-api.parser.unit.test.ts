import { describe, expect, it } from 'vitest';
import { fixtureText } from '../../testing/fixtures.ts';
import { parseWorldBankPage, readWorldBankRow } from './world-bank-api.parser.ts';

const row = (overrides: Record<string, unknown> = {}) => ({
  indicator: { id: 'SP.POP.TOTL', value: 'Population, total' },
  country: { id: 'FR', value: 'France' },
  countryiso3code: 'FRA',
  date: '2021',
  value: 67764304,
  unit: '',
  obs_status: '',
  decimal: 0,
  ...overrides,
});

describe('parseWorldBankPage', () => {
  it('reads the meta and rows of a recorded page', () => {
    const { meta, rows } = parseWorldBankPage(fixtureText('world-bank-api/sp.pop.totl.page-1.json'), 'test');
    expect(meta).toEqual({ page: 1, pages: 2, per_page: 4, total: 8, lastupdated: '2026-07-01' });
    expect(rows).toHaveLength(4);
  });

  it('reads an empty answer ([meta, null])', () => {
    expect(parseWorldBankPage(fixtureText('world-bank-api/empty.json'), 'test')).toMatchObject({ meta: { total: 0 }, rows: [] });
  });

  it('throws the HTTP-200 error body as WORLD_BANK_API_ERROR', () => {
    expect(() => parseWorldBankPage(fixtureText('world-bank-api/error-invalid-value.json'), 'XX.BAD')).toThrow(
      expect.objectContaining({ kind: 'validation', code: 'WORLD_BANK_API_ERROR', message: expect.stringContaining('Invalid value') }),
    );
  });

  it('refuses what is not a page', () => {
    for (const body of ['<html>', '{"a":1}', '[{"page":1},[]]', '[{"page":1,"pages":1,"per_page":1,"total":1},{"x":1}]']) {
      expect(() => parseWorldBankPage(body, 'test')).toThrow(expect.objectContaining({ code: 'WORLD_BANK_API_MALFORMED' }));
    }
  });
});

describe('readWorldBankRow', () => {
  it('reads a country, an aggregate, and a row matched on its ISO2 code', () => {
    expect(readWorldBankRow(row(), 'SP.POP.TOTL')).toEqual({ kind: 'row', country: 'FRA', year: 2021, value: 67764304 });
    expect(readWorldBankRow(row({ country: { id: '1W', value: 'World' }, countryiso3code: 'WLD' }), 'SP.POP.TOTL')).toMatchObject({ country: 'WLD' });
    expect(readWorldBankRow(row({ country: { id: 'NA', value: 'Namibia' }, countryiso3code: '' }), 'SP.POP.TOTL')).toMatchObject({ country: 'NAM' });
  });

  it('skips a missing value and rejects what it cannot place', () => {
    expect(readWorldBankRow(row({ value: null }), 'SP.POP.TOTL')).toEqual({ kind: 'missing' });
    expect(readWorldBankRow(row({ countryiso3code: 'XXX' }), 'SP.POP.TOTL')).toMatchObject({ kind: 'rejected', reason: 'unknown country or aggregate code XXX' });
    expect(readWorldBankRow(row({ date: '2021Q1' }), 'SP.POP.TOTL')).toMatchObject({ kind: 'rejected', reason: 'not an annual date "2021Q1"' });
    expect(readWorldBankRow(row({ value: '12' }), 'SP.POP.TOTL')).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/^unreadable row: value/) });
    expect(readWorldBankRow(row(), 'SP.POP.GROW')).toMatchObject({ kind: 'rejected', reason: 'row of indicator SP.POP.TOTL, expected SP.POP.GROW' });
  });
});

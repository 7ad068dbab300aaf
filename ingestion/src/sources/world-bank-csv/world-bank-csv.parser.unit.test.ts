import { describe, expect, it } from 'vitest';
import { fixture } from '../../testing/fixtures.ts';
import {
  checkFileHeader,
  CsvStructureError,
  indicatorFor,
  parseWorldBankCsvFile,
  parseWorldBankCsvLines,
  splitCsvLine,
  type CsvLine,
} from './world-bank-csv.parser.ts';

const collect = async (lines: AsyncIterable<CsvLine>): Promise<CsvLine[]> => {
  const out: CsvLine[] = [];
  for await (const line of lines) out.push(line);
  return out;
};
const HEADER = 'Country Name,Country Code,Year,Value';

describe('splitCsvLine', () => {
  it('handles quoted fields with commas and escaped quotes', () => {
    expect(splitCsvLine('"Bahamas, The",BHS,1960,116317')).toEqual(['Bahamas, The', 'BHS', '1960', '116317']);
    expect(splitCsvLine('"Say ""hi"", world",FRA,2020,1')).toEqual(['Say "hi", world', 'FRA', '2020', '1']);
    expect(splitCsvLine('a,,c,')).toEqual(['a', '', 'c', '']);
  });
  it('returns null on an unclosed quote or text after a closing quote', () => {
    expect(splitCsvLine('"Bahamas, The,BHS,1960,1')).toBeNull();
    expect(splitCsvLine('"Bahamas"x,BHS,1960,1')).toBeNull();
  });
});

describe('parseWorldBankCsvFile', () => {
  it('streams a CRLF file with quoted names into rows', async () => {
    const lines = await collect(parseWorldBankCsvFile(fixture('sp.pop.totl/data.csv')));
    expect(lines).toHaveLength(9);
    expect(lines[0]).toEqual({ kind: 'row', line: 2, countryCode: 'ABW', year: 2020, value: 106585 });
    expect(lines[2]).toEqual({ kind: 'row', line: 4, countryCode: 'BHS', year: 2020, value: 406471 });
    expect(lines.at(-1)).toEqual({ kind: 'row', line: 10, countryCode: 'WLD', year: 2021, value: 7888305000 });
  });

  it('rejects bad rows with their line and reason and keeps the good ones', async () => {
    const lines = await collect(parseWorldBankCsvFile(fixture('bad-rows/sp.pop.grow/data.csv')));
    const rows = lines.filter((l) => l.kind === 'row');
    const rejected = lines.filter((l) => l.kind === 'rejected');
    expect(rows.map((r) => [r.countryCode, r.year, r.value])).toEqual([
      ['ABW', 2020, 0.41],
      ['BHS', 2021, 1.1],
      ['FRA', 2021, 0.25],
    ]);
    expect(rejected.map((r) => [r.line, r.reason])).toEqual([
      [3, 'invalid value "abc"'],
      [4, 'invalid year "19x0"'],
      [6, 'unknown country or aggregate code ZZZ'],
      [7, 'invalid country code "fra"'],
      [8, 'expected 4 fields, found 3'],
      [10, 'malformed quoting'],
    ]);
    expect(rejected[0]).toMatchObject({ raw: 'Aruba,ABW,2021,abc' });
  });

  it('throws a structural error on a wrong header', async () => {
    await expect(collect(parseWorldBankCsvFile(fixture('bad-header/sp.pop.totl/data.csv')))).rejects.toBeInstanceOf(CsvStructureError);
    await expect(checkFileHeader(fixture('bad-header/sp.pop.totl/data.csv'))).rejects.toMatchObject({ code: 'CSV_STRUCTURE_INVALID' });
    await expect(checkFileHeader(fixture('sp.pop.totl/data.csv'))).resolves.toBeUndefined();
  });
});

describe('parseWorldBankCsvLines', () => {
  it('tolerates a BOM, CR line ends, LF-only input and blank lines', async () => {
    const lines = await collect(parseWorldBankCsvLines([`\uFEFF${HEADER}\r`, 'France,FRA,2020,1.5\r', '', 'France,FRA,2021,-2e3']));
    expect(lines).toEqual([
      { kind: 'row', line: 2, countryCode: 'FRA', year: 2020, value: 1.5 },
      { kind: 'row', line: 4, countryCode: 'FRA', year: 2021, value: -2000 },
    ]);
  });
  it('fails before yielding anything when the header is wrong or missing', async () => {
    await expect(collect(parseWorldBankCsvLines(['Country Name,Country Code,Year', 'France,FRA,2020,1']))).rejects.toBeInstanceOf(CsvStructureError);
    await expect(collect(parseWorldBankCsvLines([]))).rejects.toThrow(/empty/);
  });
  it('rejects empty and non-finite values', async () => {
    const lines = await collect(parseWorldBankCsvLines([HEADER, 'France,FRA,2020,', 'France,FRA,2021,Infinity', 'France,FRA,2022,1e999']));
    expect(lines.map((l) => l.kind)).toEqual(['rejected', 'rejected', 'rejected']);
  });
});

describe('indicatorFor', () => {
  it('derives the indicator from the folder name, or takes an explicit one', () => {
    expect(indicatorFor('/data/sp.pop.totl/data.csv')).toBe('SP.POP.TOTL');
    expect(indicatorFor('/tmp/upload.csv', 'sp.dyn.le00.in')).toBe('SP.DYN.LE00.IN');
  });
  it('refuses an unknown indicator', () => {
    expect(() => indicatorFor('/tmp/data.csv')).toThrow(CsvStructureError);
  });
});

import { describe, expect, it } from 'vitest';
import { readFileLines } from '../csv/csv-lines.ts';
import { fixture, fixtureText } from '../../testing/fixtures.ts';
import { governmentFinanceMapping } from '../../testing/sdmx-mappings.ts';
import { readSdmxCsv, readSdmxCsvHeader } from './sdmx-csv.parser.ts';
import { readSdmxJson } from './sdmx-json.parser.ts';
import { codeOf, compileMapping, dataflowId, type SdmxRecord } from './sdmx-mapping.ts';

const mapping = compileMapping(governmentFinanceMapping, 'REF_AREA');

const collect = async (records: AsyncIterable<SdmxRecord> | Iterable<SdmxRecord>): Promise<SdmxRecord[]> => {
  const out: SdmxRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
};

/** What every wire format of the government-finance fixture holds, row numbers aside. */
const observations = (records: SdmxRecord[]) =>
  records.filter((r) => r.kind === 'observation').map(({ country, indicator, year, value }) => `${country} ${indicator} ${year} ${value}`);
const EXPECTED = [
  'AUS GC.XPN.TOTL.GD.ZS 2020 43.2',
  'AUS GC.XPN.TOTL.GD.ZS 2021 40.9',
  'AUS GC.REV.XGRT.GD.ZS 2020 35.1',
  'AUS GC.REV.XGRT.GD.ZS 2021 35.8',
  'AUS GC.REV.XGRT.GD.ZS 2022 36.4',
  'FRA GC.XPN.TOTL.GD.ZS 2020 61.3',
  'FRA GC.XPN.TOTL.GD.ZS 2021 59',
  'FRA GC.REV.XGRT.GD.ZS 2020 52.4',
  'FRA GC.REV.XGRT.GD.ZS 2021 52.6',
  'FRA GC.REV.XGRT.GD.ZS 2022 53.4',
];
const kinds = (records: SdmxRecord[]) => records.reduce<Record<string, number>>((n, r) => ({ ...n, [r.kind]: (n[r.kind] ?? 0) + 1 }), {});

describe('SDMX-CSV', () => {
  it.each([
    ['2.0, codes only (OECD csvfile)', 'sdmx/government-finance.csv', 'id'],
    ['2.0, a name column after each component (OECD csvfilewithlabels)', 'sdmx/government-finance.labels.csv', 'name'],
    ['1.0, "ID: Name" cells (labels=both)', 'sdmx/government-finance.labels-both.csv', 'both'],
  ])('reads %s', async (_name, file, labels) => {
    const lines = fixtureText(file).split('\n');
    expect(readSdmxCsvHeader(lines[0], file, mapping).labels).toBe(labels);
    const records = await collect(readSdmxCsv(readFileLines(fixture(file)), file, mapping));
    expect(observations(records)).toEqual(EXPECTED);
    expect(kinds(records)).toEqual({ observation: 10, missing: 1, unmapped: 1, rejected: 1 });
    expect(records.find((r) => r.kind === 'rejected')).toMatchObject({ row: 14, reason: 'GC.REV.XGRT.GD.ZS: unknown country or aggregate code "OECD"', mapped: true });
  });

  it('reads another delimiter, named after STRUCTURE in a 2.0 header', async () => {
    const text = ['STRUCTURE[|];STRUCTURE_ID;ACTION;REF_AREA;SECTOR;TRANSACTION;UNIT_MEASURE;TIME_PERIOD;OBS_VALUE', 'dataflow;OECD.SDD.NAD:DSD_NASEC10@DF_TABLE12(1.1);I;FRA;S13;OTR;PT_B1GQ;2021;52.6'];
    expect(observations(await collect(readSdmxCsv(text, 'semicolons', mapping)))).toEqual(['FRA GC.REV.XGRT.GD.ZS 2021 52.6']);
  });

  it('scales OBS_VALUE by UNIT_MULT', async () => {
    const national = compileMapping([{ indicator: 'NY.GDP.MKTP.CD', dimensions: { TRANSACTION: 'OTR', UNIT_MEASURE: 'XDC' } }], 'REF_AREA');
    const records = await collect(readSdmxCsv(readFileLines(fixture('sdmx/government-finance.csv')), 'f', national));
    expect(observations(records)).toEqual(['FRA NY.GDP.MKTP.CD 2022 1411200000000']);
  });

  it('rejects bad rows with their line and reason, keeping the good ones', async () => {
    const records = await collect(readSdmxCsv(readFileLines(fixture('sdmx/government-finance.bad-rows.csv')), 'f', mapping));
    expect(observations(records)).toEqual(['AUS GC.REV.XGRT.GD.ZS 2021 35.8', 'FRA GC.REV.XGRT.GD.ZS 2021 52.6']);
    expect(records.filter((r) => r.kind === 'rejected').map((r) => (r.kind === 'rejected' ? [r.row, r.reason] : null))).toEqual([
      [3, 'GC.REV.XGRT.GD.ZS: invalid value "abc"'],
      [4, 'GC.REV.XGRT.GD.ZS: not an annual period "2022-Q1"'],
      [5, 'expected 10 fields, found 9'],
      [6, 'GC.REV.XGRT.GD.ZS: a delete action (D) is not applied by ingestion'],
      [8, 'GC.REV.XGRT.GD.ZS: unknown country or aggregate code "ZZZ"'],
    ]);
  });

  it('refuses what is not SDMX-CSV, or lacks a needed column, before reading any row', () => {
    expect(() => readSdmxCsvHeader('Country Name,Country Code,Year,Value', 'wb.csv', mapping)).toThrow(/not SDMX-CSV/);
    expect(() => readSdmxCsvHeader(undefined, 'empty.csv', mapping)).toThrow(/empty/);
    expect(() => readSdmxCsvHeader('STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,TIME_PERIOD,SECTOR,TRANSACTION,UNIT_MEASURE', 'f', mapping)).toThrow(/no OBS_VALUE/);
    expect(() => readSdmxCsvHeader('STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,TIME_PERIOD,OBS_VALUE', 'f', mapping)).toThrow(
      expect.objectContaining({ code: 'SDMX_STRUCTURE_INVALID', message: 'f: no indicator mapping fits: missing dimension(s) SECTOR, TRANSACTION, UNIT_MEASURE' }),
    );
    expect(() => readSdmxCsvHeader('DATAFLOW,TIME_PERIOD,OBS_VALUE', 'f', mapping)).toThrow(/no REF_AREA dimension/);
  });
});

describe('SDMX-JSON', () => {
  it.each([
    ['2.0 (data.structures, data-set-level dimensions)', 'sdmx/government-finance.json'],
    ['1.0 (data.structure)', 'sdmx/government-finance.v1.json'],
  ])('reads %s into the same observations as the CSV', async (_name, file) => {
    const records = [...readSdmxJson(fixtureText(file), file, mapping).records()];
    expect(observations(records)).toEqual(EXPECTED);
    expect(kinds(records)).toEqual({ observation: 10, missing: 1, unmapped: 1, rejected: 1 });
  });

  it('reads flat observations (dimensionAtObservation=AllDimensions) and UNIT_MULT at data-set level', () => {
    const message = {
      data: {
        structures: [
          {
            dimensions: {
              observation: [
                { id: 'REF_AREA', values: [{ id: 'FRA' }, { id: 'DEU' }] },
                { id: 'SECTOR', values: [{ id: 'S13' }] },
                { id: 'TRANSACTION', values: [{ id: 'OTR' }] },
                { id: 'UNIT_MEASURE', values: [{ id: 'PT_B1GQ' }] },
                { id: 'TIME_PERIOD', values: [{ id: '2020' }, { id: '2021' }] },
              ],
            },
            attributes: { dataSet: [{ id: 'UNIT_MULT', values: [{ id: '0' }] }] },
          },
        ],
        dataSets: [{ structure: 0, attributes: [0], observations: { '0:0:0:0:1': [52.6], '1:0:0:0:0': [46.5] } }],
      },
    };
    expect(observations([...readSdmxJson(JSON.stringify(message), 'flat', mapping).records()])).toEqual(['FRA GC.REV.XGRT.GD.ZS 2021 52.6', 'DEU GC.REV.XGRT.GD.ZS 2020 46.5']);
  });

  it('refuses what is not an SDMX-JSON data message at once', () => {
    expect(() => readSdmxJson('<html>', 'x', mapping)).toThrow(/not JSON/);
    expect(() => readSdmxJson('{"data":{}}', 'x', mapping)).toThrow(/no dataSets/);
    const noTime = { data: { structures: [{ dimensions: { series: [{ id: 'REF_AREA', values: [] }] } }], dataSets: [{ series: {} }] } };
    expect(() => readSdmxJson(JSON.stringify(noTime), 'x', mapping)).toThrow(/no TIME_PERIOD dimension/);
  });
});

describe('SDMX helpers', () => {
  it('reads dataflow references and labelled codes', () => {
    expect(dataflowId('OECD.SDD.NAD:DSD_NASEC10@DF_TABLE12(1.1)')).toBe('DSD_NASEC10@DF_TABLE12');
    expect(dataflowId('OECD.SDD.NAD,DSD_NASEC10@DF_TABLE12,1.1')).toBe('DSD_NASEC10@DF_TABLE12');
    expect(dataflowId('urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=OECD.SDD.NAD:DSD_NASEC10@DF_TABLE12(1.1)')).toBe('DSD_NASEC10@DF_TABLE12');
    expect(dataflowId('DSD_NASEC10@DF_TABLE12')).toBe('DSD_NASEC10@DF_TABLE12');
    expect(codeOf('AUS: Australia')).toBe('AUS');
    expect(codeOf('ESTAT:NA_MAIN(1.6.0): National Accounts')).toBe('ESTAT:NA_MAIN(1.6.0)');
  });
});

import { splitCsvLine, stripBom, stripLineEnd } from '../csv/csv-lines.ts';
import { codeOf, dataflowId, matchIndicator, readObservation, SdmxStructureError, usableRules, type MappingRule, type SdmxMapping, type SdmxRecord } from './sdmx-mapping.ts';

const MAX_RAW_KEPT = 500;

/** Where things are in an SDMX-CSV file, read from its header. */
export interface SdmxCsvLayout {
  readonly version: '1.0' | '2.0';
  /** 'id': codes only; 'both': `ID: Name` in one cell; 'name': a name column after each component. */
  readonly labels: 'id' | 'both' | 'name';
  readonly delimiter: string;
  readonly width: number;
  /** Column of each component (dimension, measure, attribute) by id. */
  readonly columns: ReadonlyMap<string, number>;
  readonly structureIdColumn: number;
  readonly actionColumn: number | null;
  /** The mapping rules whose dimensions this file has. */
  readonly rules: readonly MappingRule[];
}

const FIXED_V2 = new Set(['STRUCTURE_ID', 'STRUCTURE_NAME', 'ACTION', 'SERIES_KEY', 'OBS_KEY']);

/**
 * Reads an SDMX-CSV header: version 1.0 (`DATAFLOW,…`) or 2.0 (`STRUCTURE,STRUCTURE_ID[,STRUCTURE_NAME],ACTION,…`,
 * its delimiter being the character after `STRUCTURE` or `STRUCTURE[…]`), with component ids
 * alone, as `ID: Name` (labels=both), or each followed by a name column (labels=name, as in the
 * OECD's `csvfilewithlabels`). Throws SdmxStructureError when it is not SDMX-CSV, when
 * REF_AREA (the country dimension), TIME_PERIOD or OBS_VALUE is missing, or when no mapping fits.
 */
export const readSdmxCsvHeader = (line: string | undefined, input: string, mapping: SdmxMapping): SdmxCsvLayout => {
  if (line === undefined) throw new SdmxStructureError(input, 'empty (expected an SDMX-CSV header row)');
  const text = stripLineEnd(stripBom(line));
  const v2 = /^STRUCTURE(\[[^\]]*\])?(.)/.exec(text);
  const version = text.startsWith('DATAFLOW') ? '1.0' : v2 ? '2.0' : null;
  if (!version) throw new SdmxStructureError(input, `not SDMX-CSV: the header ${JSON.stringify(text.slice(0, 80))} starts with neither DATAFLOW (1.0) nor STRUCTURE (2.0)`);
  const delimiter = version === '2.0' ? v2![2]! : ',';
  const fields = splitCsvLine(text, delimiter);
  if (!fields) throw new SdmxStructureError(input, 'malformed quoting in the header');

  let first = 1;
  let actionColumn: number | null = null;
  let labelsByName = false;
  if (version === '2.0') {
    if (fields[1] !== 'STRUCTURE_ID') throw new SdmxStructureError(input, 'SDMX-CSV 2.0 header without STRUCTURE_ID as its second column');
    while (first < fields.length && FIXED_V2.has(fields[first]!)) {
      if (fields[first] === 'ACTION') actionColumn = first;
      if (fields[first] === 'STRUCTURE_NAME') labelsByName = true;
      first++;
    }
  }
  const columns = new Map<string, number>();
  let labelsInCells = false;
  for (let i = first; i < fields.length; i += labelsByName ? 2 : 1) {
    const header = fields[i]!;
    if (header.includes(': ')) labelsInCells = true;
    columns.set(codeOf(header), i);
  }
  if (!columns.has('OBS_VALUE')) throw new SdmxStructureError(input, 'no OBS_VALUE column');
  const rules = usableRules(mapping, new Set(columns.keys()), input);
  return {
    version,
    labels: labelsByName ? 'name' : labelsInCells ? 'both' : 'id',
    delimiter,
    width: fields.length,
    columns,
    structureIdColumn: version === '2.0' ? 1 : 0,
    actionColumn,
    rules,
  };
};

/** Reads one data line of an SDMX-CSV file into a record; null for a blank line. */
export const readSdmxCsvLine = (layout: SdmxCsvLayout, mapping: SdmxMapping, lineNumber: number, line: string): SdmxRecord | null => {
  const text = stripLineEnd(line);
  if (text.trim() === '') return null;
  const raw = () => text.slice(0, MAX_RAW_KEPT);
  const reject = (reason: string, mapped = false): SdmxRecord => ({ kind: 'rejected', row: lineNumber, reason, raw: raw(), mapped });
  const fields = splitCsvLine(text, layout.delimiter);
  if (!fields) return reject('malformed quoting');
  if (fields.length !== layout.width) return reject(`expected ${layout.width} fields, found ${fields.length}`);
  const cell = (id: string): string | undefined => {
    const column = layout.columns.get(id);
    return column === undefined ? undefined : codeOf(fields[column]!);
  };
  const indicator = matchIndicator(layout.rules, dataflowId(codeOf(fields[layout.structureIdColumn]!)), cell);
  if (!indicator) return { kind: 'unmapped' };
  const action = layout.actionColumn === null ? 'I' : codeOf(fields[layout.actionColumn]!).toUpperCase();
  if (action === 'D') return reject(`${indicator}: a delete action (D) is not applied by ingestion`, true);
  const value = fields[layout.columns.get('OBS_VALUE')!]!.trim();
  return readObservation(lineNumber, indicator, { country: cell(mapping.countryDimension) ?? '', period: cell('TIME_PERIOD') ?? '', value, unitMult: cell('UNIT_MULT') ?? '' }, raw);
};

/**
 * Streams the records of SDMX-CSV lines. Without a layout the first line is the header (checked
 * before anything is yielded); with one, the lines are the data lines after it (line 2 onwards).
 */
export async function* readSdmxCsv(lines: AsyncIterable<string> | Iterable<string>, input: string, mapping: SdmxMapping, layout?: SdmxCsvLayout): AsyncGenerator<SdmxRecord> {
  let current = layout;
  let lineNumber = layout ? 1 : 0;
  for await (const line of lines) {
    lineNumber++;
    if (!current) {
      current = readSdmxCsvHeader(line, input, mapping);
      continue;
    }
    const record = readSdmxCsvLine(current, mapping, lineNumber, line);
    if (record) yield record;
  }
  if (!current) readSdmxCsvHeader(undefined, input, mapping);
}

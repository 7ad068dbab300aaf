import { basename, dirname } from 'node:path';
import { NationPulseError } from '@nationpulse/domain';
import { isAggregate, isCountry, isKnownIndicator } from '@nationpulse/reference-data';
import { readFileLines, splitCsvLine, stripLineEnd } from '../csv/csv-lines.ts';

export { readFileLines, splitCsvLine };

/** The exact header of every World Bank `data.csv`. */
export const WORLD_BANK_CSV_HEADER = ['Country Name', 'Country Code', 'Year', 'Value'] as const;
const MAX_RAW_KEPT = 500;

/** The file as a whole cannot be read as World Bank CSV: nothing from it may be ingested. */
export class CsvStructureError extends NationPulseError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super('validation', 'CSV_STRUCTURE_INVALID', `${file}: ${reason}`, { file });
    this.name = 'CsvStructureError';
  }
}

/** One valid observation; `line` is 1-based, the header being line 1. */
export interface CsvRow {
  readonly kind: 'row';
  readonly line: number;
  readonly countryCode: string;
  readonly year: number;
  readonly value: number;
}
/** A line that could not be read: it is reported, the rest of the file is still ingested. */
export interface CsvRejection {
  readonly kind: 'rejected';
  readonly line: number;
  readonly reason: string;
  readonly raw: string;
}
export type CsvLine = CsvRow | CsvRejection;

/** Throws CsvStructureError unless `line` is the World Bank header (a BOM and a CR are tolerated). */
export const checkHeader = (file: string, line: string | undefined): void => {
  if (line === undefined) throw new CsvStructureError(file, 'the file is empty (expected a header row)');
  const text = stripLineEnd(line.startsWith('\uFEFF') ? line.slice(1) : line);
  const fields = splitCsvLine(text);
  if (!fields || fields.length !== WORLD_BANK_CSV_HEADER.length || fields.some((f, i) => f !== WORLD_BANK_CSV_HEADER[i])) {
    throw new CsvStructureError(file, `unexpected header ${JSON.stringify(text.slice(0, 200))}, expected "${WORLD_BANK_CSV_HEADER.join(',')}"`);
  }
};

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const YEAR = /^\d{4}$/;
const CODE = /^[A-Z0-9]{3}$/;

/** Reads one data line into a row or a rejection; null for a blank line. */
export const parseDataLine = (lineNumber: number, line: string): CsvLine | null => {
  const text = stripLineEnd(line);
  if (text.trim() === '') return null;
  const reject = (reason: string): CsvRejection => ({ kind: 'rejected', line: lineNumber, reason, raw: text.slice(0, MAX_RAW_KEPT) });
  const fields = splitCsvLine(text);
  if (!fields) return reject('malformed quoting');
  if (fields.length !== 4) return reject(`expected 4 fields, found ${fields.length}`);
  const [, code, yearText, valueText] = fields as [string, string, string, string];
  if (!CODE.test(code)) return reject(`invalid country code ${JSON.stringify(code)}`);
  if (!isCountry(code) && !isAggregate(code)) return reject(`unknown country or aggregate code ${code}`);
  const year = Number(yearText);
  if (!YEAR.test(yearText) || year < 1800 || year > 2200) return reject(`invalid year ${JSON.stringify(yearText)}`);
  const value = Number(valueText);
  if (!NUMBER.test(valueText) || !Number.isFinite(value)) return reject(`invalid value ${JSON.stringify(valueText)}`);
  return { kind: 'row', line: lineNumber, countryCode: code, year, value };
};

/**
 * Streams a World Bank CSV given as lines (with or without their CR): checks the header first —
 * throwing CsvStructureError before yielding anything — then yields each data line as a row or
 * a rejection. Holds one line at a time.
 */
export async function* parseWorldBankCsvLines(lines: AsyncIterable<string> | Iterable<string>, file = '<input>'): AsyncGenerator<CsvLine> {
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (lineNumber === 1) {
      checkHeader(file, line);
      continue;
    }
    const parsed = parseDataLine(lineNumber, line);
    if (parsed) yield parsed;
  }
  if (lineNumber === 0) checkHeader(file, undefined);
}

/** Streams a World Bank CSV file. */
export const parseWorldBankCsvFile = (path: string, onBytes?: (bytesRead: number) => void): AsyncGenerator<CsvLine> =>
  parseWorldBankCsvLines(readFileLines(path, onBytes), path);

/** Reads only the first line of a file and checks it is the World Bank header. */
export const checkFileHeader = async (path: string): Promise<void> => {
  let first: string | undefined;
  for await (const line of readFileLines(path)) {
    first = line;
    break;
  }
  checkHeader(path, first);
};

/**
 * The indicator a file holds: the explicit code if given, else its folder's name in upper case
 * (`sp.pop.totl/data.csv` → `SP.POP.TOTL`). Throws CsvStructureError for an unknown indicator.
 */
export const indicatorFor = (path: string, explicit?: string): string => {
  const code = (explicit ?? basename(dirname(path))).toUpperCase();
  if (!isKnownIndicator(code)) throw new CsvStructureError(path, `unknown indicator ${JSON.stringify(code)} (name it with --indicator or put the file in a folder named after the indicator code)`);
  return code;
};

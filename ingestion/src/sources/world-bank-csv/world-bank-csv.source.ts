import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Source, SourceItem } from '../../runs/source.ts';
import { createSeriesAssembler } from '../series-assembler.ts';
import { checkFileHeader, CsvStructureError, indicatorFor, parseWorldBankCsvFile } from './world-bank-csv.parser.ts';

export const WORLD_BANK_DATA_FILE = 'data.csv';
const PROGRESS_EVERY_ROWS = 1000;

const isFile = async (path: string): Promise<boolean> => stat(path).then((s) => s.isFile(), () => false);

/** The CSV files a path names: itself, its data.csv, or each sub-folder's data.csv (sorted). */
export const resolveCsvFiles = async (path: string): Promise<string[]> => {
  const info = await stat(path);
  if (info.isFile()) return [path];
  if (await isFile(join(path, WORLD_BANK_DATA_FILE))) return [join(path, WORLD_BANK_DATA_FILE)];
  const files: string[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory() && (await isFile(join(path, entry.name, WORLD_BANK_DATA_FILE)))) files.push(join(path, entry.name, WORLD_BANK_DATA_FILE));
  }
  if (files.length === 0) throw new CsvStructureError(path, `no ${WORLD_BANK_DATA_FILE} in this folder or its sub-folders`);
  return files;
};

export interface WorldBankCsvSourceOptions {
  /** A World Bank `data.csv`, a folder holding one, or a folder of `<indicator>/data.csv`. */
  readonly path: string;
  /** The indicator code; by default the folder name of each file. Only for a single file. */
  readonly indicator?: string;
}

interface PlannedFile {
  readonly file: string;
  readonly indicator: string;
  readonly size: number;
}

/**
 * World Bank CSV files (`Country Name,Country Code,Year,Value`). `check()` reads every file's
 * header and settles its indicator before anything is written. The files are sorted by country
 * code, so a series is complete when the code changes: one series in memory at a time. A year
 * listed twice for a country is rejected.
 */
export const createWorldBankCsvSource = ({ path, indicator }: WorldBankCsvSourceOptions): Source & { files(): readonly string[] } => {
  let plan: PlannedFile[] | null = null;
  const explicit = indicator?.toUpperCase();

  const check = async (): Promise<void> => {
    const files = await resolveCsvFiles(path);
    if (explicit && files.length > 1) throw new CsvStructureError(path, 'an explicit indicator applies to a single file, not a folder of several');
    const checked: PlannedFile[] = [];
    for (const file of files) {
      await checkFileHeader(file);
      checked.push({ file, indicator: indicatorFor(file, explicit), size: (await stat(file)).size });
    }
    plan = checked;
  };

  async function* series(): AsyncGenerator<SourceItem> {
    if (!plan) await check();
    const files = plan ?? [];
    const bytesTotal = files.reduce((sum, p) => sum + p.size, 0);
    let bytesBefore = 0;
    for (const { file, indicator: code, size } of files) {
      let bytesRead = 0;
      let lines = 0;
      const progress = (): SourceItem => ({ kind: 'progress', unit: 'bytes', done: bytesBefore + bytesRead, total: bytesTotal, label: file });
      const assembler = createSeriesAssembler();
      for await (const line of parseWorldBankCsvFile(file, (n) => (bytesRead = n))) {
        if (line.kind === 'rejected') {
          yield { kind: 'rejected', row: line.line, reason: files.length > 1 ? `${code}: ${line.reason}` : line.reason, raw: line.raw };
        } else {
          const { completed, duplicate } = assembler.add(line.countryCode, code, line.year, line.value);
          if (completed) yield completed;
          if (duplicate) yield { kind: 'rejected', row: line.line, reason: `${files.length > 1 ? `${code}: ` : ''}${line.countryCode} ${line.year} is listed twice` };
        }
        if (++lines % PROGRESS_EVERY_ROWS === 0) yield progress();
      }
      const last = assembler.flush();
      if (last) yield last;
      bytesBefore += size;
      bytesRead = 0;
      yield progress();
    }
  }

  const fileOf = path.endsWith('.csv') || basename(path) === WORLD_BANK_DATA_FILE;
  return {
    describe: () => ({
      source: 'file',
      dataset: explicit ?? ((fileOf ? basename(dirname(path)) : basename(path)).toUpperCase() || 'world-bank-csv'),
      parameters: { path, format: 'world-bank-csv', ...(explicit ? { indicator: explicit } : {}) },
    }),
    check,
    series,
    files: () => (plan ?? []).map((p) => p.file),
  };
};

import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Source, SourceItem } from '../../runs/source.ts';
import { readFileLines } from '../csv/csv-lines.ts';
import { readSdmxCsv, readSdmxCsvHeader, type SdmxCsvLayout } from '../sdmx/sdmx-csv.parser.ts';
import { sdmxSourceItems, requireMappedRows, type MappingTally } from '../sdmx/sdmx-items.ts';
import { SdmxStructureError, type SdmxMapping } from '../sdmx/sdmx-mapping.ts';

/** The SDMX-CSV files a path names: itself, or the `*.csv` files of a folder (sorted). */
export const resolveSdmxCsvFiles = async (path: string): Promise<string[]> => {
  const info = await stat(path);
  if (info.isFile()) return [path];
  const files = (await readdir(path, { withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.csv'))
    .map((e) => join(path, e.name))
    .sort((a, b) => a.localeCompare(b));
  if (files.length === 0) throw new SdmxStructureError(path, 'no .csv file in this folder');
  return files;
};

const firstLine = async (file: string): Promise<string | undefined> => {
  for await (const line of readFileLines(file)) return line;
  return undefined;
};

export interface SdmxCsvSourceOptions {
  /** An SDMX-CSV file or a folder of them. */
  readonly path: string;
  readonly mapping: SdmxMapping;
}

/**
 * Local SDMX-CSV files (1.0 or 2.0, with or without labels), e.g. downloads from the OECD Data
 * Explorer. `check()` reads every file's header — format, REF_AREA/TIME_PERIOD/OBS_VALUE,
 * the mapping's dimensions — before anything is written; rows then stream one line at a time.
 */
export const createSdmxCsvSource = ({ path, mapping }: SdmxCsvSourceOptions): Source => {
  let plan: { file: string; layout: SdmxCsvLayout; size: number }[] | null = null;

  const check = async (): Promise<void> => {
    const checked = [];
    for (const file of await resolveSdmxCsvFiles(path)) {
      checked.push({ file, layout: readSdmxCsvHeader(await firstLine(file), file, mapping), size: (await stat(file)).size });
    }
    plan = checked;
  };

  async function* series(): AsyncGenerator<SourceItem> {
    if (!plan) await check();
    const files = plan ?? [];
    const total = files.reduce((sum, f) => sum + f.size, 0);
    const tally: MappingTally = { mapped: 0, unmapped: 0 };
    let before = 0;
    for (const { file, layout, size } of files) {
      let bytesRead = 0;
      const lines = readFileLines(file, (n) => (bytesRead = n));
      // The header was checked; skip it and read the data lines with its layout.
      const dataLines = (async function* () {
        let header = true;
        for await (const line of lines) {
          if (header) header = false;
          else yield line;
        }
      })();
      let count = 0;
      for await (const item of sdmxSourceItems(readSdmxCsv(dataLines, file, mapping, layout), tally, files.length > 1 ? basename(file) : undefined)) {
        yield item;
        if (++count % 1000 === 0) yield { kind: 'progress', unit: 'bytes', done: before + bytesRead, total, label: file };
      }
      before += size;
      yield { kind: 'progress', unit: 'bytes', done: before, total, label: file };
    }
    requireMappedRows(tally, path);
  }

  return {
    describe: () => ({ source: 'file', dataset: basename(path) || path, parameters: { path, format: 'sdmx-csv', indicators: [...new Set(mapping.rules.map((r) => r.indicator))].join(',') } }),
    check,
    series,
  };
};

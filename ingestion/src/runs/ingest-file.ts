import { createWorldBankCsvSource } from '../sources/world-bank-csv/world-bank-csv.source.ts';
import { runIngestion, type IngestionSummary, type RunIngestionOptions } from './run-ingestion.ts';

export interface IngestWorldBankCsvOptions extends Omit<RunIngestionOptions, 'source'> {
  /** A World Bank `data.csv`, a folder holding one, or a folder of `<indicator>/data.csv`. */
  readonly path: string;
  /** The indicator code; by default the folder name of each file. Only for a single file. */
  readonly indicator?: string;
}

export interface WorldBankCsvSummary extends IngestionSummary {
  /** The files the run read (empty when it failed before resolving them). */
  readonly files: readonly string[];
}

/** One ingestion run over World Bank CSV files: the file source through the run engine. */
export const ingestWorldBankCsv = async ({ path, indicator, ...run }: IngestWorldBankCsvOptions): Promise<WorldBankCsvSummary> => {
  const source = createWorldBankCsvSource({ path, ...(indicator ? { indicator } : {}) });
  const summary = await runIngestion({ ...run, source });
  return { ...summary, files: source.files() };
};

export {
  CsvStructureError,
  WORLD_BANK_CSV_HEADER,
  checkFileHeader,
  indicatorFor,
  parseWorldBankCsvFile,
  parseWorldBankCsvLines,
  splitCsvLine,
  type CsvLine,
  type CsvRejection,
  type CsvRow,
} from './sources/world-bank-csv/world-bank-csv.parser.ts';
export {
  DEFAULT_ACTOR,
  FILE_SOURCE,
  ingestWorldBankCsv,
  resolveCsvFiles,
  type IngestWorldBankCsvOptions,
  type IngestionProgress,
  type IngestionRejectedRow,
  type IngestionSummary,
} from './runs/ingest-file.ts';
export { createSeriesWriter, type SeriesWriter } from './runs/series-writer.ts';
export { ingestionConfigSchema, type IngestionConfig } from './config.ts';
export { startIngestionService, type IngestionService } from './service.ts';
export { ingestionServiceConfigSchema, type IngestionServiceConfig, type IngestionSchedule } from './service/config.ts';
export { sourceSpecSchema, datasetOf, type SourceSpec } from './service/source-spec.ts';
export { triggerRemote, type RemoteTriggerOptions, type RemoteRunOutcome } from './remote/trigger-remote.ts';
export { seedDemoData, DEMO_SOURCE, DEMO_DATASET, type SeedDemoDataOptions, type SeedDemoDataResult } from './demo/seed-demo.ts';
export { demoSource, DEMO_SEED, type SeriesBatch } from './demo/demo-source.ts';
export { seedDemoDataOnFirstStart } from './demo/first-start.ts';

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
export { createWorldBankCsvSource, resolveCsvFiles, type WorldBankCsvSourceOptions } from './sources/world-bank-csv/world-bank-csv.source.ts';
export {
  DEFAULT_ACTOR,
  runIngestion,
  type IngestionProgress,
  type IngestionRejectedRow,
  type IngestionSummary,
  type RunIngestionOptions,
} from './runs/run-ingestion.ts';
export type { Observation, ProgressItem, RejectionItem, SeriesItem, Source, SourceDescription, SourceItem } from './runs/source.ts';
export { ingestWorldBankCsv, type IngestWorldBankCsvOptions, type WorldBankCsvSummary } from './runs/ingest-file.ts';
export { createSeriesWriter, type SeriesWriter } from './runs/series-writer.ts';
export {
  createSource,
  datasetOf,
  parseSourceSpec,
  sdmxIndicatorMappingSchema,
  sourceSpecSchema,
  type SdmxIndicatorMapping,
  type SourceDeps,
  type SourceSpec,
  type SourceSpecInput,
} from './sources/source-spec.ts';
export { SdmxStructureError } from './sources/sdmx/sdmx-mapping.ts';
export { ingestionConfigSchema, sourcesConfig, sourcesConfigSchema, type IngestionConfig, type SourcesConfig } from './config.ts';
export { startIngestionService, type IngestionService } from './service.ts';
export { ingestionServiceConfigSchema, type IngestionServiceConfig, type IngestionSchedule } from './service/config.ts';
export { triggerRemote, type RemoteTriggerOptions, type RemoteRunOutcome } from './remote/trigger-remote.ts';
export { seedDemoData, DEMO_SOURCE, DEMO_DATASET, type SeedDemoDataOptions, type SeedDemoDataResult } from './demo/seed-demo.ts';
export { createDemoSource, demoSource, DEMO_SEED, type DemoSourceOptions, type SeriesBatch } from './demo/demo-source.ts';
export { seedDemoDataOnFirstStart } from './demo/first-start.ts';

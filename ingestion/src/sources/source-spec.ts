import { basename, dirname } from 'node:path';
import { NationPulseError } from '@nationpulse/domain';
import { isKnownIndicator } from '@nationpulse/reference-data';
import { z } from 'zod';
import type { SourcesConfig } from '../config.ts';
import type { Source } from '../runs/source.ts';
import { createHttpClient, type HttpClient, type HttpClientOptions } from './http/http-client.ts';
import { createOecdSdmxSource } from './oecd-sdmx/oecd-sdmx.source.ts';
import { createSdmxCsvSource } from './sdmx-csv/sdmx-csv.source.ts';
import { compileMapping } from './sdmx/sdmx-mapping.ts';
import { createWorldBankApiSource } from './world-bank-api/world-bank-api.source.ts';
import { createWorldBankCsvSource } from './world-bank-csv/world-bank-csv.source.ts';

const indicatorCode = z
  .string()
  .trim()
  .transform((code) => code.toUpperCase())
  .refine(isKnownIndicator, { message: 'unknown indicator code (not in the indicator catalogue)' });
const year = z.number().int().min(1800).max(2200);
const path = z.string().trim().min(1);
const dimensionId = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'an SDMX component id such as REF_AREA');

/**
 * Which SDMX series hold one of our indicators: every listed dimension must have the given value
 * (the country and time dimensions excepted). E.g. government revenue, % of GDP:
 * `{ indicator: 'GC.REV.XGRT.GD.ZS', dimensions: { SECTOR: 'S13', TRANSACTION: 'OTR', UNIT_MEASURE: 'PT_B1GQ' } }`.
 */
export const sdmxIndicatorMappingSchema = z.object({
  indicator: indicatorCode,
  /** Only rows of this dataflow (its id, e.g. `DSD_NASEC10@DF_TABLE12`; agency and version are ignored). */
  dataflow: z.string().min(1).optional(),
  dimensions: z.record(dimensionId, z.string().min(1)).refine((d) => Object.keys(d).length > 0, 'at least one dimension value'),
});
export type SdmxIndicatorMapping = z.infer<typeof sdmxIndicatorMappingSchema>;

const sdmxMapping = {
  indicators: z.array(sdmxIndicatorMappingSchema).min(1),
  /** The dimension holding the ISO 3166-1 alpha-3 country code. */
  countryDimension: dimensionId.default('REF_AREA'),
};

const yearRange = <T extends { fromYear?: number | undefined; toYear?: number | undefined }>(s: T) =>
  s.fromYear === undefined || s.toYear === undefined || s.fromYear <= s.toYear;

export const worldBankCsvSpecSchema = z.strictObject({
  kind: z.literal('world-bank-csv'),
  /** A `data.csv`, a folder holding one, or a folder of `<indicator>/data.csv`. */
  path,
  /** The indicator of a single file (default: its folder name). */
  indicator: indicatorCode.optional(),
});

export const sdmxCsvSpecSchema = z.strictObject({
  kind: z.literal('sdmx-csv'),
  /** An SDMX-CSV file, or a folder of them (`*.csv`). */
  path,
  ...sdmxMapping,
});

export const worldBankApiSpecSchema = z
  .strictObject({
    kind: z.literal('world-bank-api'),
    indicators: z.array(indicatorCode).min(1).max(50),
    /** ISO3 (or World Bank) codes; default every country and aggregate. */
    countries: z
      .array(z.string().regex(/^[A-Za-z0-9]{2,3}$/, 'a country code such as FRA'))
      .min(1)
      .max(300)
      .transform((codes) => codes.map((c) => c.toUpperCase()))
      .optional(),
    fromYear: year.optional(),
    toYear: year.optional(),
  })
  .refine(yearRange, { message: 'fromYear must not be after toYear', path: ['fromYear'] });

export const oecdSdmxSpecSchema = z
  .strictObject({
    kind: z.literal('oecd-sdmx'),
    /** `AGENCY,DATAFLOW_ID[,VERSION]`, e.g. `OECD.SDD.NAD,DSD_NASEC10@DF_TABLE12,1.1`. */
    dataflow: z.string().regex(/^[A-Za-z0-9_.]+,[A-Za-z0-9_@.-]+(,[0-9A-Za-z_.+~-]*)?$/, 'AGENCY,DATAFLOW_ID[,VERSION]'),
    /** The SDMX data key: dimension values separated by dots, `+` for several, empty for all. */
    key: z.string().regex(/^[A-Za-z0-9_.+@-]*$/, 'an SDMX key such as A.AUS+FRA.S13..').default('all'),
    fromYear: year.optional(),
    toYear: year.optional(),
    format: z.enum(['csv', 'csv-labels', 'json']).default('csv'),
    ...sdmxMapping,
  })
  .refine(yearRange, { message: 'fromYear must not be after toYear', path: ['fromYear'] });

/** What to ingest, as JSON: the `kind` picks the source, the rest are its parameters (unknown keys are refused: a misspelt one would silently change the run). */
export const sourceSpecSchema = z.discriminatedUnion('kind', [worldBankCsvSpecSchema, sdmxCsvSpecSchema, worldBankApiSpecSchema, oecdSdmxSpecSchema]);
export type SourceSpec = z.infer<typeof sourceSpecSchema>;
export type SourceSpecInput = z.input<typeof sourceSpecSchema>;

const lastPathPart = (path: string): string => (path.toLowerCase().endsWith('.csv') ? basename(dirname(path)) : basename(path));

/**
 * The dataset a spec ingests, as `<kind>:<name>`: the lock key of the ingestion service (never two
 * runs of one dataset at once, whoever triggered them) and the default id of its schedule. Files:
 * the indicator, or the file's folder name; the World Bank API: its indicators; OECD: the dataflow.
 */
export const datasetOf = (spec: SourceSpec): string => {
  switch (spec.kind) {
    case 'world-bank-csv':
      return `${spec.kind}:${(spec.indicator ?? lastPathPart(spec.path)).toUpperCase()}`;
    case 'sdmx-csv':
      return `${spec.kind}:${lastPathPart(spec.path).toUpperCase()}`;
    case 'world-bank-api':
      return `${spec.kind}:${[...new Set(spec.indicators)].sort().join('+')}`;
    case 'oecd-sdmx':
      // AGENCY,DATAFLOW_ID[,VERSION]: the version does not make it another dataset.
      return `${spec.kind}:${spec.dataflow.split(',').slice(0, 2).join(',')}`;
  }
};

/**
 * What the sources need from the composition root. Build it once per process and pass the same
 * object to every createSource: the HTTP clients (and so the rate limits) are shared by all the
 * runs made with one deps object.
 */
export interface SourceDeps {
  /** Base URLs, timeouts, retries and rate limits (`sourcesConfigSchema.parse(process.env)`). */
  readonly config: SourcesConfig;
  /** Injected in tests; global fetch by default. */
  readonly fetch?: typeof fetch;
  /** Waits between retries and between rate-limited calls; injected in tests. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1); injected in tests. */
  readonly random?: () => number;
  /** Wall-clock milliseconds, for rate limiting, Retry-After dates and open year ranges. */
  readonly now?: () => number;
}

const clients = new WeakMap<SourceDeps, Map<string, HttpClient>>();

const httpClient = (name: string, timeoutMs: number, minIntervalMs: number, deps: SourceDeps): HttpClient => {
  const known = clients.get(deps) ?? new Map<string, HttpClient>();
  clients.set(deps, known);
  const existing = known.get(name);
  if (existing) return existing;
  const { config } = deps;
  const options: HttpClientOptions = {
    name,
    timeoutMs,
    minIntervalMs,
    attempts: config.INGESTION_HTTP_ATTEMPTS,
    backoffMs: config.INGESTION_HTTP_BACKOFF_MS,
    maxBackoffMs: config.INGESTION_HTTP_MAX_BACKOFF_MS,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.random ? { random: deps.random } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  };
  const client = createHttpClient(options);
  known.set(name, client);
  return client;
};

/** Parses a spec (as received from JSON), throwing a `validation` NationPulseError listing every problem. */
export const parseSourceSpec = (input: unknown): SourceSpec => {
  const parsed = sourceSpecSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new NationPulseError('validation', 'SOURCE_SPEC_INVALID', `invalid source spec: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`, { issues });
};

/** The source a spec names, ready for `runIngestion`. The spec is validated first. */
export const createSource = (spec: SourceSpecInput | SourceSpec, deps: SourceDeps): Source => {
  const valid = parseSourceSpec(spec);
  switch (valid.kind) {
    case 'world-bank-csv':
      return createWorldBankCsvSource({ path: valid.path, ...(valid.indicator ? { indicator: valid.indicator } : {}) });
    case 'world-bank-api': {
      const { config } = deps;
      const now = deps.now ?? Date.now;
      return createWorldBankApiSource({
        indicators: valid.indicators,
        ...(valid.countries ? { countries: valid.countries } : {}),
        ...(valid.fromYear === undefined ? {} : { fromYear: valid.fromYear }),
        ...(valid.toYear === undefined ? {} : { toYear: valid.toYear }),
        baseUrl: config.WORLD_BANK_API_URL,
        perPage: config.WORLD_BANK_API_PER_PAGE,
        http: httpClient('World Bank API', config.WORLD_BANK_API_TIMEOUT_MS, config.WORLD_BANK_API_MIN_INTERVAL_MS, deps),
        currentYear: () => new Date(now()).getUTCFullYear(),
      });
    }
    case 'sdmx-csv':
      return createSdmxCsvSource({ path: valid.path, mapping: compileMapping(valid.indicators, valid.countryDimension) });
    case 'oecd-sdmx': {
      const { config } = deps;
      return createOecdSdmxSource({
        dataflow: valid.dataflow,
        key: valid.key,
        format: valid.format,
        ...(valid.fromYear === undefined ? {} : { fromYear: valid.fromYear }),
        ...(valid.toYear === undefined ? {} : { toYear: valid.toYear }),
        mapping: compileMapping(valid.indicators, valid.countryDimension),
        baseUrl: config.OECD_SDMX_URL,
        http: httpClient('OECD SDMX API', config.OECD_SDMX_TIMEOUT_MS, config.OECD_SDMX_MIN_INTERVAL_MS, deps),
        maxJsonBytes: config.OECD_SDMX_JSON_MAX_BYTES,
      });
    }
  }
};

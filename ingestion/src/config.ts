import { infrastructureConfig, requireAdapterUrls } from '@nationpulse/wiring';
import { z } from 'zod';

const url = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));
const millis = z.coerce.number().int().min(0).max(3_600_000);

/**
 * How the HTTP sources reach their APIs, keyed by environment variable. Every call has a timeout;
 * transient failures (429, 5xx, network errors, timeouts) are retried with exponential backoff and
 * jitter, `INGESTION_HTTP_ATTEMPTS` tries in all, honouring Retry-After; calls to one API are
 * spaced by at least its minimum interval (the OECD allows about 20 a minute).
 */
export const sourcesConfig = {
  WORLD_BANK_API_URL: url.default('https://api.worldbank.org'),
  WORLD_BANK_API_TIMEOUT_MS: millis.min(1).default(30_000),
  /** Rows per page (the API allows up to 32,500). */
  WORLD_BANK_API_PER_PAGE: z.coerce.number().int().min(1).max(32_500).default(1_000),
  WORLD_BANK_API_MIN_INTERVAL_MS: millis.default(100),
  OECD_SDMX_URL: url.default('https://sdmx.oecd.org/public/rest'),
  OECD_SDMX_TIMEOUT_MS: millis.min(1).default(60_000),
  OECD_SDMX_MIN_INTERVAL_MS: millis.default(3_000),
  /** An SDMX-JSON message is parsed whole: refuse a bigger one. */
  OECD_SDMX_JSON_MAX_BYTES: z.coerce.number().int().min(1024).default(64 * 1024 * 1024),
  INGESTION_HTTP_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(4),
  INGESTION_HTTP_BACKOFF_MS: millis.default(500),
  INGESTION_HTTP_MAX_BACKOFF_MS: millis.default(30_000),
};
export const sourcesConfigSchema = z.object(sourcesConfig);
export type SourcesConfig = z.infer<typeof sourcesConfigSchema>;

/** Settings of the ingestion CLI, keyed by environment variable: the stores every service shares, and the sources'. */
export const ingestionConfigSchema = z
  .object({
    ...infrastructureConfig,
    ...sourcesConfig,
    // Series in flight at once. The embedded event store commits the appends of one turn together,
    // so a wide window also means fewer synced commits (one per window instead of one per series).
    INGESTION_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(32),
  })
  .superRefine(requireAdapterUrls);
export type IngestionConfig = z.infer<typeof ingestionConfigSchema>;

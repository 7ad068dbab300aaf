import { infrastructureConfig, requireAdapterUrls } from '@nationpulse/wiring';
import { z } from 'zod';

/** Settings of the ingestion CLI, keyed by environment variable: the stores every service shares. */
export const ingestionConfigSchema = z
  .object({
    ...infrastructureConfig,
    INGESTION_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  })
  .superRefine(requireAdapterUrls);
export type IngestionConfig = z.infer<typeof ingestionConfigSchema>;

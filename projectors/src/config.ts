import { configFields } from '@nationpulse/platform';
import { infrastructureConfig, requireAdapterUrls } from '@nationpulse/wiring';
import { z } from 'zod';

/** Every setting of the projectors service, keyed by environment variable; the defaults run it embedded. */
export const projectorsConfigSchema = z
  .object({
    PROJECTORS_HOST: z.string().default('127.0.0.1'),
    PROJECTORS_HTTP_PORT: configFields.port(8083),
    PROJECTORS_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
    /** Write-behind while a live copy catches up: at most this long between read-store commits (0: every batch). */
    PROJECTORS_COMMIT_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
    /** The same for a rebuild's shadow copy, which no one reads: what a killed rebuild redoes. */
    PROJECTORS_REBUILD_COMMIT_INTERVAL_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
    /**
     * A rebuild of a projection that declares a partition key runs in this many shares of the
     * streams, each in a worker thread with its own connections to the stores (1: one runner, in
     * the service's own thread).
     */
    PROJECTORS_REBUILD_SHARES: z.coerce.number().int().min(1).max(16).default(2),
    ...infrastructureConfig,
    LOG_LEVEL: configFields.logLevel,
  })
  .superRefine(requireAdapterUrls);
export type ProjectorsConfig = z.infer<typeof projectorsConfigSchema>;

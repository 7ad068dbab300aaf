import { configFields } from '@nationpulse/platform';
import { infrastructureConfig, requireAdapterUrls } from '@nationpulse/wiring';
import { z } from 'zod';

/** Every setting of the read API, keyed by its environment variable; the defaults run it embedded. */
export const readApiConfigSchema = z
  .object({
    READ_API_HOST: z.string().default('127.0.0.1'),
    READ_API_HTTP_PORT: configFields.port(8082),
    READ_API_GRPC_PORT: configFields.port(50052),
    ...infrastructureConfig,
    /** How long a query with minPosition waits for the read models before 503 POSITION_NOT_REACHED. */
    READ_WAIT_TIMEOUT_MS: configFields.durationMs(2_000),
    /** Cache-Control max-age of successful answers. */
    READ_CACHE_MAX_AGE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(30),
    /** How long hot answers are kept in the response cache; 0 turns it off. */
    READ_RESPONSE_CACHE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(2_000),
    /** Verifies the access tokens of queries whose answer depends on who asks. Embedded mode keeps a generated one in the data folder. */
    JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    JWT_ISSUER: z.string().default('nationpulse'),
    LOG_LEVEL: configFields.logLevel,
  })
  .superRefine(requireAdapterUrls);
export type ReadApiConfig = z.infer<typeof readApiConfigSchema>;

import { configFields } from '@nationpulse/platform';
import { z } from 'zod';

/** Every setting of the write API, keyed by its environment variable; the defaults run it embedded. */
export const writeApiConfigSchema = z
  .object({
    WRITE_API_HOST: z.string().default('127.0.0.1'),
    WRITE_API_HTTP_PORT: configFields.port(8081),
    WRITE_API_GRPC_PORT: configFields.port(50051),
    EVENT_STORE: z.enum(['sqlite', 'eventstoredb']).default('sqlite'),
    EVENTSTORE_URL: z.string().regex(/^(esdb|kurrentdb|esdb\+discover|kurrentdb\+discover):\/\//, 'expected an esdb:// connection string').optional(),
    NATIONPULSE_DATA_DIR: z.string().min(1).default('./data'),
    /** Shared with the gateway, which issues the tokens. Embedded mode keeps a generated one in the data folder. */
    JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    JWT_ISSUER: z.string().default('nationpulse'),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
    LOG_LEVEL: configFields.logLevel,
  })
  .refine((c) => c.EVENT_STORE !== 'eventstoredb' || c.EVENTSTORE_URL, {
    message: 'EVENTSTORE_URL is required when EVENT_STORE=eventstoredb',
    path: ['EVENTSTORE_URL'],
  });
export type WriteApiConfig = z.infer<typeof writeApiConfigSchema>;

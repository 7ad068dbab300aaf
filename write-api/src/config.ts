import { configFields } from '@nationpulse/platform';
import { infrastructureConfig, requireAdapterUrls } from '@nationpulse/wiring';
import { z } from 'zod';

/** Every setting of the write API, keyed by its environment variable; the defaults run it embedded. */
export const writeApiConfigSchema = z
  .object({
    WRITE_API_HOST: z.string().default('127.0.0.1'),
    WRITE_API_HTTP_PORT: configFields.port(8081),
    WRITE_API_GRPC_PORT: configFields.port(50051),
    ...infrastructureConfig,
    /** Shared with the gateway, which issues the tokens. Embedded mode keeps a generated one in the data folder. */
    JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    JWT_ISSUER: z.string().default('nationpulse'),
    /** The first admin, created at first start when both are set (empty counts as unset); no default password exists. */
    NATIONPULSE_ADMIN_USER: z.string().optional().transform((v) => v || undefined),
    NATIONPULSE_ADMIN_PASSWORD: z.string().optional().transform((v) => v || undefined),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
    LOG_LEVEL: configFields.logLevel,
  })
  .superRefine(requireAdapterUrls);
export type WriteApiConfig = z.infer<typeof writeApiConfigSchema>;

import { configFields } from '@nationpulse/platform';
import { infrastructureConfig, requireAdapterUrls } from '@nationpulse/wiring';
import { z } from 'zod';
import { ingestionConfigSchema } from '../config.ts';
import { sourceSpecSchema } from '../sources/source-spec.ts';

const scheduleSchema = z.strictObject({
  /** The schedule's id (one per dataset); default: derived from the spec. */
  id: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, . _ - only')
    .optional(),
  /** Five fields (or six, seconds first), UTC, e.g. "0 3 * * *". */
  cron: z.string().min(9).max(200),
  spec: sourceSpecSchema,
});
export type IngestionSchedule = z.infer<typeof scheduleSchema>;

/** A JSON list of schedules in one environment variable. */
const schedulesField = z
  .string()
  .default('[]')
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON: expected a list like [{"cron":"0 3 * * *","spec":{"kind":"world-bank-csv","path":"wdi"}}]' });
      return z.NEVER;
    }
  })
  .pipe(z.array(scheduleSchema).max(100));

/** Every setting of the ingestion service, keyed by environment variable; the defaults run it embedded. */
export const ingestionServiceConfigSchema = z
  .object({
    ...ingestionConfigSchema.shape,
    ...infrastructureConfig,
    INGESTION_HOST: z.string().default('127.0.0.1'),
    INGESTION_HTTP_PORT: configFields.port(8084),
    INGESTION_GRPC_PORT: configFields.port(50054),
    /** Relative source paths resolve here; the admin API refuses paths outside it. */
    INGESTION_FILE_ROOT: z.string().min(1).default('.'),
    INGESTION_SCHEDULES: schedulesField,
    /** inprocess (embedded) or bullmq (Redis, shared by every instance). */
    SCHEDULER: z.enum(['inprocess', 'bullmq']).default('inprocess'),
    INGESTION_QUEUE: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,100}$/)
      .default('nationpulse-ingestion'),
    /** The dataset lease: a crashed run blocks its dataset this long at most. */
    INGESTION_LOCK_TTL_MS: configFields.durationMs(30_000),
    /** Attempts of a scheduled run that fails, with exponential backoff from INGESTION_RETRY_BACKOFF_MS. */
    INGESTION_JOB_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
    INGESTION_RETRY_BACKOFF_MS: configFields.durationMs(30_000),
    /** Seed synthetic demo data at the embedded platform's first start (empty event store). */
    NATIONPULSE_SEED_DEMO: configFields.bool(true),
    /** Shared with the gateway, which issues the tokens. Embedded mode reads the write API's data/secrets/jwt.key. */
    JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    JWT_ISSUER: z.string().default('nationpulse'),
    INGESTION_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024).default(16 * 1024),
    LOG_LEVEL: configFields.logLevel,
  })
  .superRefine((c, ctx) => {
    requireAdapterUrls(c, ctx);
    if (c.SCHEDULER === 'bullmq' && !c.REDIS_URL) ctx.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'REDIS_URL is required when SCHEDULER=bullmq' });
  });
export type IngestionServiceConfig = z.infer<typeof ingestionServiceConfigSchema>;

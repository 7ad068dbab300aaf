import { configFields } from '@nationpulse/platform';
import { infrastructureConfig, requireAdapterUrls } from '@nationpulse/wiring';
import { z } from 'zod';

export const reportingRoles = ['relay', 'worker', 'saga', 'http'] as const;
export type ReportingRole = (typeof reportingRoles)[number];

const topicName = (fallback: string) => z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name').default(fallback);

/** Every setting of the reporting service, keyed by its environment variable; the defaults run it embedded. */
export const reportingConfigSchema = z
  .object({
    REPORTING_HOST: z.string().default('127.0.0.1'),
    REPORTING_HTTP_PORT: configFields.port(8085),
    /** Which parts this process runs (comma-separated): scale workers alone with REPORTING_ROLES=worker. */
    REPORTING_ROLES: z
      .string()
      .default(reportingRoles.join(','))
      .transform((s) => s.split(',').map((r) => r.trim()).filter(Boolean))
      .pipe(z.array(z.enum(reportingRoles)).min(1)),
    ...infrastructureConfig,
    /** sqlite: the embedded durable log in the data folder; kafka: KAFKA_BROKERS. */
    MESSAGE_BUS: z.enum(['sqlite', 'kafka']).default('sqlite'),
    KAFKA_BROKERS: z
      .string()
      .regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'host:port[,host:port…]')
      .optional(),
    KAFKA_CLIENT_ID: z.string().default('nationpulse-reporting'),
    KAFKA_CONNECTION_TIMEOUT_MS: configFields.durationMs(3_000),
    KAFKA_REQUEST_TIMEOUT_MS: configFields.durationMs(10_000),
    /** A worker silent this long (crashed) loses its partitions to the others; the broker allows 6 s and up. */
    KAFKA_SESSION_TIMEOUT_MS: configFields.durationMs(10_000),
    /** Prefixed to the consumer group names (reporting-worker, reporting-saga): isolates deployments sharing a broker. */
    REPORTING_GROUP_PREFIX: z.string().regex(/^[A-Za-z0-9._-]{0,100}$/).default(''),
    REPORT_COMMANDS_TOPIC: topicName('reports.commands'),
    REPORT_EVENTS_TOPIC: topicName('reports.events'),
    REPORT_DLQ_TOPIC: topicName('reports.dlq'),
    REPORT_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(64).default(3),
    /** No outcome within this time → the command is sent again (attempt + 1). */
    REPORT_TIMEOUT_MS: configFields.durationMs(60_000),
    /** After this many attempts without an outcome the report fails with reason `timeout`. */
    REPORT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
    /** Pause before a command that failed transiently (read API down) is tried again. */
    REPORT_WORKER_RETRY_MS: configFields.durationMs(1_000),
    /** local: files under ARTIFACTS_DIR (default <data dir>/reports); gridfs: MongoDB GridFS at MONGO_URL. */
    ARTIFACT_STORE: z.enum(['local', 'gridfs']).default('local'),
    ARTIFACTS_DIR: z.string().min(1).optional(),
    ARTIFACTS_BUCKET: z.string().regex(/^[A-Za-z0-9_-]{1,50}$/).default('reports'),
    /** The read API's gRPC QueryService, where workers read report data. */
    READ_API_GRPC_URL: z.string().regex(/^[^\s:]+:\d+$/, 'host:port').default('127.0.0.1:50052'),
    READ_API_DEADLINE_MS: configFields.durationMs(10_000),
    /** Shared with the gateway and write API, to verify access tokens on downloads. Embedded mode reads the generated one. */
    JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    JWT_ISSUER: z.string().default('nationpulse'),
    LOG_LEVEL: configFields.logLevel,
  })
  .superRefine((c, ctx) => {
    requireAdapterUrls(c, ctx);
    if (c.MESSAGE_BUS === 'kafka' && !c.KAFKA_BROKERS) ctx.addIssue({ code: 'custom', path: ['KAFKA_BROKERS'], message: 'KAFKA_BROKERS is required when MESSAGE_BUS=kafka' });
    if (c.ARTIFACT_STORE === 'gridfs' && !c.MONGO_URL) ctx.addIssue({ code: 'custom', path: ['MONGO_URL'], message: 'MONGO_URL is required when ARTIFACT_STORE=gridfs' });
  });
export type ReportingConfig = z.infer<typeof reportingConfigSchema>;

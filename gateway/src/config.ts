import { resolve } from 'node:path';
import { configFields } from '@nationpulse/platform';
import { infrastructureConfig, requireAdapterUrls } from '@nationpulse/wiring';
import { z } from 'zod';

const url = (fallback: string) => z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).default(fallback);
const count = (fallback: number, max: number) => z.coerce.number().int().min(0).max(max).default(fallback);
const list = z
  .string()
  .default('')
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

/** The web UI's build, beside this package in the repository. */
export const DEFAULT_UI_DIST = resolve(import.meta.dirname, '..', '..', 'packages', 'web', 'dist');

/** Every setting of the gateway, keyed by its environment variable; the defaults run it embedded. */
export const gatewayConfigSchema = z
  .object({
    GATEWAY_HOST: z.string().default('127.0.0.1'),
    PORT: configFields.port(8080),
    READ_API_URL: url('http://127.0.0.1:8082'),
    WRITE_API_URL: url('http://127.0.0.1:8081'),
    PROJECTORS_URL: url('http://127.0.0.1:8083'),
    INGESTION_URL: url('http://127.0.0.1:8084'),
    REPORTING_URL: url('http://127.0.0.1:8085'),
    ...infrastructureConfig,
    /** Shared with the write API (and every service that verifies tokens); embedded mode keeps a generated one in the data folder. */
    JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    JWT_ISSUER: z.string().default('nationpulse'),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(3_600).default(300),
    REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(300).max(90 * 86_400).default(7 * 86_400),
    /** How long the gateway reuses a user's permissions before reading them again: part of the revocation bound. */
    PERMISSIONS_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
    /**
     * How long the gateway reuses a read API answer for the same URL (after authentication,
     * permission and rate limit, and only when its position satisfies minPosition); 0 turns it off.
     */
    GATEWAY_MICRO_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
    UPSTREAM_TIMEOUT_MS: configFields.durationMs(5_000),
    UPSTREAM_RETRIES: count(2, 5),
    UPSTREAM_RETRY_BACKOFF_MS: configFields.durationMs(50),
    UPSTREAM_CONNECTIONS: z.coerce.number().int().min(1).max(1_024).default(64),
    BREAKER_FAILURE_THRESHOLD: z.coerce.number().int().min(1).max(1_000).default(5),
    BREAKER_OPEN_MS: configFields.durationMs(5_000),
    /** Requests per minute per signed-in user, and per client IP; 0 turns the limit off. */
    RATE_LIMIT_USER_PER_MINUTE: count(600, 1_000_000),
    RATE_LIMIT_IP_PER_MINUTE: count(1_200, 1_000_000),
    /** Sign-in and refresh attempts per minute per client IP (slows password guessing); 0 turns it off. */
    RATE_LIMIT_AUTH_PER_MINUTE: count(20, 1_000_000),
    /** Usernames never rate-limited (load tests, trusted automation), comma-separated. */
    RATE_LIMIT_EXEMPT_USERS: list,
    /** Origins allowed to call the API from a browser: '' (same origin only), '*', or a comma-separated list. */
    CORS_ORIGINS: list,
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1_024).max(10 * 1024 * 1024).default(64 * 1024),
    UI_DIST_DIR: z.string().min(1).default(DEFAULT_UI_DIST),
    SSE_HEARTBEAT_MS: configFields.durationMs(15_000),
    /** Whether this gateway also runs the notifier (one instance per platform: off on scaled-out gateways). */
    NOTIFIER_ENABLED: configFields.bool(true),
    NOTIFIER_DATA_CHANGED_THROTTLE_MS: configFields.durationMs(2_000),
    LOG_LEVEL: configFields.logLevel,
  })
  .superRefine(requireAdapterUrls);
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

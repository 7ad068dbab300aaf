import { createServiceApp, type Authenticator } from '@nationpulse/platform';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { QueryExecutor } from '../query-handling/query-executor.ts';
import { callerRoutes } from './caller-routes.ts';
import { queryRoutes } from './query-routes.ts';

export interface ReadAppDependencies {
  readonly executor: QueryExecutor;
  /**
   * Identifies callers for the queries whose answer depends on who asks (GET /users, GET /reports).
   * Without it those routes are not served (404), as in tests of the public queries alone.
   */
  readonly callers?: Authenticator;
  readonly logger: FastifyBaseLogger | false;
  /** Cache-Control max-age of successful answers, in seconds. Default 30. */
  readonly cacheMaxAgeSeconds?: number;
  /** How long the exact bytes of an answer are reused for the same URL, in ms. Default 0 (off). */
  readonly microCacheTtlMs?: number;
  readonly health: () => Promise<{ ok: boolean; details: Record<string, unknown> }>;
  /** Request latencies go here, served on /metrics. */
  readonly metrics?: Registry;
}

/** The read API's HTTP app, built without listening so tests drive it with inject() or a real socket. */
export const buildReadApp = async (deps: ReadAppDependencies): Promise<FastifyInstance> => {
  const app = await createServiceApp({
    title: 'NationPulse read API',
    logger: deps.logger,
    health: deps.health,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.callers ? { openApiComponents: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } } } : {}),
  });
  await app.register(queryRoutes, { prefix: '/api/v1', executor: deps.executor, maxAgeSeconds: deps.cacheMaxAgeSeconds ?? 30, microCacheTtlMs: deps.microCacheTtlMs ?? 0 });
  if (deps.callers) await app.register(callerRoutes, { prefix: '/api/v1', executor: deps.executor, callers: deps.callers });
  return app;
};

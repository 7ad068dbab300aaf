import { createServiceApp } from '@nationpulse/platform';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { TriggerAuthorizer } from '../access.ts';
import type { IngestionRunner } from '../ingestion-runner.ts';
import { ingestionRoutes } from './ingestion-routes.ts';

export interface IngestionAppDependencies {
  readonly runner: IngestionRunner;
  readonly authorize: TriggerAuthorizer;
  readonly logger: FastifyBaseLogger | false;
  readonly bodyLimitBytes: number;
  readonly health: () => Promise<{ ok: boolean; details: Record<string, unknown> }>;
  /** Request latencies and the ingestion counters, served on /metrics. */
  readonly metrics?: Registry;
}

/** The ingestion service's HTTP admin app, built without listening so tests drive it with inject(). */
export const buildIngestionApp = async (deps: IngestionAppDependencies): Promise<FastifyInstance> => {
  const app = await createServiceApp({ title: 'NationPulse ingestion admin API', logger: deps.logger, health: deps.health, bodyLimitBytes: deps.bodyLimitBytes, ...(deps.metrics ? { metrics: deps.metrics } : {}) });
  await app.register(ingestionRoutes, { prefix: '/api/v1', runner: deps.runner, authorize: deps.authorize });
  return app;
};

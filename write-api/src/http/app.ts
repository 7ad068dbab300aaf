import { createServiceApp } from '@nationpulse/platform';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { AccessControl } from '../command-handling/access-control.ts';
import type { Dispatcher } from '../command-handling/dispatcher.ts';
import { commandRoutes } from './command-routes.ts';

export interface WriteAppDependencies {
  readonly dispatcher: Dispatcher;
  readonly access: AccessControl;
  readonly logger: FastifyBaseLogger | false;
  readonly bodyLimitBytes: number;
  readonly health: () => Promise<{ ok: boolean; details: Record<string, unknown> }>;
  /** Request latencies go here, served on /metrics. */
  readonly metrics?: Registry;
}

/** The write API's HTTP app, built without listening so tests drive it with inject() or a real socket. */
export const buildWriteApp = async (deps: WriteAppDependencies): Promise<FastifyInstance> => {
  const app = await createServiceApp({
    title: 'NationPulse write API',
    logger: deps.logger,
    health: deps.health,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    bodyLimitBytes: deps.bodyLimitBytes,
  });
  await app.register(commandRoutes, { prefix: '/api/v1', dispatcher: deps.dispatcher, access: deps.access });
  return app;
};

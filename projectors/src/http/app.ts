import { notFound } from '@nationpulse/domain';
import { frameworkErrors, installErrorHandler, installHttpTelemetry } from '@nationpulse/platform';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { ProjectionManager } from '../runner/projection-manager.ts';

export interface ProjectorsAppDependencies {
  readonly manager: ProjectionManager;
  readonly metrics: Registry;
  readonly logger: FastifyBaseLogger | false;
  readonly health: () => Promise<{ ok: boolean; details: Record<string, unknown> }>;
}

/** Operations endpoints of the projectors service (the gateway exposes them as /api/v1/ops/projections). */
export const buildProjectorsApp = async (deps: ProjectorsAppDependencies): Promise<FastifyInstance> => {
  const app = Fastify({ ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }), frameworkErrors });
  installErrorHandler(app);
  installHttpTelemetry(app, deps.metrics);
  const known = async (name: string) => (await deps.manager.status()).some((s) => s.name === name);

  app.get('/api/v1/ops/projections', async () => ({ projections: await deps.manager.status() }));
  app.post<{ Params: { name: string } }>('/api/v1/ops/projections/:name/rebuild', async (request, reply) => {
    const { name } = request.params;
    if (!(await known(name))) throw notFound('PROJECTION_NOT_FOUND', `No projection ${name}`);
    // The rebuild runs in the background; progress is in GET /api/v1/ops/projections and the metrics.
    deps.manager.rebuild(name).catch((e: unknown) => request.log.error({ err: e, projection: name }, 'rebuild failed'));
    return reply.status(202).send({ projection: name, status: 'rebuilding' });
  });
  app.get('/metrics', async (_request, reply) => reply.type(deps.metrics.contentType).send(await deps.metrics.metrics()));
  app.get('/health', async (_request, reply) => {
    const health = await deps.health();
    return reply.status(health.ok ? 200 : 503).send(health);
  });
  return app;
};

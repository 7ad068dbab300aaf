import swagger from '@fastify/swagger';
import { installErrorHandler } from '@nationpulse/platform';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { QueryExecutor } from '../query-handling/query-executor.ts';
import { queryRoutes } from './query-routes.ts';

export interface ReadAppDependencies {
  readonly executor: QueryExecutor;
  readonly logger: FastifyBaseLogger | false;
  /** Cache-Control max-age of successful answers, in seconds. Default 30. */
  readonly cacheMaxAgeSeconds?: number;
  readonly health: () => Promise<{ ok: boolean; details: Record<string, unknown> }>;
}

/** The read API's HTTP app, built without listening so tests drive it with inject() or a real socket. */
export const buildReadApp = async (deps: ReadAppDependencies): Promise<FastifyInstance> => {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  await app.register(swagger, {
    openapi: { info: { title: 'NationPulse read API', version: '1.0.0' } },
    transform: jsonSchemaTransform,
  });
  await app.register(queryRoutes, { prefix: '/api/v1', executor: deps.executor, maxAgeSeconds: deps.cacheMaxAgeSeconds ?? 30 });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/health', { schema: { hide: true } }, async (_req, reply) => {
    const health = await deps.health();
    return reply.status(health.ok ? 200 : 503).send(health);
  });
  return app;
};

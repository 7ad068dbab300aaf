import swagger from '@fastify/swagger';
import { installErrorHandler } from '@nationpulse/platform';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AccessControl } from '../command-handling/access-control.ts';
import type { Dispatcher } from '../command-handling/dispatcher.ts';
import { commandRoutes } from './command-routes.ts';

export interface WriteAppDependencies {
  readonly dispatcher: Dispatcher;
  readonly access: AccessControl;
  readonly logger: FastifyBaseLogger | false;
  readonly bodyLimitBytes: number;
  readonly health: () => Promise<{ ok: boolean; details: Record<string, unknown> }>;
}

/** The write API's HTTP app, built without listening so tests drive it with inject() or a real socket. */
export const buildWriteApp = async (deps: WriteAppDependencies): Promise<FastifyInstance> => {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  await app.register(swagger, {
    openapi: { info: { title: 'NationPulse write API', version: '1.0.0' } },
    transform: jsonSchemaTransform,
  });
  await app.register(commandRoutes, { prefix: '/api/v1', dispatcher: deps.dispatcher, access: deps.access });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/health', { schema: { hide: true } }, async (_req, reply) => {
    const health = await deps.health();
    return reply.status(health.ok ? 200 : 503).send(health);
  });
  return app;
};

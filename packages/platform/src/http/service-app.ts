import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { installHttpTelemetry } from '../observability/http-telemetry.ts';
import { frameworkErrors, installErrorHandler } from './error-handler.ts';
import { lazyChildLogger } from './request-logger.ts';

export interface ServiceAppOptions {
  /** Title of the OpenAPI document, e.g. 'NationPulse read API'. */
  readonly title: string;
  readonly logger: FastifyBaseLogger | false;
  readonly bodyLimitBytes?: number;
  readonly health: () => Promise<{ ok: boolean; details: Record<string, unknown> }>;
  /** The service's metrics registry: request latencies go into it and it is served on `/metrics`. */
  readonly metrics?: Registry;
  /** Extra OpenAPI components, e.g. the bearer security scheme routes refer to. */
  readonly openApiComponents?: Record<string, unknown>;
}

/** One method and path an app answers (Fastify's path syntax: `:param`, `*`). */
export interface HttpRoute {
  readonly method: string;
  readonly url: string;
}

const routesOf = new WeakMap<object, HttpRoute[]>();

/**
 * Every route an app built by createServiceApp registered, in order (the HEAD twin of each GET
 * left out), so that a test can check each one — authentication, stable errors — and fail when
 * a new one is added without being classified.
 */
export const registeredRoutes = (app: object): readonly HttpRoute[] => routesOf.get(app) ?? [];

/**
 * The HTTP app every service starts from: zod validation and serialisation through the type
 * provider, the one error handler, request ids, the OpenAPI document generated from the route
 * schemas (`/openapi.json`), `/health` (503 when a dependency is down), request telemetry (trace
 * span, trace id in logs, latency histogram) and `/metrics` when given a registry. Routes come after.
 */
export const createServiceApp = async (options: ServiceAppOptions) => {
  const app = Fastify({
    // Each request's child logger is made only when the request writes a line (request-logger.ts).
    ...(options.logger ? { loggerInstance: options.logger, childLoggerFactory: lazyChildLogger } : { logger: false }),
    ...(options.bodyLimitBytes ? { bodyLimit: options.bodyLimitBytes } : {}),
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    frameworkErrors,
  }).withTypeProvider<ZodTypeProvider>();
  const routes: HttpRoute[] = [];
  routesOf.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  installHttpTelemetry(app, options.metrics);
  await app.register(swagger, {
    openapi: { info: { title: options.title, version: '1.0.0' }, ...(options.openApiComponents ? { components: options.openApiComponents } : {}) },
    transform: jsonSchemaTransform,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/health', { schema: { hide: true } }, async (_req, reply) => {
    const health = await options.health();
    return reply.status(health.ok ? 200 : 503).send(health);
  });
  const { metrics } = options;
  if (metrics) app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => reply.type(metrics.contentType).send(await metrics.metrics()));
  return app;
};

import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import { createServiceApp, type AccessLookup, type Authenticator, type MicroCache } from '@nationpulse/platform';
import type { Notifications } from '@nationpulse/ports';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { RateLimits } from './access/rate-limits.ts';
import { authRoutes } from './auth/auth-routes.ts';
import type { AuthService } from './auth/auth-service.ts';
import { docsRoutes } from './docs/docs-routes.ts';
import { eventsRoute } from './events/events-route.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { Pulse } from './ops/pulse.ts';
import { proxyRoutes } from './routing/proxy-routes.ts';
import type { UpstreamName } from './routing/route-table.ts';
import { uiRoutes } from './ui/ui-routes.ts';
import type { Upstream } from './upstream/upstream-client.ts';

export interface GatewayAppDependencies {
  readonly logger: FastifyBaseLogger | false;
  readonly bodyLimitBytes: number;
  /** '' → same origin only; '*' → any; else the listed origins. */
  readonly corsOrigins: readonly string[];
  readonly uiRoot: string;
  readonly sseHeartbeatMs: number;
  readonly auth: Authenticator;
  readonly access: AccessLookup;
  readonly rateLimits: RateLimits;
  readonly authService: AuthService;
  readonly notifications: Notifications;
  readonly upstreams: Readonly<Record<UpstreamName, Upstream>>;
  readonly breakerRetryAfterSeconds: number;
  /** Recent read API answers reused after the guard; null when GATEWAY_MICRO_CACHE_TTL_MS is 0. */
  readonly microCache: MicroCache | null;
  readonly metrics: GatewayMetrics;
  readonly health: () => Promise<{ ok: boolean; details: Record<string, unknown> }>;
  readonly pulse: () => Promise<Pulse>;
}

export interface GatewayApp {
  readonly app: FastifyInstance;
  /** Ends every open event stream (at shutdown, before closing the server). */
  closeStreams(): void;
}

/** Headers that clients must be able to read from a cross-origin answer. */
const EXPOSED = ['x-position', 'x-request-id', 'retry-after', 'etag', 'idempotent-replayed'];

const HELMET_OPTIONS = {
  contentSecurityPolicy: {
    directives: {
      'connect-src': ["'self'"],
      // Served over plain http in embedded mode: upgrading would break every request.
      'upgrade-insecure-requests': null,
    },
  },
};

/**
 * The security headers helmet sets, computed once: they do not depend on the request (no CSP
 * nonces), and building them per request (as @fastify/helmet does) cost more CPU than the rest of
 * a proxied request.
 */
const helmetHeaders = async (): Promise<Record<string, string>> => {
  const probe = Fastify({ logger: false });
  await probe.register(helmet, HELMET_OPTIONS);
  probe.get('/', async () => '');
  const { headers } = await probe.inject({ url: '/' });
  await probe.close();
  const ours = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);
  return Object.fromEntries(Object.entries(headers).filter(([name, value]) => !ours.has(name) && typeof value === 'string')) as Record<string, string>;
};

/**
 * The security headers of an API answer (JSON, event streams, report files): the set OWASP's REST
 * security guidance asks of an API. An API answer is never a page: it runs no script, loads nothing
 * and must not be framed, so it needs none of the browser-page policies helmet adds for the UI and
 * the docs (which get helmet's full set). Helmet's twelve headers on every API answer were about a
 * tenth of the gateway's CPU per micro-cached request (BENCHMARKS.md, gateway).
 */
const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

/** The gateway's HTTP app, built without listening so tests can run it on any port. */
export const buildGatewayApp = async (deps: GatewayAppDependencies): Promise<GatewayApp> => {
  const app = await createServiceApp({
    title: 'NationPulse API',
    logger: deps.logger,
    bodyLimitBytes: deps.bodyLimitBytes,
    health: deps.health,
    // One /metrics: the gateway's own metrics and the platform's HTTP latency histogram.
    metrics: deps.metrics.registry,
    openApiComponents: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
  });
  app.decorateRequest('user', null);
  app.addHook('onError', async (_request, _reply, error) => {
    if ((error as { code?: string }).code === 'RATE_LIMITED') deps.metrics.rateLimited();
  });

  const pageHeaders = await helmetHeaders();
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(request.url.startsWith('/api/') ? API_SECURITY_HEADERS : pageHeaders);
    reply.header('x-request-id', request.id);
    done();
  });
  const anyOrigin = deps.corsOrigins.includes('*');
  const allowed = new Set(deps.corsOrigins);
  // Same-origin only by default: then there is nothing for CORS to answer, and no hook to run.
  if (deps.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: anyOrigin ? true : [...allowed],
      exposedHeaders: EXPOSED,
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match', 'if-none-match', 'x-request-id', 'traceparent', 'last-event-id'],
      maxAge: 600,
    });
  }
  const corsHeaders = (origin: string | undefined): Record<string, string> =>
    origin && (anyOrigin || allowed.has(origin)) ? { 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSED.join(', '), vary: 'Origin' } : {};

  const guardDeps = { auth: deps.auth, rateLimits: deps.rateLimits };
  await app.register(authRoutes, { prefix: '/api/v1/auth', ...guardDeps, service: deps.authService });
  await app.register(proxyRoutes, {
    prefix: '/api/v1',
    ...guardDeps,
    upstreams: deps.upstreams,
    breakerRetryAfterSeconds: deps.breakerRetryAfterSeconds,
    pulse: deps.pulse,
    microCache: deps.microCache,
    onMicroCache: (hit) => deps.metrics.microCache(hit),
  });
  const streams = new Set<() => void>();
  await app.register(eventsRoute(streams), {
    prefix: '/api/v1',
    ...guardDeps,
    notifications: deps.notifications,
    access: deps.access,
    heartbeatMs: deps.sseHeartbeatMs,
    corsHeaders,
    onError: (error) => app.log.warn({ err: error }, 'event stream'),
  });
  await app.register(docsRoutes);
  await app.register(uiRoutes, { root: deps.uiRoot });
  return {
    app,
    closeStreams: () => {
      for (const stop of [...streams]) stop();
    },
  };
};

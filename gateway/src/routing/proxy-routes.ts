import { isNationPulseError, type Permission } from '@nationpulse/domain';
import { bearerToken, noneMatchHits, type Authenticator, type CachedAnswer, type ForwardedAnswer, type MicroCache, type SignedInUser } from '@nationpulse/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RateLimits } from '../access/rate-limits.ts';
import type { Pulse } from '../ops/pulse.ts';
import type { Upstream } from '../upstream/upstream-client.ts';
import { clientHeaders, upstreamHeaders } from './forwarding.ts';
import { proxiedRoutes, type UpstreamName } from './route-table.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the gateway's guard once the access token and permission are checked. */
    user: SignedInUser | null;
  }
}

export interface GuardDeps {
  readonly auth: Authenticator;
  readonly rateLimits: RateLimits;
}

/** Sets Retry-After from an error that says when to come back (429, an open breaker). */
const setRetryAfter = (reply: FastifyReply, error: unknown, fallbackSeconds?: number): void => {
  if (!isNationPulseError(error)) return;
  const details = error.details as { retryAfterSeconds?: number } | undefined;
  const seconds = details?.retryAfterSeconds ?? (error.code === 'UPSTREAM_UNAVAILABLE' ? fallbackSeconds : undefined);
  if (seconds !== undefined) reply.header('retry-after', String(seconds));
};

/** Runs `work`; when it fails with an error that says when to come back, the answer carries Retry-After. */
export const withRetryAfter = async <T>(reply: FastifyReply, work: () => Promise<T>, fallbackSeconds?: number): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    setRetryAfter(reply, error, fallbackSeconds);
    throw error;
  }
};

/**
 * Who is calling and whether they may: the token (401), the user's current access (401/403), the
 * permission (403), the rate limits (429). Routes run it on `onRequest`, before the body is read
 * or validated: a caller who may not use a route learns nothing about its input and costs no parsing.
 */
export const guard =
  ({ auth, rateLimits }: GuardDeps, permission: Permission, tokenOf: (request: FastifyRequest) => string | undefined = (r) => bearerToken(r.headers.authorization)) =>
  async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const user = await auth.authenticate(tokenOf(request));
    try {
      await rateLimits.checkUser(user.username, user.userId, request.ip);
    } catch (error) {
      setRetryAfter(reply, error);
      throw error;
    }
    auth.authorize(user, permission);
    request.user = user;
  };

export interface ProxyRoutesOptions extends GuardDeps {
  readonly upstreams: Readonly<Record<UpstreamName, Upstream>>;
  /** Retry-After sent with 503 when an upstream's breaker is open. */
  readonly breakerRetryAfterSeconds: number;
  /** GET /ops/pulse: answered by the gateway itself, which sees every service. */
  readonly pulse: () => Promise<Pulse>;
  /** Recent read API answers, reused after the guard (null: off); `onMicroCache` counts hits and misses. */
  readonly microCache: MicroCache | null;
  readonly onMicroCache?: (hit: boolean) => void;
}

/** A micro-cached answer: 304 when the client already holds it (ETag), its bytes otherwise. */
const sendCached = (request: FastifyRequest, reply: FastifyReply, answer: CachedAnswer) => {
  reply.headers(answer.headers).header('x-cache', 'hit');
  if (noneMatchHits(request.headers['if-none-match'], answer.etag)) {
    reply.removeHeader('content-type');
    return reply.status(304).send();
  }
  return reply.status(200).send(answer.body);
};

/**
 * The public paths the gateway forwards (see route-table.ts): each checks its permission, then
 * goes to its upstream with the request id and trace context; the answer comes back as it was
 * (status, body, X-Position, ETag, Cache-Control…). minPosition stays in the query string.
 */
export const proxyRoutes: FastifyPluginAsyncZod<ProxyRoutesOptions> = async (app, options) => {
  const { microCache } = options;
  const forward = (upstream: Upstream, cache: MicroCache | null = null) => {
    const call = async (request: FastifyRequest, reply: FastifyReply): Promise<ForwardedAnswer> => {
      const hasBody = request.body !== undefined && request.body !== null;
      const res = await withRetryAfter(
        reply,
        () =>
          upstream.request({
            method: request.method as 'GET' | 'POST' | 'DELETE',
            path: request.url,
            headers: upstreamHeaders(request, hasBody),
            ...(hasBody ? { body: JSON.stringify(request.body) } : {}),
          }),
        options.breakerRetryAfterSeconds,
      );
      return { statusCode: res.statusCode, headers: clientHeaders(res.headers), body: res.body };
    };
    return async (request: FastifyRequest, reply: FastifyReply) => {
      let res: ForwardedAnswer;
      if (cache !== null && request.method === 'GET') {
        const hit = cache.lookup(request.url);
        if (hit) {
          options.onMicroCache?.(true);
          return sendCached(request, reply, hit);
        }
        const answer = await cache.answer(request.url, () => call(request, reply));
        options.onMicroCache?.('cached' in answer); // a request that waited for another's upstream call is a hit too
        if ('cached' in answer) return sendCached(request, reply, answer.cached);
        res = answer.forwarded;
      } else {
        res = await call(request, reply);
      }
      return reply.status(res.statusCode).headers(res.headers).send(res.body);
    };
  };
  const forwardStream = (upstream: Upstream) => async (request: FastifyRequest, reply: FastifyReply) => {
    const res = await withRetryAfter(
      reply,
      () => upstream.stream({ method: 'GET', path: request.url, headers: upstreamHeaders(request, false) }),
      options.breakerRetryAfterSeconds,
    );
    const headers = clientHeaders(res.headers);
    // The file's length is known upstream: keep it, so clients can show progress (it is hop-by-hop only for buffered answers).
    const length = res.headers['content-length'];
    if (typeof length === 'string') headers['content-length'] = length;
    return reply.status(res.statusCode).headers(headers).send(res.body);
  };

  /**
   * A fresh micro-cached answer sent straight after the guard, skipping parsing, validation and
   * the handler: the cache only holds answers to URLs that passed validation (minPosition aside,
   * which the cache compares itself), so validating again cannot change the outcome.
   */
  const guardThenCached = (permission: Permission) => {
    const check = guard(options, permission);
    return async (request: FastifyRequest, reply: FastifyReply) => {
      await check(request, reply);
      if (microCache === null || request.method !== 'GET') return;
      const hit = microCache.lookup(request.url);
      if (!hit) return;
      options.onMicroCache?.(true);
      return sendCached(request, reply, hit);
    };
  };

  for (const route of proxiedRoutes) {
    const cached = !route.stream && route.method === 'GET' && route.upstream === 'read-api';
    app.route({
      method: route.method,
      url: route.path,
      schema: {
        summary: route.summary,
        description: `Requires the permission \`${route.permission}\`. Forwarded to the ${route.upstream} service.`,
        tags: [route.tag],
        security: [{ bearerAuth: [] }],
        ...(route.params ? { params: route.params } : {}),
        ...(route.querystring ? { querystring: route.querystring } : {}),
        ...(route.body ? { body: route.body } : {}),
      },
      onRequest: cached && microCache !== null ? guardThenCached(route.permission) : guard(options, route.permission),
      // The read API's answers depend on the URL alone, except those it marks private/no-store
      // (the caller's own lists), which the micro-cache never keeps.
      handler: route.stream ? forwardStream(options.upstreams[route.upstream]) : forward(options.upstreams[route.upstream], cached ? microCache : null),
    });
  }

  app.get(
    '/ops/pulse',
    {
      schema: {
        summary: 'The platform at a glance: every service and the gateway’s own dependencies, checked at once (503 unless all are up)',
        description: 'Requires the permission `data:read`. Answered by the gateway.',
        tags: ['ops'],
        security: [{ bearerAuth: [] }],
      },
      onRequest: guard(options, 'data:read'),
    },
    async (_request, reply) => {
      const pulse = await options.pulse();
      return reply.status(pulse.status === 'up' ? 200 : 503).header('cache-control', 'no-store').send(pulse);
    },
  );

  // The rest of the ops and ingestion APIs, as their services grow: reading needs data:read /
  // ingestion:trigger, acting needs ops:manage / ingestion:trigger.
  app.route({ method: 'GET', url: '/ops/*', schema: { hide: true }, onRequest: guard(options, 'data:read'), handler: forward(options.upstreams.projectors) });
  app.route({ method: ['POST', 'DELETE'], url: '/ops/*', schema: { hide: true }, onRequest: guard(options, 'ops:manage'), handler: forward(options.upstreams.projectors) });
  app.route({ method: ['GET', 'POST', 'DELETE'], url: '/ingestions/*', schema: { hide: true }, onRequest: guard(options, 'ingestion:trigger'), handler: forward(options.upstreams.ingestion) });
  app.route({ method: 'GET', url: '/ingestions', schema: { hide: true }, onRequest: guard(options, 'ingestion:trigger'), handler: forward(options.upstreams.ingestion) });
};

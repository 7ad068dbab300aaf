import { createMicroCache, etagOf, noneMatchHits } from '@nationpulse/platform';
import type { FastifyInstance } from 'fastify';

export interface HttpCachingOptions {
  /** `Cache-Control: public, max-age=<this>` on every successful answer. */
  readonly maxAgeSeconds: number;
}

/**
 * HTTP caching for the plugin it is installed in: a 200 answer gets a strong ETag (hash of the
 * body) and `Cache-Control: public, max-age=N`, and becomes an empty 304 when the request's
 * If-None-Match names that tag (the headers, X-Position included, are still sent). Errors are
 * `no-store`: a 503 or 404 must not stick in a shared cache.
 */
export const installHttpCaching = (app: FastifyInstance, { maxAgeSeconds }: HttpCachingOptions): void => {
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.getHeader('x-cache') === 'hit') return payload; // sent by the micro-cache, headers included
    if (reply.statusCode !== 200 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
      if (reply.statusCode >= 400) reply.header('cache-control', 'no-store');
      return payload;
    }
    const etag = etagOf(payload);
    reply.header('etag', etag);
    reply.header('cache-control', `public, max-age=${maxAgeSeconds}`);
    if (noneMatchHits(request.headers['if-none-match'], etag)) {
      reply.code(304);
      reply.removeHeader('content-type');
      return '';
    }
    return payload;
  });
};

export interface MicroCacheOptions {
  /** How long an answer's bytes are reused; 0 turns the micro-cache off. */
  readonly ttlMs: number;
  /** Entries kept at most (oldest dropped first). */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/**
 * Micro-caching at the HTTP edge, for read-heavy dashboards: the exact bytes of a recent 200
 * answer (with its ETag and position) are sent again for the same URL during `ttlMs`, without
 * validating, querying or serialising anew. The shared micro-cache's rules hold (see
 * createMicroCache): an entry is used only when its position satisfies the request's
 * minPosition, so read-your-writes holds; without minPosition an answer may be up to `ttlMs` old
 * (the Cache-Control max-age already allows more). Install it after installHttpCaching (whose
 * ETag and Cache-Control it keeps) and before the routes.
 */
export const installMicroCache = (app: FastifyInstance, { ttlMs, maxEntries = 5_000, now = Date.now }: MicroCacheOptions): void => {
  // No byte bound: the read API's answers are bounded by their queries' limits.
  const cache = createMicroCache<string>({ ttlMs, now, maxEntries, maxBytes: Number.POSITIVE_INFINITY });
  if (!cache) return;

  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET') return;
    const entry = cache.lookup(request.url);
    if (!entry) return;
    reply.headers(entry.headers);
    reply.header('x-cache', 'hit');
    if (noneMatchHits(request.headers['if-none-match'], entry.etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(entry.body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' || reply.statusCode !== 200 || typeof payload !== 'string' || reply.getHeader('x-cache') === 'hit') return payload;
    const etag = reply.getHeader('etag');
    const cacheControl = reply.getHeader('cache-control');
    const position = reply.getHeader('x-position');
    if (typeof etag !== 'string' || typeof cacheControl !== 'string' || typeof position !== 'string') return payload;
    cache.store(request.url, payload, { 'x-position': position, etag, 'cache-control': cacheControl });
    return payload;
  });
};

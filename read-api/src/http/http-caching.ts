import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export interface HttpCachingOptions {
  /** `Cache-Control: public, max-age=<this>` on every successful answer. */
  readonly maxAgeSeconds: number;
}

/** A strong validator: the SHA-256 of the exact body, base64url. */
export const etagOf = (body: string | Buffer): string => `"${createHash('sha256').update(body).digest('base64url')}"`;

/** If-None-Match (a list of entity tags, or *) names this tag; weak comparison, as RFC 9110 asks for it. */
export const noneMatchHits = (header: string | undefined, etag: string): boolean => {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
};

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
    const ifNoneMatch = request.headers['if-none-match'];
    if (noneMatchHits(typeof ifNoneMatch === 'string' ? ifNoneMatch : undefined, etag)) {
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

interface MicroCacheEntry {
  readonly body: string;
  readonly etag: string;
  readonly cacheControl: string;
  readonly position: number;
  readonly expires: number;
}

/** The request's URL without minPosition: answers differ by everything else in it. */
const cacheKeyOf = (url: string): { key: string; minPosition: number | null } => {
  const q = url.indexOf('?');
  if (q < 0) return { key: url, minPosition: 0 };
  const params = new URLSearchParams(url.slice(q + 1));
  const raw = params.get('minPosition');
  params.delete('minPosition');
  const minPosition = raw === null ? 0 : /^\d+$/.test(raw) ? Number(raw) : null;
  const rest = params.toString();
  return { key: rest ? `${url.slice(0, q)}?${rest}` : url.slice(0, q), minPosition };
};

/**
 * Micro-caching at the HTTP edge, for read-heavy dashboards: the exact bytes of a recent 200
 * answer (with its ETag and position) are sent again for the same URL during `ttlMs`, without
 * validating, querying or serialising anew. An entry is used only when its position satisfies
 * the request's minPosition, so read-your-writes holds; without minPosition an answer may be up
 * to `ttlMs` old (the Cache-Control max-age already allows more). Install it before the routes.
 */
export const installMicroCache = (app: FastifyInstance, { ttlMs, maxEntries = 5_000, now = Date.now }: MicroCacheOptions): void => {
  if (ttlMs <= 0) return;
  const entries = new Map<string, MicroCacheEntry>();

  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET') return;
    const { key, minPosition } = cacheKeyOf(request.url);
    if (minPosition === null) return; // let validation answer the bad value
    const entry = entries.get(key);
    if (!entry) return;
    if (entry.expires <= now()) {
      entries.delete(key);
      return;
    }
    if (entry.position < minPosition) return;
    reply.header('x-position', String(entry.position));
    reply.header('etag', entry.etag);
    reply.header('cache-control', entry.cacheControl);
    reply.header('x-cache', 'hit');
    const ifNoneMatch = request.headers['if-none-match'];
    if (noneMatchHits(typeof ifNoneMatch === 'string' ? ifNoneMatch : undefined, entry.etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(entry.body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' || reply.statusCode !== 200 || typeof payload !== 'string' || reply.getHeader('x-cache') === 'hit') return payload;
    const etag = reply.getHeader('etag');
    const cacheControl = reply.getHeader('cache-control');
    const position = Number(reply.getHeader('x-position'));
    if (typeof etag !== 'string' || typeof cacheControl !== 'string' || !Number.isSafeInteger(position)) return payload;
    const { key } = cacheKeyOf(request.url);
    entries.delete(key);
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(key, { body: payload, etag, cacheControl, position, expires: now() + ttlMs });
    return payload;
  });
};

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

import { createHash } from 'node:crypto';

/** Headers as a service sends them on: one value, or several (Set-Cookie). */
export type AnswerHeaders = Readonly<Record<string, string | string[]>>;

/** A recent 200 answer, kept to be sent again as it was. */
export interface CachedAnswer<B extends string | Buffer = Buffer> {
  readonly body: B;
  /** The headers sent with it (X-Position, ETag, Cache-Control, Content-Type…). */
  readonly headers: AnswerHeaders;
  readonly etag: string;
  readonly position: number;
  readonly expires: number;
}

/** An answer freshly made (or fetched upstream): status, headers, body. */
export interface ForwardedAnswer<B extends string | Buffer = Buffer> {
  readonly statusCode: number;
  readonly headers: AnswerHeaders;
  readonly body: B;
}

export interface MicroCache<B extends string | Buffer = Buffer> {
  /** A fresh answer for this URL whose position satisfies its minPosition, or null. */
  lookup(url: string): CachedAnswer<B> | null;
  /** Keeps a 200 answer for this URL when it is cacheable (ETag, X-Position, not private). */
  store(url: string, body: B, headers: AnswerHeaders): void;
  /**
   * Answers a GET: from the cache when it can, else by `load` (and keeps a 200 answer). Concurrent
   * misses for one URL make one call of `load`: the others wait for it and take its answer when
   * it satisfies their minPosition, or call `load` themselves (also when it failed).
   */
  answer(url: string, load: () => Promise<ForwardedAnswer<B>>): Promise<{ readonly cached: CachedAnswer<B> } | { readonly forwarded: ForwardedAnswer<B> }>;
}

export interface MicroCacheOptions {
  /** How long an answer is reused; 0 turns the cache off. */
  readonly ttlMs: number;
  readonly now: () => number;
  /** Entries kept at most (oldest dropped first). */
  readonly maxEntries?: number;
  /** Bytes of bodies kept at most; answers larger than a sixteenth of it are not kept. */
  readonly maxBytes?: number;
}

/** A strong validator: the SHA-256 of the exact body, base64url. */
export const etagOf = (body: string | Buffer): string => `"${createHash('sha256').update(body).digest('base64url')}"`;

/** If-None-Match (a list of entity tags, or *) names this tag; weak comparison, as RFC 9110 asks for it. */
export const noneMatchHits = (header: string | string[] | undefined, etag: string): boolean => {
  if (typeof header !== 'string' || !header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
};

const MIN_POSITION = /(?:^|&)minPosition=(\d*)(?:&|$)/;

/**
 * The URL without its consistency token, so answers newer than a request's minPosition serve it
 * too. Without a single, valid `minPosition=` the URL is its own key: an answer is then only reused for
 * the very same URL, whose token (whatever its spelling) the stored answer already satisfied.
 */
const keyOf = (url: string): { key: string; minPosition: number } => {
  const q = url.indexOf('?');
  if (q < 0 || !MIN_POSITION.test(url.slice(q + 1))) return { key: url, minPosition: 0 };
  const params = new URLSearchParams(url.slice(q + 1));
  const tokens = params.getAll('minPosition');
  const minPosition = tokens.length === 1 && /^\d+$/.test(tokens[0]!) ? Number(tokens[0]) : NaN;
  // A token validation would refuse (repeated, empty, beyond a safe integer) keeps the URL its own
  // key: no stored answer has it, so the request goes on to be validated (and refused).
  if (!Number.isSafeInteger(minPosition)) return { key: url, minPosition: 0 };
  params.delete('minPosition');
  const rest = params.toString();
  return { key: rest ? `${url.slice(0, q)}?${rest}` : url.slice(0, q), minPosition };
};

const single = (value: string | string[] | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * A micro-cache of query answers, for the HTTP edges of the read side (the read API's own routes
 * and the gateway in front of them): the exact bytes of a recent 200 answer, with its ETag and
 * position, reused for the same URL during `ttlMs`. An entry serves a request only when its
 * position satisfies the request's minPosition, so read-your-writes holds; without minPosition an
 * answer may be up to `ttlMs` old, well within the answers' `Cache-Control: max-age`. Answers
 * without ETag or X-Position, marked `private` or `no-store`, setting cookies or varying are never
 * kept. null when `ttlMs` is 0.
 */
export const createMicroCache = <B extends string | Buffer = Buffer>({
  ttlMs,
  now,
  maxEntries = 2_000,
  maxBytes = 32 * 1024 * 1024,
}: MicroCacheOptions): MicroCache<B> | null => {
  if (ttlMs <= 0) return null;
  const entries = new Map<string, CachedAnswer<B>>();
  /** Loads under way, by key: what concurrent misses wait for. */
  const loading = new Map<string, Promise<unknown>>();
  let bytes = 0;
  const drop = (key: string, entry: CachedAnswer<B>) => {
    entries.delete(key);
    bytes -= Buffer.byteLength(entry.body);
  };
  const fresh = (key: string, minPosition: number): CachedAnswer<B> | null => {
    const entry = entries.get(key);
    if (!entry) return null;
    if (entry.expires <= now()) {
      drop(key, entry);
      return null;
    }
    return entry.position >= minPosition ? entry : null;
  };
  const cache: MicroCache<B> = {
    lookup(url) {
      const { key, minPosition } = keyOf(url);
      return fresh(key, minPosition);
    },
    async answer(url, load) {
      const { key, minPosition } = keyOf(url);
      const hit = fresh(key, minPosition);
      if (hit) return { cached: hit };
      const running = loading.get(key);
      if (running) {
        await running.catch(() => undefined);
        const after = fresh(key, minPosition);
        if (after) return { cached: after };
      }
      const call = load();
      if (!running) {
        loading.set(key, call);
        void call.catch(() => undefined).finally(() => loading.delete(key));
      }
      const forwarded = await call;
      if (forwarded.statusCode === 200) cache.store(url, forwarded.body, forwarded.headers);
      return { forwarded };
    },
    store(url, body, headers) {
      const etag = single(headers.etag);
      const position = Number(single(headers['x-position']));
      const cacheControl = single(headers['cache-control']) ?? '';
      if (!etag || !Number.isSafeInteger(position) || /private|no-store/i.test(cacheControl) || headers['set-cookie'] || headers.vary) return;
      const size = Buffer.byteLength(body);
      if (size > maxBytes / 16) return;
      const { key } = keyOf(url);
      const previous = entries.get(key);
      // An older answer (a micro-cache upstream may send one) never replaces a newer one.
      if (previous && previous.position > position && previous.expires > now()) return;
      if (previous) drop(key, previous);
      while (entries.size > 0 && (entries.size >= maxEntries || bytes + size > maxBytes)) {
        const [oldestKey, oldest] = entries.entries().next().value!;
        drop(oldestKey, oldest);
      }
      entries.set(key, { body, headers, etag, position, expires: now() + ttlMs });
      bytes += size;
    },
  };
  return cache;
};

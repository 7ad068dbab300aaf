/** A recent 200 answer of the read API, as the gateway sends it on. */
export interface CachedAnswer {
  readonly body: Buffer;
  /** The headers passed on to the client (X-Position, ETag, Cache-Control, Content-Type…). */
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly etag: string;
  readonly position: number;
  readonly expires: number;
}

/** An upstream answer as the gateway sends it on: status, the headers for the client, the body. */
export interface ForwardedAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: Buffer;
}

export interface MicroCache {
  /** A fresh answer for this URL whose position satisfies its minPosition, or null. */
  lookup(url: string): CachedAnswer | null;
  /** Keeps a 200 answer for this URL when it is cacheable (ETag, X-Position, not private). */
  store(url: string, body: Buffer, headers: Readonly<Record<string, string | string[]>>): void;
  /**
   * Answers a GET: from the cache when it can, else by `load` (and keeps a 200 answer). Concurrent
   * misses for one URL make one upstream call: the others wait for it and take its answer when
   * it satisfies their minPosition, or call upstream themselves (also when it failed).
   */
  answer(url: string, load: () => Promise<ForwardedAnswer>): Promise<{ readonly cached: CachedAnswer } | { readonly forwarded: ForwardedAnswer }>;
}

export interface MicroCacheOptions {
  /** How long an answer is reused; 0 turns the cache off. */
  readonly ttlMs: number;
  readonly now: () => number;
  /** Entries kept at most (oldest dropped first). */
  readonly maxEntries?: number;
  /** Bytes of bodies kept at most; larger answers are not kept. */
  readonly maxBytes?: number;
}

const MIN_POSITION = /(?:^|&)minPosition=(\d*)(?:&|$)/;

/**
 * The URL without its consistency token, so answers newer than a request's minPosition serve it
 * too. Without `minPosition=` the URL is its own key: an answer is then only reused for the very
 * same URL, whose token (whatever its spelling) the stored answer already satisfied.
 */
const keyOf = (url: string): { key: string; minPosition: number } => {
  const q = url.indexOf('?');
  if (q < 0 || !MIN_POSITION.test(url.slice(q + 1))) return { key: url, minPosition: 0 };
  const params = new URLSearchParams(url.slice(q + 1));
  const minPosition = Math.max(0, ...params.getAll('minPosition').map(Number).filter(Number.isSafeInteger));
  params.delete('minPosition');
  const rest = params.toString();
  return { key: rest ? `${url.slice(0, q)}?${rest}` : url.slice(0, q), minPosition };
};

/** If-None-Match (a list of entity tags, or *) names this tag; weak comparison, as RFC 9110 asks for it. */
export const noneMatchHits = (header: string | string[] | undefined, etag: string): boolean => {
  if (typeof header !== 'string') return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
};

const single = (value: string | string[] | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * The gateway's micro-cache for public queries: the exact bytes of a recent 200 answer of the read
 * API, with its ETag and position, reused for the same URL during `ttlMs` without a trip
 * upstream. The routes consult it only after the caller is authenticated, authorized and counted
 * by the rate limiter, so it changes nothing about who may read what. Same rules as the read API's
 * own micro-cache: an entry serves a request only when its position satisfies the request's
 * minPosition (read-your-writes holds); without minPosition an answer is at most `ttlMs` older
 * than the read API's (whose own micro-cache adds its TTL), well within the answers'
 * `Cache-Control: max-age`. Answers marked `private` or `no-store`, or setting cookies, are never kept.
 */
export const createMicroCache = ({ ttlMs, now, maxEntries = 2_000, maxBytes = 32 * 1024 * 1024 }: MicroCacheOptions): MicroCache | null => {
  if (ttlMs <= 0) return null;
  const entries = new Map<string, CachedAnswer>();
  /** Upstream calls under way, by key: what concurrent misses wait for. */
  const loading = new Map<string, Promise<unknown>>();
  let bytes = 0;
  const drop = (key: string, entry: CachedAnswer) => {
    entries.delete(key);
    bytes -= entry.body.length;
  };
  const fresh = (key: string, minPosition: number): CachedAnswer | null => {
    const entry = entries.get(key);
    if (!entry) return null;
    if (entry.expires <= now()) {
      drop(key, entry);
      return null;
    }
    return entry.position >= minPosition ? entry : null;
  };
  const cache: MicroCache = {
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
      if (body.length > maxBytes / 16) return;
      const { key } = keyOf(url);
      const previous = entries.get(key);
      // An older answer (the read API's own micro-cache may send one) never replaces a newer one.
      if (previous && previous.position > position && previous.expires > now()) return;
      if (previous) drop(key, previous);
      while (entries.size > 0 && (entries.size >= maxEntries || bytes + body.length > maxBytes)) {
        const [oldestKey, oldest] = entries.entries().next().value!;
        drop(oldestKey, oldest);
      }
      entries.set(key, { body, headers, etag, position, expires: now() + ttlMs });
      bytes += body.length;
    },
  };
  return cache;
};

import { setTimeout as delay } from 'node:timers/promises';
import { NationPulseError } from '@nationpulse/domain';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const defaultSleep: Sleep = async (ms, signal) => {
  if (ms > 0) await delay(ms, undefined, signal ? { signal } : {});
};

export interface HttpClientOptions {
  /** Names the API in error messages, e.g. 'World Bank API'. */
  readonly name: string;
  /** Per call: until the response headers for streamed bodies, and between two body chunks; the whole call otherwise. */
  readonly timeoutMs: number;
  /** Tries in all for one call (1 = no retry). */
  readonly attempts: number;
  /** First backoff; doubled at each retry, with jitter, up to maxBackoffMs. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  /** Calls to this API start at least this far apart (a client-side rate limit). */
  readonly minIntervalMs: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly fetch?: typeof fetch;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  readonly now?: () => number;
}

/** The API could not be reached or kept failing: try again later. */
export const upstreamUnavailable = (name: string, reason: string, details?: unknown): NationPulseError =>
  new NationPulseError('unavailable', 'UPSTREAM_UNAVAILABLE', `${name}: ${reason}`, details);

/** The API refused the request itself (4xx other than 429): retrying cannot help. */
export const upstreamRejected = (name: string, status: number, body: string, url: string): NationPulseError =>
  new NationPulseError('validation', 'UPSTREAM_REJECTED', `${name}: HTTP ${status} for ${url}${body ? `: ${body.slice(0, 300)}` : ''}`, { status, url });

/** Retry-After as milliseconds (delta-seconds or an HTTP date), or null. */
export const parseRetryAfter = (value: string | null, now: number): number | null => {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
};

const isTransientStatus = (status: number): boolean => status === 429 || status === 408 || status >= 500;

class TransientFailure extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

const describeError = (e: unknown): string => {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    return cause instanceof Error && cause.message ? `${e.message} (${cause.message})` : e.message;
  }
  return String(e);
};

export interface TextResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export interface LinesResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The body, line by line (LF or CRLF), read as the consumer pulls. */
  readonly lines: AsyncGenerator<string>;
}

/**
 * GET with a timeout on every call, bounded retries of transient failures (429, 408, 5xx,
 * network errors, timeouts) with exponential backoff and jitter, honouring Retry-After, and a
 * minimum interval between calls. Other 4xx fail at once. The caller's signal cancels everything.
 */
export const createHttpClient = (options: HttpClientOptions) => {
  const doFetch = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const { name } = options;
  let nextSlot = 0;
  let queue: Promise<void> = Promise.resolve();

  /** Waits for this call's turn: calls start minIntervalMs apart, in order. */
  const acquire = (signal?: AbortSignal): Promise<void> => {
    const turn = queue.then(async () => {
      const wait = nextSlot - now();
      if (wait > 0) await sleep(wait, signal);
      nextSlot = now() + options.minIntervalMs;
    });
    queue = turn.catch(() => {});
    return turn;
  };

  const backoff = (attempt: number, retryAfterMs: number | null): number => {
    const exponential = Math.min(options.maxBackoffMs, options.backoffMs * 2 ** (attempt - 1));
    const jittered = exponential / 2 + random() * (exponential / 2);
    return Math.max(jittered, retryAfterMs ?? 0);
  };

  /** One attempt: resolves with a 2xx response (body unread) or throws TransientFailure / a final error. */
  const attemptOnce = async (url: string, signal: AbortSignal): Promise<Response> => {
    let response: Response;
    try {
      response = await doFetch(url, { signal, headers: { 'user-agent': 'nationpulse-ingestion', ...options.headers } });
    } catch (e) {
      if (signal.aborted && !(signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError')) throw signal.reason;
      throw new TransientFailure(signal.aborted ? `no response within ${options.timeoutMs} ms` : `network error: ${describeError(e)}`);
    }
    if (response.ok) return response;
    const body = await response.text().catch(() => '');
    if (isTransientStatus(response.status)) {
      throw new TransientFailure(`HTTP ${response.status}`, parseRetryAfter(response.headers.get('retry-after'), now()));
    }
    throw upstreamRejected(name, response.status, body, url);
  };

  /**
   * Runs `call` with retries. `call` gets a signal that is aborted by the caller's signal and by
   * its own timer, which it starts (and may stop) itself.
   */
  const withRetries = async <T>(url: string, signal: AbortSignal | undefined, call: (attemptSignal: AbortSignal, timer: Timer) => Promise<T>): Promise<T> => {
    let last = '';
    for (let attempt = 1; attempt <= options.attempts; attempt++) {
      signal?.throwIfAborted();
      await acquire(signal);
      const timer = createTimer(options.timeoutMs);
      const attemptSignal = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
      try {
        return await call(attemptSignal, timer);
      } catch (e) {
        timer.stop();
        if (signal?.aborted) throw signal.reason;
        if (!(e instanceof TransientFailure)) {
          if (timer.signal.aborted) last = `no complete response within ${options.timeoutMs} ms`;
          else throw e;
        } else last = e.message;
        if (attempt === options.attempts) break;
        const retryAfter = e instanceof TransientFailure ? e.retryAfterMs : null;
        if (retryAfter !== null && retryAfter > options.maxBackoffMs) {
          throw new NationPulseError('rate_limited', 'UPSTREAM_RATE_LIMITED', `${name}: rate limited, asked to retry after ${Math.ceil(retryAfter / 1000)} s (${url})`, { url, retryAfterMs: retryAfter });
        }
        await sleep(backoff(attempt, retryAfter), signal);
      }
    }
    throw upstreamUnavailable(name, `${last} after ${options.attempts} attempt(s) (${url})`, { url, attempts: options.attempts });
  };

  /** The whole body as text, at most maxBytes; the timeout covers the whole call. */
  const getText = (url: string, signal?: AbortSignal, maxBytes = Number.POSITIVE_INFINITY): Promise<TextResponse> =>
    withRetries(url, signal, async (attemptSignal, timer) => {
      const response = await attemptOnce(url, attemptSignal);
      const length = Number(response.headers.get('content-length') ?? NaN);
      if (length > maxBytes) {
        await response.body?.cancel();
        throw upstreamRejected(name, response.status, `response of ${length} bytes is over the ${maxBytes}-byte limit`, url);
      }
      const text = await readAll(response, maxBytes, () => upstreamRejected(name, response.status, `response over the ${maxBytes}-byte limit`, url)).catch((e: unknown) => {
        if (e instanceof NationPulseError) throw e;
        throw new TransientFailure(`body interrupted: ${describeError(e)}`);
      });
      timer.stop();
      return { status: response.status, headers: response.headers, text };
    });

  /**
   * The body streamed line by line. Retries cover the exchange up to the response headers; once
   * lines flow, an interrupted body (or one silent for longer than the timeout) fails the read.
   */
  const getLines = (url: string, signal?: AbortSignal): Promise<LinesResponse> =>
    withRetries(url, signal, async (attemptSignal, timer) => {
      const response = await attemptOnce(url, attemptSignal);
      timer.stop();
      return { status: response.status, headers: response.headers, lines: bodyLines(response, options.timeoutMs, name, signal) };
    });

  return { getText, getLines };
};
export type HttpClient = ReturnType<typeof createHttpClient>;

interface Timer {
  readonly signal: AbortSignal;
  stop(): void;
}

/**
 * An abort signal that fires a TimeoutError after ms, like AbortSignal.timeout, but which can be
 * stopped once the part of the exchange it bounds is over (a streamed body has its idle timeout).
 */
const createTimer = (ms: number): Timer => {
  const controller = new AbortController();
  const handle = setTimeout(() => controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), ms);
  handle.unref();
  return { signal: controller.signal, stop: () => clearTimeout(handle) };
};

const readAll = async (response: Response, maxBytes: number, tooBig: () => Error): Promise<string> => {
  if (!response.body) return '';
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  // AsyncIterable: the DOM lib (packages that type-check this file with it) lacks ReadableStream iteration.
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) throw tooBig();
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
};

/** Splits a body into lines as it arrives; each wait for a chunk is bounded by idleMs. */
async function* bodyLines(response: Response, idleMs: number, name: string, signal?: AbortSignal): AsyncGenerator<string> {
  if (!response.body) return;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let pending = '';
  try {
    for (;;) {
      signal?.throwIfAborted();
      let handle: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => {
        handle = setTimeout(() => reject(upstreamUnavailable(name, `response body stalled for ${idleMs} ms`)), idleMs);
      });
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await Promise.race([reader.read(), idle]);
      } finally {
        clearTimeout(handle);
      }
      if (chunk.done) break;
      pending += decoder.decode(chunk.value, { stream: true });
      let start = 0;
      for (let newline = pending.indexOf('\n'); newline !== -1; newline = pending.indexOf('\n', start)) {
        const line = pending.slice(start, newline);
        start = newline + 1;
        yield line.endsWith('\r') ? line.slice(0, -1) : line;
      }
      pending = pending.slice(start);
    }
    pending += decoder.decode();
    if (pending !== '') yield pending.endsWith('\r') ? pending.slice(0, -1) : pending;
  } finally {
    await reader.cancel().catch(() => {});
  }
}

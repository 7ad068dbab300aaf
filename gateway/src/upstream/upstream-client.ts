import { setTimeout as sleep } from 'node:timers/promises';
import { NationPulseError } from '@nationpulse/domain';
import type { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import { createCircuitBreaker, type BreakerState, type CircuitBreaker } from './circuit-breaker.ts';

export interface UpstreamOptions {
  /** Short name for errors and metrics: 'read-api', 'write-api', 'projectors', 'ingestion'. */
  readonly name: string;
  /** Origin, e.g. http://127.0.0.1:8082. */
  readonly url: string;
  /** Budget of one call, retries included: connect, send, wait for the answer and read it. */
  readonly timeoutMs: number;
  /** Extra attempts for idempotent calls after a transport failure (never for commands). */
  readonly retries: number;
  /** First backoff; doubled per attempt, with jitter. */
  readonly retryBackoffMs: number;
  readonly breaker: { readonly failureThreshold: number; readonly openMs: number };
  /** Keep-alive connections kept to the upstream. */
  readonly connections: number;
  readonly now: () => number;
  readonly onBreakerChange?: (state: BreakerState) => void;
  /** Largest answer accepted, in bytes. */
  readonly maxResponseBytes?: number;
  /** Each attempt's outcome and duration, for metrics. */
  readonly observe?: (status: number | 'error', seconds: number) => void;
}

export interface UpstreamRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query, exactly as the client sent them (minPosition and all). */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
}

export interface UpstreamResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** An answer whose body is still arriving: passed on to the client as it comes, never held whole in memory. */
export interface UpstreamStream {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Readable;
}

export interface Upstream {
  readonly name: string;
  readonly breaker: CircuitBreaker;
  request(request: UpstreamRequest): Promise<UpstreamResponse>;
  /**
   * One attempt whose body streams through (downloads): the deadline covers connecting and the
   * answer's headers; after that the body may take longer, but never stalls longer than the timeout.
   */
  stream(request: UpstreamRequest): Promise<UpstreamStream>;
  close(): Promise<void>;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UPSTREAM_DEADLINE']);
/** Answers that mean the upstream (or a proxy before it) is unwell, not that the request was wrong. */
const FAILED_STATUS = new Set([502, 504]);

const codeOf = (e: unknown): string => (e && typeof e === 'object' && 'code' in e && typeof e.code === 'string' ? e.code : 'UNKNOWN');

/**
 * One upstream service behind a keep-alive connection pool (undici), with a deadline on every
 * call, retries with exponential backoff for idempotent calls, and a circuit breaker: when the
 * upstream keeps failing, calls fail fast with 503 UPSTREAM_UNAVAILABLE instead of queueing.
 */
export const createUpstream = (options: UpstreamOptions): Upstream => {
  const pool = new Pool(options.url, {
    connections: options.connections,
    keepAliveTimeout: 30_000,
    pipelining: 1,
    connect: { timeout: Math.min(options.timeoutMs, 2_000) },
  });
  const breaker = createCircuitBreaker({ ...options.breaker, now: options.now, ...(options.onBreakerChange ? { onStateChange: options.onBreakerChange } : {}) });
  const maxBytes = options.maxResponseBytes ?? 50 * 1024 * 1024;

  const unavailable = (reason: string, cause?: unknown) =>
    new NationPulseError('unavailable', 'UPSTREAM_UNAVAILABLE', `The ${options.name} service is unavailable (${reason})`, { upstream: options.name }, { cause });
  const timedOut = (cause?: unknown) =>
    new NationPulseError('unavailable', 'UPSTREAM_TIMEOUT', `The ${options.name} service did not answer within ${options.timeoutMs} ms`, { upstream: options.name }, { cause });

  const once = async (request: UpstreamRequest, remainingMs: number): Promise<UpstreamResponse> => {
    // One timer per call, cleared as soon as the answer is read (AbortSignal.timeout's would live
    // on for the whole timeout, per request).
    const controller = new AbortController();
    const { signal } = controller;
    const timer = setTimeout(() => controller.abort(), remainingMs);
    try {
      return await read(request, remainingMs, signal);
    } finally {
      clearTimeout(timer);
    }
  };

  const read = async (request: UpstreamRequest, remainingMs: number, signal: AbortSignal): Promise<UpstreamResponse> => {
    const res: Dispatcher.ResponseData = await pool.request({
      method: request.method,
      path: request.path,
      headers: request.headers,
      body: request.body ?? null,
      headersTimeout: remainingMs,
      bodyTimeout: remainingMs,
      signal,
    });
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) throw unavailable(`answer larger than ${maxBytes} bytes`);
        chunks.push(chunk);
      }
      return { statusCode: res.statusCode, headers: res.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) };
    } catch (e) {
      if (signal.aborted) throw Object.assign(new Error('deadline'), { code: 'UPSTREAM_DEADLINE' });
      throw e;
    }
  };

  return {
    name: options.name,
    breaker,
    async request(request) {
      const idempotent = request.method === 'GET' || request.method === 'HEAD';
      const deadline = options.now() + options.timeoutMs;
      for (let attempt = 0; ; attempt++) {
        if (!breaker.tryAcquire()) throw unavailable('circuit open');
        const remaining = deadline - options.now();
        let failure: unknown;
        let failedAnswer: UpstreamResponse | undefined;
        const started = performance.now();
        try {
          const res = await once(request, Math.max(1, remaining));
          options.observe?.(res.statusCode, (performance.now() - started) / 1000);
          if (!FAILED_STATUS.has(res.statusCode)) {
            breaker.onSuccess();
            return res;
          }
          breaker.onFailure();
          if (!idempotent || attempt >= options.retries) return res;
          failedAnswer = res;
        } catch (e) {
          options.observe?.('error', (performance.now() - started) / 1000);
          breaker.onFailure();
          if (e instanceof NationPulseError) throw e;
          const code = codeOf(e);
          const isTimeout = TIMEOUT_CODES.has(code) || (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'));
          // A timeout has used the budget: retrying would answer after it.
          if (isTimeout) throw timedOut(e);
          failure = e;
          if (!idempotent || attempt >= options.retries) throw unavailable(code, e);
        }
        const backoff = options.retryBackoffMs * 2 ** attempt * (0.5 + Math.random() / 2);
        if (options.now() + backoff >= deadline) {
          if (failedAnswer) return failedAnswer;
          throw unavailable(codeOf(failure), failure);
        }
        await sleep(backoff);
      }
    },
    async stream(request) {
      if (!breaker.tryAcquire()) throw unavailable('circuit open');
      const started = performance.now();
      try {
        const res = await pool.request({
          method: request.method,
          path: request.path,
          headers: request.headers,
          body: request.body ?? null,
          headersTimeout: options.timeoutMs,
          // Between two chunks, not for the whole file.
          bodyTimeout: options.timeoutMs,
        });
        options.observe?.(res.statusCode, (performance.now() - started) / 1000);
        if (FAILED_STATUS.has(res.statusCode)) breaker.onFailure();
        else breaker.onSuccess();
        return { statusCode: res.statusCode, headers: res.headers, body: res.body };
      } catch (e) {
        options.observe?.('error', (performance.now() - started) / 1000);
        breaker.onFailure();
        const code = codeOf(e);
        if (TIMEOUT_CODES.has(code)) throw timedOut(e);
        throw unavailable(code, e);
      }
    },
    close: () => pool.close(),
  };
};

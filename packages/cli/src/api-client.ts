import { z } from 'zod';
import { abortableSleep } from './context.ts';
import { CliError, exitCodes } from './errors.ts';
import type { Session, SessionStore } from './session-store.ts';

/** Who the client acts as: nobody, a token from the environment, or the saved session of this URL. */
export type Credentials = { readonly kind: 'none' } | { readonly kind: 'token'; readonly token: string } | { readonly kind: 'session'; readonly store: SessionStore };

export interface ApiClientOptions {
  /** The gateway, e.g. http://127.0.0.1:8080 (no trailing slash). */
  readonly baseUrl: string;
  /** Every request is aborted after this long without an answer (streams: without a chunk). */
  readonly timeoutMs: number;
  readonly credentials: Credentials;
  /** Ctrl-C: aborts the request in flight. */
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  /** Retries of idempotent requests after a dropped connection (default 2). */
  readonly retries?: number;
}

export interface RequestOptions<T> {
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  readonly schema: z.ZodType<T>;
  /** Send the bearer token (default true). */
  readonly auth?: boolean;
  /** Makes a POST safe to retry; the write side answers a retry with the first result. */
  readonly idempotencyKey?: string;
  /** Non-2xx statuses that still carry a body in `schema`'s shape (the pulse answers 503 when something is down). */
  readonly acceptStatuses?: readonly number[];
}

export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
  /** The consistency token (`X-Position`), when the answer carries one. */
  readonly position: number | null;
}

export interface StreamResponse {
  readonly headers: Headers;
  /** The body's chunks; waiting longer than the timeout for the next one aborts the download. */
  readonly chunks: AsyncIterable<Uint8Array>;
}

export interface ApiClient {
  readonly baseUrl: string;
  request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, options: RequestOptions<T>): Promise<ApiResponse<T>>;
  get<T>(path: string, options: RequestOptions<T>): Promise<T>;
  post<T>(path: string, options: RequestOptions<T>): Promise<T>;
  stream(path: string): Promise<StreamResponse>;
  /** Signs in and saves the session for this URL. */
  signIn(username: string, password: string): Promise<Session>;
  /** Revokes the saved session's refresh token on the server and forgets it locally; false when there was none. */
  signOut(): Promise<boolean>;
}

const tokenPair = z.object({ accessToken: z.string().min(1), refreshToken: z.string().min(1), expiresIn: z.number().positive() });
const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });

/** Nothing listens there (or no such host): the platform is not running at that URL. */
const NOT_LISTENING = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
/** Connection failures worth a retry: the server was there and dropped the connection. */
const TRANSIENT = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

const causeCode = (e: unknown): string | undefined => {
  let current: unknown = e;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    current = current instanceof AggregateError && current.errors.length > 0 ? current.errors[0] : current.cause;
  }
  return undefined;
};

/** Aborts after `ms` of silence; `arm()` restarts the wait (each chunk of a stream does). */
const createDeadline = (ms: number, outer?: AbortSignal) => {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
  };
  arm();
  return {
    signal: outer ? AbortSignal.any([controller.signal, outer]) : controller.signal,
    arm,
    clear: () => clearTimeout(timer),
  };
};

/**
 * The typed client of the public API behind the gateway: base URL, bearer token (from
 * NATIONPULSE_TOKEN or the saved session), a transparent refresh when the access token has
 * expired, timeouts on every request, retries of idempotent requests, and the API's error
 * bodies turned into CliErrors carrying the stable code.
 */
export const createApiClient = (options: ApiClientOptions): ApiClient => {
  const { baseUrl, timeoutMs, credentials } = options;
  const now = options.now ?? (() => new Date());
  const retries = options.retries ?? 2;

  const urlOf = (path: string, query?: RequestOptions<unknown>['query']): string => {
    const url = new URL(`${baseUrl}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  };

  const failure = (method: string, url: string, e: unknown): CliError => {
    if (options.signal?.aborted) return new CliError('INTERRUPTED', 'Interrupted', { cause: e });
    if (e instanceof DOMException && e.name === 'TimeoutError') return new CliError('TIMEOUT', `${method} ${url} got no answer within ${timeoutMs} ms (--timeout)`, { cause: e });
    const code = causeCode(e);
    if (code !== undefined && !NOT_LISTENING.has(code)) {
      return new CliError('CONNECTION_FAILED', `The connection to ${url} failed (${code})`, { cause: e });
    }
    return new CliError(
      'UNREACHABLE',
      `Cannot reach ${url}${code ? ` (${code})` : ''}. Is the platform running? Start it with \`nationpulse up\`, or point --url / NATIONPULSE_URL at it.`,
      { exitCode: exitCodes.unavailable, cause: e },
    );
  };

  const apiError = async (response: Response, hint: string): Promise<CliError> => {
    const text = await response.text().catch(() => '');
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON: described by its status below
    }
    const parsed = errorBody.safeParse(json);
    if (parsed.success) {
      const { code, message, details } = parsed.data.error;
      return new CliError(code, `${message}${hint}`, { status: response.status, details });
    }
    return new CliError(`HTTP_${response.status}`, `${response.status} ${response.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`, { status: response.status });
  };

  /** One exchange, retried when the connection drops on an idempotent request. */
  const exchange = async (method: string, url: string, init: { headers: Record<string, string>; body?: string }, idempotent: boolean): Promise<{ response: Response; deadline: ReturnType<typeof createDeadline> }> => {
    for (let attempt = 0; ; attempt++) {
      const deadline = createDeadline(timeoutMs, options.signal);
      try {
        const response = await fetch(url, { method, headers: init.headers, body: init.body ?? null, signal: deadline.signal });
        return { response, deadline };
      } catch (e) {
        deadline.clear();
        if (idempotent && attempt < retries && TRANSIENT.has(causeCode(e) ?? '') && !options.signal?.aborted) {
          await abortableSleep(200 * 2 ** attempt, options.signal);
          continue;
        }
        throw failure(method, url, e);
      }
    }
  };

  const bearer = async (): Promise<{ token: string; session: Session | null } | null> => {
    if (credentials.kind === 'token') return { token: credentials.token, session: null };
    if (credentials.kind === 'session') {
      const session = await credentials.store.load(baseUrl);
      return session ? { token: session.accessToken, session } : null;
    }
    return null;
  };

  const sessionFrom = (username: string, pair: z.infer<typeof tokenPair>): Session => ({
    username,
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    expiresAt: new Date(now().getTime() + pair.expiresIn * 1000).toISOString(),
  });

  const refresh = async (store: SessionStore, spent: Session): Promise<Session> =>
    store.withLock(async () => {
      const current = await store.load(baseUrl);
      if (!current) throw new CliError('NOT_SIGNED_IN', `Signed out meanwhile. Sign in: nationpulse signin --user ${spent.username}`);
      // Another nationpulse process refreshed first: use its tokens, never present a spent one.
      if (current.refreshToken !== spent.refreshToken) return current;
      let pair: z.infer<typeof tokenPair>;
      try {
        pair = (await send('POST', '/api/v1/auth/refresh', { body: { refreshToken: current.refreshToken }, schema: tokenPair, auth: false })).body;
      } catch (e) {
        if (e instanceof CliError && e.status === 401) {
          await store.remove(baseUrl);
          throw new CliError(e.code, `${e.message}. The session has ended; sign in again: nationpulse signin --user ${current.username}`, { status: 401 });
        }
        throw e;
      }
      const next = sessionFrom(current.username, pair);
      await store.save(baseUrl, next);
      return next;
    });

  const signInHint = (auth: { session: Session | null } | null): string => {
    if (credentials.kind === 'token') return ' (the token in NATIONPULSE_TOKEN was refused)';
    if (!auth) return '. Sign in first: nationpulse signin --user NAME';
    return '';
  };

  /**
   * One request as the signed-in user (unless `auth` is false): when the access token has
   * expired, refreshes the session once and repeats the request. Any answer other than 2xx
   * (or an accepted status) becomes a CliError with the API's code.
   */
  const authorized = async (
    method: string,
    url: string,
    init: { headers: Record<string, string>; body?: string },
    options: { auth: boolean; idempotent: boolean; acceptStatuses?: readonly number[] | undefined },
  ) => {
    const auth = options.auth ? await bearer() : null;
    const attempt = (token: string | null) => exchange(method, url, { ...init, headers: token ? { ...init.headers, authorization: `Bearer ${token}` } : init.headers }, options.idempotent);
    let { response, deadline } = await attempt(auth?.token ?? null);
    try {
      if (response.status === 401 && auth?.session && credentials.kind === 'session') {
        const error = await apiError(response, '');
        if (error.code !== 'TOKEN_EXPIRED') throw error;
        deadline.clear();
        ({ response, deadline } = await attempt((await refresh(credentials.store, auth.session)).accessToken));
      }
      if (!response.ok && !options.acceptStatuses?.includes(response.status)) {
        throw await apiError(response, response.status === 401 && options.auth ? signInHint(auth) : '');
      }
      return { response, deadline };
    } catch (e) {
      deadline.clear();
      if (e instanceof DOMException) throw failure(method, url, e);
      throw e;
    }
  };

  const send = async <T>(method: string, path: string, opts: RequestOptions<T>): Promise<ApiResponse<T>> => {
    const url = urlOf(path, opts.query);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    const { response, deadline } = await authorized(method, url, { headers, ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }) }, {
      auth: opts.auth !== false,
      idempotent: method === 'GET' || opts.idempotencyKey !== undefined,
      acceptStatuses: opts.acceptStatuses,
    });
    let json: unknown;
    try {
      const text = await response.text();
      json = text === '' ? undefined : JSON.parse(text);
    } catch (e) {
      if (e instanceof DOMException) throw failure(method, url, e);
      throw new CliError('UNEXPECTED_RESPONSE', `${method} ${url} answered something that is not JSON`, { cause: e });
    } finally {
      deadline.clear();
    }
    const parsed = opts.schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CliError('UNEXPECTED_RESPONSE', `${method} ${url} answered a body this CLI does not understand (${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'})`);
    }
    const position = Number(response.headers.get('x-position'));
    return { status: response.status, body: parsed.data, position: response.headers.has('x-position') && Number.isFinite(position) ? position : null };
  };

  const client: ApiClient = {
    baseUrl,
    request: (method, path, opts) => send(method, path, opts),
    get: async (path, opts) => (await send('GET', path, opts)).body,
    post: async (path, opts) => (await send('POST', path, opts)).body,

    async stream(path) {
      const url = urlOf(path);
      const { response, deadline } = await authorized('GET', url, { headers: {} }, { auth: true, idempotent: true });
      const body = response.body;
      if (!body) {
        deadline.clear();
        throw new CliError('UNEXPECTED_RESPONSE', `GET ${url} answered no body`);
      }
      async function* chunks(): AsyncIterable<Uint8Array> {
        try {
          for await (const chunk of body!) {
            deadline.arm();
            yield chunk;
          }
        } catch (e) {
          throw failure('GET', url, e);
        } finally {
          deadline.clear();
        }
      }
      return { headers: response.headers, chunks: chunks() };
    },

    async signIn(username, password) {
      if (credentials.kind !== 'session') throw new CliError('NO_SESSION_STORE', 'Signing in needs a session file');
      const pair = (await send('POST', '/api/v1/auth/signin', { body: { username, password }, schema: tokenPair, auth: false })).body;
      const session = sessionFrom(username, pair);
      await credentials.store.save(baseUrl, session);
      return session;
    },

    async signOut() {
      if (credentials.kind !== 'session') return false;
      const session = await credentials.store.load(baseUrl);
      if (!session) return false;
      try {
        await send('POST', '/api/v1/auth/signout', { body: { refreshToken: session.refreshToken }, schema: z.unknown(), auth: false });
      } catch (e) {
        // A refresh token the server no longer knows is signed out already; anything else is reported.
        if (!(e instanceof CliError && e.status === 401)) throw e;
      }
      await credentials.store.remove(baseUrl);
      return true;
    },
  };
  return client;
};

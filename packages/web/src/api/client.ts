import { takePrefetched } from './prefetch.ts';
import type { ApiErrorBody, TokenPair } from './types.ts';

/** An API failure in the gateway's error vocabulary: a stable code, a message and its details. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** HTTP status; 0 when no answer came (network failure, timeout). */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

const isErrorBody = (body: unknown): body is ApiErrorBody =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as { error?: unknown }).error === 'object' &&
  (body as { error: unknown }).error !== null &&
  typeof (body as ApiErrorBody).error.code === 'string';

const statusCodes: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  429: 'RATE_LIMITED',
  503: 'UPSTREAM_UNAVAILABLE',
};

/** Maps an error answer to an ApiError: the body's `{error:{code,message,details}}` when there is one, else one from the status. */
export const toApiError = (status: number, body: unknown): ApiError => {
  if (isErrorBody(body)) return new ApiError(status, body.error.code, body.error.message || `HTTP ${status}`, body.error.details);
  const code = statusCodes[status] ?? (status >= 500 ? 'SERVER_ERROR' : `HTTP_${status}`);
  return new ApiError(status, code, `The server answered ${status}`);
};

/** Words for people: what went wrong and what to do, per stable code. */
export const describeError = (error: unknown): string => {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : 'Something went wrong.';
  switch (error.code) {
    case 'TIMEOUT':
      return 'The server took too long to answer. Try again in a moment.';
    case 'NETWORK_ERROR':
      return 'The server cannot be reached. Check your connection and try again.';
    case 'TOKEN_MISSING':
    case 'TOKEN_EXPIRED':
    case 'TOKEN_INVALID':
    case 'UNAUTHENTICATED':
      return 'Your session has ended. Please sign in again.';
    case 'INVALID_CREDENTIALS':
      return 'Wrong username or password.';
    case 'PERMISSION_DENIED':
      return 'You do not have permission to do this. Ask an administrator for access.';
    case 'RATE_LIMITED':
      return 'Too many requests. Wait a few seconds and try again.';
    case 'POSITION_NOT_REACHED':
      return 'Your latest change is still being processed. Try again in a moment.';
    default:
      return error.message;
  }
};

/** Where a session's tokens live between page loads. */
export interface TokenStore {
  load(): StoredTokens | null;
  save(tokens: StoredTokens | null): void;
}
export interface StoredTokens extends TokenPair {
  /** Epoch ms when the access token expires, when the server said. */
  readonly expiresAt?: number;
}

export const memoryTokenStore = (initial: StoredTokens | null = null): TokenStore => {
  let tokens = initial;
  return { load: () => tokens, save: (t) => void (tokens = t) };
};

export interface ApiClientOptions {
  readonly tokens: TokenStore;
  /** Prefix of every path; '' for the same origin as the page. */
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  readonly now?: () => number;
  /** Called when the session starts or ends (sign-in, sign-out, refresh refused). */
  readonly onSessionChange?: (signedIn: boolean) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

export type Query = Readonly<Record<string, string | number | boolean | undefined | null>>;

export interface RequestOptions {
  readonly query?: Query;
  readonly body?: unknown;
  /** Send the access token (default true). */
  readonly auth?: boolean;
  /**
   * Read-your-writes: ask the read side to answer only once it reflects this position. Queries
   * default to the latest position a command of this session answered; pass null to opt out.
   */
  readonly minPosition?: number | null;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ApiResponse<T> {
  readonly data: T;
  readonly status: number;
  /** X-Position of the answer: the position the data reflects (queries) or the command appended at. */
  readonly position: number | null;
}

/** Refresh this long before the access token expires, so a request never goes out with a dying token. */
const REFRESH_MARGIN_MS = 30_000;
const authErrorCodes = new Set(['TOKEN_EXPIRED', 'TOKEN_INVALID', 'TOKEN_MISSING', 'UNAUTHENTICATED']);

export const buildUrl = (baseUrl: string, path: string, query?: Query): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const qs = params.toString();
  return `${baseUrl}${path}${qs ? `?${qs}` : ''}`;
};

const positionOf = (headers: Headers, body: unknown): number | null => {
  const header = headers.get('x-position');
  if (header !== null && header !== '' && Number.isFinite(Number(header))) return Number(header);
  const fromBody = typeof body === 'object' && body !== null ? (body as { position?: unknown }).position : undefined;
  return typeof fromBody === 'number' ? fromBody : null;
};

export type ApiClient = ReturnType<typeof createApiClient>;

/**
 * The one way the UI talks to the gateway: JSON in and out, bearer tokens refreshed (and rotated)
 * transparently, errors mapped to ApiError, a timeout on every call, the consistency token carried
 * from commands to the queries that follow them.
 */
export const createApiClient = (options: ApiClientOptions) => {
  const { tokens } = options;
  const baseUrl = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 15_000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let lastCommandPosition: number | null = null;
  let refreshing: Promise<boolean> | null = null;

  const storeTokens = (pair: TokenPair | null) => {
    tokens.save(pair ? { ...pair, ...(pair.expiresIn ? { expiresAt: now() + pair.expiresIn * 1000 } : {}) } : null);
  };

  const send = async (method: string, url: string, init: { headers: Record<string, string>; body?: string }): Promise<Response> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await doFetch(url, { method, headers: init.headers, body: init.body ?? null, signal: controller.signal, credentials: 'same-origin' });
    } catch (error) {
      if (controller.signal.aborted) throw new ApiError(0, 'TIMEOUT', `No answer within ${timeoutMs / 1000} s`);
      throw new ApiError(0, 'NETWORK_ERROR', error instanceof Error ? error.message : 'Network error');
    } finally {
      clearTimeout(timer);
    }
  };

  const readBody = async (response: Response): Promise<unknown> => {
    if (response.status === 204) return null;
    const text = await response.text();
    if (!text) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  };

  /** Trades the refresh token for a new pair (the old refresh token is spent: rotation). One at a time. */
  const refresh = (): Promise<boolean> => {
    refreshing ??= (async () => {
      const current = tokens.load();
      if (!current?.refreshToken) return false;
      try {
        const response = await send('POST', `${baseUrl}/api/v1/auth/refresh`, {
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ refreshToken: current.refreshToken }),
        });
        const body = await readBody(response);
        if (!response.ok) {
          // Refused (expired, revoked, reused): the session is over. A network failure is not a refusal.
          if (response.status === 400 || response.status === 401 || response.status === 403) {
            storeTokens(null);
            options.onSessionChange?.(false);
          }
          return false;
        }
        storeTokens(body as TokenPair);
        return true;
      } catch {
        return false;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  };

  const needsRefresh = (): boolean => {
    const t = tokens.load();
    return t?.expiresAt !== undefined && t.expiresAt - now() < REFRESH_MARGIN_MS;
  };

  const request = async <T>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> => {
    const auth = opts.auth ?? true;
    const isQuery = method === 'GET';
    const minPosition = opts.minPosition === undefined ? (isQuery ? lastCommandPosition : null) : opts.minPosition;
    const url = buildUrl(baseUrl, path, { ...opts.query, ...(minPosition !== null && minPosition !== undefined ? { minPosition } : {}) });
    if (auth && needsRefresh()) await refresh();

    const attempt = async (): Promise<Response> => {
      const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
      const token = auth ? tokens.load()?.accessToken : undefined;
      // The first view's queries may already be on their way (public/prefetch.js).
      const early = isQuery && !opts.headers ? await takePrefetched(url, token, timeoutMs) : null;
      if (early) return early;
      if (token) headers['authorization'] = `Bearer ${token}`;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      return send(method, url, { headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
    };

    let response: Response;
    let tries = 0;
    for (;;) {
      try {
        response = await attempt();
      } catch (error) {
        // Reads are idempotent: one retry after a network failure. Commands are not retried here.
        if (isQuery && tries++ === 0 && error instanceof ApiError && error.code === 'NETWORK_ERROR') {
          await sleep(300);
          continue;
        }
        throw error;
      }
      if (response.status === 401 && auth && tokens.load()?.refreshToken) {
        const body = await readBody(response);
        const code = isErrorBody(body) ? body.error.code : 'UNAUTHENTICATED';
        if (authErrorCodes.has(code) && tries++ === 0 && (await refresh())) continue;
        throw toApiError(401, body);
      }
      if (isQuery && response.status === 503 && tries++ === 0) {
        const retryAfter = Number(response.headers.get('retry-after') ?? '1');
        await sleep(Math.min(Number.isFinite(retryAfter) ? retryAfter : 1, 5) * 1000);
        continue;
      }
      break;
    }
    const body = await readBody(response);
    if (!response.ok) throw toApiError(response.status, body);
    const position = positionOf(response.headers, body);
    if (!isQuery && position !== null) lastCommandPosition = Math.max(lastCommandPosition ?? 0, position);
    return { data: body as T, status: response.status, position };
  };

  return {
    request,
    get: async <T>(path: string, query?: Query, opts: Omit<RequestOptions, 'query' | 'body'> = {}): Promise<T> => (await request<T>('GET', path, { ...opts, ...(query ? { query } : {}) })).data,
    post: async <T>(path: string, body?: unknown, opts: Omit<RequestOptions, 'body'> = {}): Promise<T> => (await request<T>('POST', path, { ...opts, body: body ?? {} })).data,
    delete: async <T>(path: string, opts: RequestOptions = {}): Promise<T> => (await request<T>('DELETE', path, opts)).data,

    async signIn(username: string, password: string): Promise<void> {
      const { data } = await request<TokenPair>('POST', '/api/v1/auth/signin', { body: { username, password }, auth: false });
      storeTokens(data);
      options.onSessionChange?.(true);
    },
    /** Revokes the refresh token on the server (best effort) and forgets the session. */
    async signOut(): Promise<void> {
      const current = tokens.load();
      try {
        if (current) await request('POST', '/api/v1/auth/signout', { body: { refreshToken: current.refreshToken } });
      } catch {
        // Signing out locally must work even when the server cannot be reached.
      } finally {
        storeTokens(null);
        lastCommandPosition = null;
        options.onSessionChange?.(false);
      }
    },
    refresh,
    isSignedIn: (): boolean => tokens.load() !== null,
    /** A valid access token (refreshed first when about to expire), for what cannot send headers (EventSource). */
    async freshAccessToken(): Promise<string | null> {
      if (needsRefresh()) await refresh();
      return tokens.load()?.accessToken ?? null;
    },
    /** The latest position a command of this session answered (the read-your-writes token). */
    consistencyToken: (): number | null => lastCommandPosition,
    /** Fetches a file with the session's credentials. */
    async download(path: string): Promise<{ blob: Blob; fileName: string | null }> {
      const attemptOnce = async () => {
        const headers: Record<string, string> = {};
        const token = tokens.load()?.accessToken;
        if (token) headers['authorization'] = `Bearer ${token}`;
        return send('GET', `${baseUrl}${path}`, { headers });
      };
      let response = await attemptOnce();
      if (response.status === 401 && (await refresh())) response = await attemptOnce();
      if (!response.ok) throw toApiError(response.status, await readBody(response));
      const disposition = response.headers.get('content-disposition') ?? '';
      const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
      return { blob: await response.blob(), fileName: match?.[1] ? decodeURIComponent(match[1]) : null };
    },
  };
};

/** Tokens kept in localStorage, so a reload keeps the session (the refresh token rotates on use). */
export const localStorageTokenStore = (key = 'nationpulse.session'): TokenStore => ({
  load() {
    try {
      const raw = localStorage.getItem(key);
      return raw ? (JSON.parse(raw) as StoredTokens) : null;
    } catch {
      return null;
    }
  },
  save(t) {
    if (t) localStorage.setItem(key, JSON.stringify(t));
    else localStorage.removeItem(key);
  },
});

import { describe, expect, it, vi } from 'vitest';
import { ApiError, buildUrl, createApiClient, describeError, memoryTokenStore, toApiError, type StoredTokens } from './client.ts';

interface Call {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** A scripted fetch: each handler answers a request (in order of matching), and every call is recorded. */
const fakeFetch = (handler: (call: Call, n: number) => Response | Promise<Response>) => {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const call: Call = {
      method: init?.method ?? 'GET',
      url: input instanceof Request ? input.url : input.toString(),
      headers: { ...(init?.headers as Record<string, string>) },
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    return handler(call, calls.length);
  });
  return { fetch: fn as unknown as typeof fetch, calls };
};

const tokens = (t: Partial<StoredTokens> = {}) => memoryTokenStore({ accessToken: 'a1', refreshToken: 'r1', ...t });
const noSleep = async () => undefined;

describe('API client', () => {
  it("takes a query's answer prefetched before boot once, for the same URL and token only", async () => {
    const early = (body: unknown) => ({ token: 'a1', response: Promise.resolve(json(200, body, { 'x-position': '7' })) });
    vi.stubGlobal('window', { __npPrefetch: { '/api/v1/dashboard/population': early({ from: 'prefetch' }), '/api/v1/indicators': { ...early({}), token: 'old' } } });
    try {
      const f = fakeFetch(() => json(200, { from: 'network' }, { 'x-position': '8' }));
      const api = createApiClient({ tokens: tokens(), fetch: f.fetch });
      expect(await api.request('GET', '/api/v1/dashboard/population')).toEqual({ data: { from: 'prefetch' }, status: 200, position: 7 });
      expect(f.calls).toEqual([]);
      expect(await api.get<unknown>('/api/v1/dashboard/population')).toEqual({ from: 'network' });
      expect(await api.get<unknown>('/api/v1/indicators')).toEqual({ from: 'network' });
      expect(f.calls.map((c) => c.url)).toEqual(['/api/v1/dashboard/population', '/api/v1/indicators']);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('sends the bearer token and parses JSON', async () => {
    const f = fakeFetch(() => json(200, { total: 1 }, { 'x-position': '42' }));
    const api = createApiClient({ tokens: tokens(), fetch: f.fetch });
    const res = await api.request<{ total: number }>('GET', '/api/v1/countries');
    expect(res).toEqual({ data: { total: 1 }, status: 200, position: 42 });
    expect(f.calls[0]?.headers['authorization']).toBe('Bearer a1');
  });

  it('maps error bodies to ApiError with the stable code, message and details', async () => {
    const f = fakeFetch(() => json(400, { error: { code: 'VALIDATION_FAILED', message: 'year: too small', details: [{ path: 'year' }] } }));
    const api = createApiClient({ tokens: tokens(), fetch: f.fetch });
    const error = await api.get('/api/v1/rankings/X', { year: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: 'year: too small', details: [{ path: 'year' }] });
  });

  it('maps a body without the error shape to a code from the status', () => {
    expect(toApiError(403, '<html>')).toMatchObject({ status: 403, code: 'PERMISSION_DENIED' });
    expect(toApiError(502, null)).toMatchObject({ status: 502, code: 'SERVER_ERROR' });
    expect(toApiError(418, null)).toMatchObject({ code: 'HTTP_418' });
    expect(describeError(new ApiError(403, 'PERMISSION_DENIED', 'x'))).toMatch(/permission/);
    expect(describeError(new ApiError(0, 'TIMEOUT', 'x'))).toMatch(/too long/);
  });

  it('refreshes an expired access token once, stores the rotated pair and retries the request', async () => {
    const store = tokens();
    const f = fakeFetch((call) => {
      if (call.url.endsWith('/auth/refresh')) return json(200, { accessToken: 'a2', refreshToken: 'r2', expiresIn: 900 });
      return call.headers['authorization'] === 'Bearer a2' ? json(200, { ok: true }) : json(401, { error: { code: 'TOKEN_EXPIRED', message: 'expired' } });
    });
    const api = createApiClient({ tokens: store, fetch: f.fetch, now: () => 1_000 });
    expect(await api.get('/api/v1/indicators')).toEqual({ ok: true });
    expect(f.calls.map((c) => c.url)).toEqual(['/api/v1/indicators', '/api/v1/auth/refresh', '/api/v1/indicators']);
    expect(f.calls[1]?.body).toEqual({ refreshToken: 'r1' });
    expect(store.load()).toEqual({ accessToken: 'a2', refreshToken: 'r2', expiresIn: 900, expiresAt: 901_000 });
  });

  it('runs one refresh for concurrent 401s (a rotated refresh token must not be spent twice)', async () => {
    let refreshes = 0;
    const f = fakeFetch(async (call) => {
      if (call.url.endsWith('/auth/refresh')) {
        refreshes++;
        await new Promise((r) => setTimeout(r, 10));
        return json(200, { accessToken: 'a2', refreshToken: 'r2' });
      }
      return call.headers['authorization'] === 'Bearer a2' ? json(200, { url: call.url }) : json(401, { error: { code: 'TOKEN_EXPIRED', message: 'expired' } });
    });
    const api = createApiClient({ tokens: tokens(), fetch: f.fetch });
    const results = await Promise.all([api.get('/a'), api.get('/b'), api.get('/c')]);
    expect(results).toEqual([{ url: '/a' }, { url: '/b' }, { url: '/c' }]);
    expect(refreshes).toBe(1);
  });

  it('refreshes ahead of time when the access token is about to expire', async () => {
    const store = tokens({ expiresAt: 10_000 });
    const f = fakeFetch((call) => (call.url.endsWith('/auth/refresh') ? json(200, { accessToken: 'a2', refreshToken: 'r2', expiresIn: 60 }) : json(200, {})));
    const api = createApiClient({ tokens: store, fetch: f.fetch, now: () => 9_000 });
    await api.get('/api/v1/me');
    expect(f.calls.map((c) => c.url)).toEqual(['/api/v1/auth/refresh', '/api/v1/me']);
    expect(f.calls[1]?.headers['authorization']).toBe('Bearer a2');
  });

  it('ends the session when the refresh token is refused (expired, revoked or reused)', async () => {
    const store = tokens();
    const onSessionChange = vi.fn();
    const f = fakeFetch((call) =>
      call.url.endsWith('/auth/refresh') ? json(401, { error: { code: 'REFRESH_TOKEN_REUSED', message: 'reused' } }) : json(401, { error: { code: 'TOKEN_EXPIRED', message: 'expired' } }),
    );
    const api = createApiClient({ tokens: store, fetch: f.fetch, onSessionChange });
    await expect(api.get('/api/v1/me')).rejects.toMatchObject({ status: 401, code: 'TOKEN_EXPIRED' });
    expect(store.load()).toBeNull();
    expect(onSessionChange).toHaveBeenCalledWith(false);
    expect(api.isSignedIn()).toBe(false);
  });

  it('does not refresh on 403: a missing permission is not an expired session', async () => {
    const f = fakeFetch(() => json(403, { error: { code: 'PERMISSION_DENIED', message: 'no' } }));
    const api = createApiClient({ tokens: tokens(), fetch: f.fetch });
    await expect(api.get('/api/v1/ops/projections')).rejects.toMatchObject({ status: 403 });
    expect(f.calls).toHaveLength(1);
  });

  it('passes the latest command position as minPosition on the queries that follow (read-your-writes)', async () => {
    const f = fakeFetch((call) => (call.method === 'POST' ? json(202, { reportId: 'r-1', position: 77 }, { 'x-position': '77' }) : json(200, {}, { 'x-position': '80' })));
    const api = createApiClient({ tokens: tokens(), fetch: f.fetch });
    await api.get('/api/v1/reports/r-0');
    await api.post('/api/v1/reports', { spec: {} });
    await api.get('/api/v1/reports/r-1');
    await api.get('/api/v1/ops/projections', undefined, { minPosition: null });
    await api.get('/api/v1/series/FRA/SP.POP.TOTL', { from: 2000 }, { minPosition: 90 });
    expect(f.calls.map((c) => c.url)).toEqual([
      '/api/v1/reports/r-0',
      '/api/v1/reports',
      '/api/v1/reports/r-1?minPosition=77',
      '/api/v1/ops/projections',
      '/api/v1/series/FRA/SP.POP.TOTL?from=2000&minPosition=90',
    ]);
    expect(api.consistencyToken()).toBe(77);
  });

  it('takes the position from the body when the header is absent, and never lowers it', async () => {
    let n = 0;
    const f = fakeFetch(() => json(200, { position: ++n === 1 ? 10 : 5 }));
    const api = createApiClient({ tokens: tokens(), fetch: f.fetch });
    await api.post('/api/v1/users/u/roles', { role: 'analyst' });
    await api.post('/api/v1/users/u/roles', { role: 'viewer' });
    expect(api.consistencyToken()).toBe(10);
  });

  it('retries a query once after 503 POSITION_NOT_REACHED, waiting Retry-After', async () => {
    const sleep = vi.fn(noSleep);
    const f = fakeFetch((_c, n) => (n === 1 ? json(503, { error: { code: 'POSITION_NOT_REACHED', message: 'not yet' } }, { 'retry-after': '1' }) : json(200, { ok: 1 })));
    const api = createApiClient({ tokens: tokens(), fetch: f.fetch, sleep });
    expect(await api.get('/api/v1/countries/FRA')).toEqual({ ok: 1 });
    expect(sleep).toHaveBeenCalledWith(1000);
  });

  it('never retries a command', async () => {
    const f = fakeFetch(() => json(503, { error: { code: 'UPSTREAM_UNAVAILABLE', message: 'down' } }));
    const api = createApiClient({ tokens: tokens(), fetch: f.fetch, sleep: noSleep });
    await expect(api.post('/api/v1/corrections', {})).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(f.calls).toHaveLength(1);
  });

  it('times out a call that does not answer', async () => {
    const hanging = ((_: RequestInfo | URL, init?: RequestInit) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))) as typeof fetch;
    const api = createApiClient({ tokens: tokens(), fetch: hanging, timeoutMs: 20, sleep: noSleep });
    await expect(api.post('/api/v1/reports', {})).rejects.toMatchObject({ status: 0, code: 'TIMEOUT' });
  });

  it('signs in without a token, stores the pair, and signs out even when the server is unreachable', async () => {
    const store = memoryTokenStore();
    const onSessionChange = vi.fn();
    const f = fakeFetch((call) => {
      if (call.url.endsWith('/signin')) return json(200, { accessToken: 'a1', refreshToken: 'r1', expiresIn: 900 });
      throw new TypeError('Failed to fetch');
    });
    const api = createApiClient({ tokens: store, fetch: f.fetch, onSessionChange, now: () => 0 });
    await api.signIn('ada', 'secret');
    expect(f.calls[0]?.headers['authorization']).toBeUndefined();
    expect(f.calls[0]?.body).toEqual({ username: 'ada', password: 'secret' });
    expect(store.load()?.accessToken).toBe('a1');
    await api.signOut();
    expect(f.calls[1]?.url).toBe('/api/v1/auth/signout');
    expect(f.calls[1]?.body).toEqual({ refreshToken: 'r1' });
    expect(store.load()).toBeNull();
    expect(onSessionChange.mock.calls).toEqual([[true], [false]]);
  });

  it('reports wrong credentials as INVALID_CREDENTIALS without trying a refresh', async () => {
    const f = fakeFetch(() => json(401, { error: { code: 'INVALID_CREDENTIALS', message: 'Wrong username or password' } }));
    const api = createApiClient({ tokens: memoryTokenStore(), fetch: f.fetch });
    await expect(api.signIn('ada', 'nope')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(f.calls).toHaveLength(1);
  });

  it('downloads a file with the credentials and its file name', async () => {
    const f = fakeFetch(() => new Response('a,b\n1,2\n', { status: 200, headers: { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="france.csv"' } }));
    const api = createApiClient({ tokens: tokens(), fetch: f.fetch });
    const { blob, fileName } = await api.download('/api/v1/reports/r-1/file');
    expect(fileName).toBe('france.csv');
    expect(await blob.text()).toBe('a,b\n1,2\n');
    expect(f.calls[0]?.headers['authorization']).toBe('Bearer a1');
  });

  it('builds query strings, leaving out empty values', () => {
    expect(buildUrl('', '/api/v1/rankings/SP.POP.TOTL', { year: 2020, limit: 10, order: undefined, x: null, y: '' })).toBe('/api/v1/rankings/SP.POP.TOTL?year=2020&limit=10');
    expect(buildUrl('http://h', '/p', { countries: 'FRA,DEU' })).toBe('http://h/p?countries=FRA%2CDEU');
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPopulation } from '@nationpulse/platform/testing/seed';
import { ADMIN, eventually, startTestPlatform, type TestPlatform } from './testing/platform.ts';

let platform: TestPlatform;
/** A gateway whose micro-cache keeps answers far longer than any test runs, so every reuse is visible. */
let gateway: string;

const call = async (path: string, options: { token?: string; method?: string; body?: unknown; headers?: Record<string, string>; base?: string } = {}) => {
  const res = await fetch(`${options.base ?? gateway}${path}`, {
    method: options.method ?? 'GET',
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: (): any => JSON.parse(text) };
};

const signIn = async (username: string, password: string, base = gateway): Promise<string> => {
  for (let i = 0; ; i++) {
    const res = await call('/api/v1/auth/signin', { method: 'POST', body: { username, password }, base });
    if (res.status === 200) return res.json().accessToken as string;
    if (i > 100) throw new Error(`sign-in answered ${res.status}: ${res.text}`);
    await sleep(50);
  }
};

/** The gateway's micro-cache hits so far (the read API's own micro-cache also says `x-cache: hit`). */
const hits = async (base = gateway): Promise<number> => {
  const text = (await call('/metrics', { base })).text;
  return Number(/^gateway_micro_cache_total\{result="hit"\} (\d+)/m.exec(text)?.[1] ?? 0);
};

let admin: string;
const createUser = async (username: string, role: string): Promise<{ userId: string; token: string }> => {
  const password = `${username} has a long password`;
  const created = await call('/api/v1/users', { token: admin, method: 'POST', body: { username, password, roles: [role] } });
  expect(created.status, created.text).toBe(201);
  return { userId: created.json().userId as string, token: await signIn(username, password) };
};

beforeAll(async () => {
  platform = await startTestPlatform();
  await seedPopulation(platform.eventStore, { FRA: 67_000_000, DEU: 83_000_000, ITA: 59_000_000 });
  gateway = (await platform.startGateway({ GATEWAY_MICRO_CACHE_TTL_MS: '60000', NOTIFIER_ENABLED: 'false' })).url;
  admin = await signIn(ADMIN.username, ADMIN.password);
}, 60_000);
afterAll(async () => {
  await platform?.close();
});

describe('the gateway micro-cache', () => {
  it('reuses a query answer (ETag, X-Position, 304) and serves minPosition only from answers that reflect it', async () => {
    const path = '/api/v1/rankings/SP.POP.TOTL?year=2020&limit=5';
    const first = await eventually(async () => {
      const res = await call(path, { token: admin });
      expect(res.json().entries).toHaveLength(3);
      return res;
    });
    const before = await hits();
    const again = await call(path, { token: admin });
    expect(await hits()).toBe(before + 1);
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(again.headers.get('x-position')).toBe(first.headers.get('x-position'));
    expect(again.headers.get('content-type')).toMatch(/^application\/json/);
    expect(again.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    expect(again.headers.get('x-content-type-options')).toBe('nosniff');
    // Hits are served before the query is validated: a URL validation refuses is never a hit.
    for (const bad of ['&minPosition=1&minPosition=2', '&minPosition=', '&minPosition=99999999999999999999', '&limit=5']) {
      const refused = await call(`${path}${bad}`, { token: admin });
      expect(refused.status, bad).toBe(400);
      expect(refused.json().error.code, bad).toBe('VALIDATION_FAILED');
    }

    const notModified = await call(path, { token: admin, headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    expect(notModified.headers.get('x-position')).toBe(first.headers.get('x-position'));

    const correction = await call('/api/v1/corrections', {
      token: admin,
      method: 'POST',
      body: { country: 'ITA', indicator: 'SP.POP.TOTL', year: 2020, value: 90_000_000, reason: 'micro-cache test' },
    });
    expect(correction.status, correction.text).toBe(201);
    const position = Number(correction.headers.get('x-position'));
    // Past the read API's own 2 s micro-cache: an answer without minPosition is still the gateway's (bounded by its TTL)…
    await sleep(2_100);
    const stale = await call(path, { token: admin });
    expect(stale.headers.get('x-position')).toBe(first.headers.get('x-position'));
    // …but one asking for the correction's position is never served from an older answer.
    const fresh = await call(`${path}&minPosition=${position}`, { token: admin });
    expect(fresh.status).toBe(200);
    expect(Number(fresh.headers.get('x-position'))).toBeGreaterThanOrEqual(position);
    expect(fresh.json().entries[0]).toMatchObject({ country: 'ITA', value: 90_000_000 });
    // The newer answer now serves everyone, with or without a token it satisfies.
    const after = await call(path, { token: admin });
    expect(after.text).toBe(fresh.text);
    expect((await call(`${path}&minPosition=${position}`, { token: admin })).text).toBe(fresh.text);
  });

  it('answers only after the guard: no token, a tampered one, a missing permission and a revoked one are refused', async () => {
    const path = '/api/v1/audit/runs?limit=5';
    expect((await call(path, { token: admin })).status).toBe(200);
    const before = await hits();
    expect((await call(path, { token: admin })).status).toBe(200);
    expect(await hits()).toBe(before + 1); // cached from here on

    expect((await call(path)).status).toBe(401);
    expect((await call(path, { token: `${admin.slice(0, -2)}xx` })).status).toBe(401);
    const viewer = await createUser('violet', 'viewer');
    const denied = await call(path, { token: viewer.token });
    expect(denied.status).toBe(403);
    expect(denied.json().error.code).toBe('PERMISSION_DENIED');

    const analyst = await createUser('anton', 'analyst');
    expect((await eventually(async () => {
      const res = await call(path, { token: analyst.token });
      expect(res.status).toBe(200);
      return res;
    })).status).toBe(200);
    const revoked = await call(`/api/v1/users/${analyst.userId}/roles/analyst`, { token: admin, method: 'DELETE' });
    expect(revoked.status, revoked.text).toBe(200);
    const started = Date.now();
    await eventually(async () => expect((await call(path, { token: analyst.token })).status).toBe(403), 4_000);
    expect(Date.now() - started).toBeLessThan(3_500); // projection lag + PERMISSIONS_CACHE_TTL_MS (1 s), whatever the micro-cache holds
    expect(await hits()).toBeGreaterThan(before + 1);
  });

  it('counts cached answers against the rate limits', async () => {
    const limited = (await platform.startGateway({ GATEWAY_MICRO_CACHE_TTL_MS: '60000', RATE_LIMIT_USER_PER_MINUTE: '3', RATE_LIMIT_IP_PER_MINUTE: '0', NOTIFIER_ENABLED: 'false' })).url;
    const token = await signIn(ADMIN.username, ADMIN.password, limited);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call('/api/v1/indicators', { token, base: limited })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(await hits(limited)).toBe(2);
  });

  it('is off with GATEWAY_MICRO_CACHE_TTL_MS=0', async () => {
    const uncached = (await platform.startGateway({ GATEWAY_MICRO_CACHE_TTL_MS: '0', NOTIFIER_ENABLED: 'false' })).url;
    const token = await signIn(ADMIN.username, ADMIN.password, uncached);
    for (let i = 0; i < 3; i++) expect((await call('/api/v1/indicators', { token, base: uncached })).status).toBe(200);
    expect(await hits(uncached)).toBe(0);
  });
});

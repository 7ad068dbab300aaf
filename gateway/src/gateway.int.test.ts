import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newId, createTokenService } from '@nationpulse/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPopulation } from '@nationpulse/platform/testing/seed';
import { ADMIN, eventually, startTestPlatform, type TestPlatform } from './testing/platform.ts';

let platform: TestPlatform;
let gateway: string;

interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}
const call = async <T = any>(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string>; base?: string } = {}): Promise<Answer<T>> => {
  const res = await fetch(`${options.base ?? gateway}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body: body as T };
};

const signIn = async (username: string, password: string) => {
  const res = await call<{ accessToken: string; refreshToken: string; expiresIn: number }>('POST', '/api/v1/auth/signin', { body: { username, password } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

const secret = () => readFileSync(join(platform.dataDir, 'secrets', 'jwt.key'), 'utf8');
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

let admin: { accessToken: string; refreshToken: string };
let adminId: string;
let viewer: { userId: string; accessToken: string };

beforeAll(async () => {
  platform = await startTestPlatform();
  await seedPopulation(platform.eventStore, { FRA: 67_000_000, DEU: 83_000_000, ITA: 59_000_000 });
  gateway = (await platform.startGateway()).url;
  admin = await eventually(() => signIn(ADMIN.username, ADMIN.password));
  adminId = (await call('GET', '/api/v1/auth/me', { token: admin.accessToken })).body.userId;
  const created = await call('POST', '/api/v1/users', { token: admin.accessToken, body: { username: 'vera', password: 'vera has a long password', roles: ['viewer'] } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const session = await eventually(() => signIn('vera', 'vera has a long password'));
  viewer = { userId: created.body.userId as string, accessToken: session.accessToken };
}, 60_000);
afterAll(async () => {
  await platform?.close();
});

describe('sign-in and tokens', () => {
  it('signs in with the bootstrap admin and says who is signed in', async () => {
    expect(admin.accessToken.split('.')).toHaveLength(3);
    const me = await call('GET', '/api/v1/auth/me', { token: admin.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'admin', roles: ['admin'] });
    expect(me.body.permissions).toContain('users:manage');
  });

  it('refuses a wrong password or an unknown user with the same 401', async () => {
    for (const body of [{ username: 'admin', password: 'wrong password' }, { username: 'nobody', password: 'whatever it is' }]) {
      const res = await call('POST', '/api/v1/auth/signin', { body });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('INVALID_CREDENTIALS');
    }
    expect((await call('POST', '/api/v1/auth/signin', { body: { username: 'admin' } })).body.error.code).toBe('VALIDATION_FAILED');
  });

  it('answers 401 with a stable code for a missing, expired, tampered, unsigned or wrongly signed token', async () => {
    const path = '/api/v1/rankings/SP.POP.TOTL?year=2020';
    expect((await call('GET', path)).body.error.code).toBe('TOKEN_MISSING');

    const past = { now: () => new Date(Date.now() - 3_600_000) };
    const expired = await createTokenService({ secret: secret(), issuer: 'nationpulse', accessTtlSeconds: 60, clock: past }).issueAccessToken({ sub: adminId, username: 'admin' });
    const [header, payload, signature] = admin.accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${header}.${b64({ ...claims, sub: viewer.userId })}.${signature}`;
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    const otherKey = await createTokenService({ secret: randomBytes(48).toString('base64url'), issuer: 'nationpulse', accessTtlSeconds: 60, clock: { now: () => new Date() } }).issueAccessToken({
      sub: adminId,
      username: 'admin',
    });
    const cases = [
      ['expired', expired, 'TOKEN_EXPIRED'],
      ['tampered', tampered, 'TOKEN_INVALID'],
      ['alg none', unsigned, 'TOKEN_INVALID'],
      ['other key', otherKey, 'TOKEN_INVALID'],
      ['garbage', 'not-a-jwt', 'TOKEN_INVALID'],
    ] as const;
    for (const [label, token, code] of cases) {
      const res = await call('GET', path, { token });
      expect(res.status, label).toBe(401);
      expect(res.body.error.code, label).toBe(code);
    }
  });

  it('rotates refresh tokens, and a reused one revokes the whole session', async () => {
    const first = await signIn(ADMIN.username, ADMIN.password);
    const rotated = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refreshToken).not.toBe(first.refreshToken);
    expect((await call('GET', '/api/v1/auth/me', { token: rotated.body.accessToken })).status).toBe(200);

    const replayed = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(replayed.status).toBe(401);
    expect(replayed.body.error.code).toBe('REFRESH_TOKEN_REUSED');
    // The legitimate holder's newer token went with the family.
    const after = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: rotated.body.refreshToken } });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('REFRESH_TOKEN_REVOKED');
    expect((await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: 'made-up' } })).body.error.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('signs out: the refresh token no longer works', async () => {
    const session = await signIn(ADMIN.username, ADMIN.password);
    expect((await call('POST', '/api/v1/auth/signout', { body: { refreshToken: session.refreshToken } })).status).toBe(204);
    const res = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('REFRESH_TOKEN_REVOKED');
  });
});

describe('permissions', () => {
  it('lets a viewer read and forbids them to grant roles (403 at the gateway)', async () => {
    const ranking = await call('GET', '/api/v1/rankings/SP.POP.TOTL?year=2020&limit=20', { token: viewer.accessToken });
    expect(ranking.status).toBe(200);
    expect((ranking.body.entries as { country: string }[]).map((e) => e.country)).toEqual(['DEU', 'FRA', 'ITA']);
    const grant = await call('POST', `/api/v1/users/${viewer.userId}/roles`, { token: viewer.accessToken, body: { role: 'admin' } });
    expect(grant.status).toBe(403);
    expect(grant.body.error).toMatchObject({ code: 'PERMISSION_DENIED', details: { permission: 'users:manage' } });
    expect((await call('POST', '/api/v1/corrections', { token: viewer.accessToken, body: {} })).status).toBe(403);
    expect((await call('GET', '/api/v1/audit/runs', { token: viewer.accessToken })).status).toBe(403);
  });

  it('passes consistency tokens both ways: X-Position from a command, minPosition to a query', async () => {
    const correction = await call('POST', '/api/v1/corrections', {
      token: admin.accessToken,
      body: { country: 'FRA', indicator: 'SP.POP.TOTL', year: 2020, value: 67_100_000, reason: 'INSEE revision' },
    });
    expect(correction.status, JSON.stringify(correction.body)).toBe(201);
    const position = Number(correction.headers.get('x-position'));
    expect(position).toBe(correction.body.position);
    const series = await call('GET', `/api/v1/series/FRA/SP.POP.TOTL?minPosition=${position}`, { token: viewer.accessToken });
    expect(series.status).toBe(200);
    expect(Number(series.headers.get('x-position'))).toBeGreaterThanOrEqual(position);
    expect((series.body.points as unknown[]).at(-1)).toMatchObject({ year: 2020, value: 67_100_000 });
  });

  it('enforces a revoked permission within the documented bound (projection lag + PERMISSIONS_CACHE_TTL_MS)', async () => {
    const user = await call('POST', '/api/v1/users', { token: admin.accessToken, body: { username: 'rita', password: 'rita has a long password', roles: ['analyst'] } });
    const rita = await eventually(() => signIn('rita', 'rita has a long password'));
    expect((await call('GET', '/api/v1/audit/runs', { token: rita.accessToken })).status).toBe(200);
    const revoked = await call('DELETE', `/api/v1/users/${user.body.userId}/roles/analyst`, { token: admin.accessToken });
    expect(revoked.status).toBe(200);
    const started = Date.now();
    await eventually(async () => expect((await call('GET', '/api/v1/audit/runs', { token: rita.accessToken })).status).toBe(403), 4_000);
    expect(Date.now() - started).toBeLessThan(3_500); // lag (ms when idle, more on a loaded machine) + 1 s
  });

  it('lists users to users:manage only, shows a permission change in the audit, lists one\'s own reports', async () => {
    const users = await call('GET', '/api/v1/users', { token: admin.accessToken });
    expect(users.status, JSON.stringify(users.body)).toBe(200);
    expect(users.headers.get('cache-control')).toBe('private, no-store');
    expect((users.body.users as { username: string }[]).map((u) => u.username)).toEqual(expect.arrayContaining(['admin', 'vera']));
    expect(JSON.stringify(users.body)).not.toMatch(/passwordHash|argon2/);
    expect((await call('GET', '/api/v1/users', { token: viewer.accessToken })).status).toBe(403);

    const grant = await call('POST', `/api/v1/users/${viewer.userId}/permissions`, { token: admin.accessToken, body: { permission: 'reports:request' } });
    expect(grant.status, JSON.stringify(grant.body)).toBe(200);
    const position = Number(grant.headers.get('x-position'));
    const audit = await call('GET', `/api/v1/audit/access?userId=${viewer.userId}&minPosition=${position}`, { token: admin.accessToken });
    expect(audit.status, JSON.stringify(audit.body)).toBe(200);
    expect(audit.body.changes[0]).toMatchObject({ change: 'permission-granted', permission: 'reports:request', actor: adminId, actorName: 'admin', username: 'vera' });
    const mine = await eventually(async () => {
      const res = await call('GET', '/api/v1/reports', { token: viewer.accessToken });
      expect(res.status).toBe(200);
      return res;
    });
    expect(mine.body).toMatchObject({ total: 0, reports: [] });
    expect((await call('GET', `/api/v1/reports?requestedBy=${adminId}`, { token: viewer.accessToken })).status).toBe(403);
    expect((await call('DELETE', `/api/v1/users/${viewer.userId}/permissions/reports:request`, { token: admin.accessToken })).status).toBe(200);
  });

  it('limits body sizes (413) and rejects malformed JSON (400)', async () => {
    const big = { country: 'FRA', indicator: 'SP.POP.TOTL', year: 2020, value: 1, reason: 'x'.repeat(100 * 1024) };
    expect((await call('POST', '/api/v1/corrections', { token: admin.accessToken, body: big })).body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await call('POST', '/api/v1/corrections', { token: admin.accessToken, body: '{"country":' })).body.error.code).toBe('MALFORMED_JSON');
  });
});

describe('live events', () => {
  /** Reads server-sent events until `until` says stop. */
  const stream = async (token: string, viaQuery = false) => {
    const controller = new AbortController();
    const res = await fetch(`${gateway}/api/v1/events${viaQuery ? `?access_token=${token}` : ''}`, {
      headers: viaQuery ? {} : { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const events: { event: string; data: any }[] = [];
    let buffer = '';
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += Buffer.from(value as Uint8Array).toString();
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    })();
    return {
      events,
      async close() {
        controller.abort();
        await pump;
      },
    };
  };

  it("sends a report's outcome to its requester only, and data changes to every reader", async () => {
    const adminStream = await stream(admin.accessToken);
    const viewerStream = await stream(viewer.accessToken, true);
    await eventually(async () => expect([adminStream.events[0]?.event, viewerStream.events[0]?.event]).toEqual(['ready', 'ready']));

    const reportId = newId();
    const meta = () => ({ eventId: newId(), correlationId: 'c', causationId: null, actor: adminId, occurredAt: new Date().toISOString(), traceparent: null, source: 'test', schemaVersion: 1 });
    await platform.eventStore.append(
      `report-${reportId}`,
      [
        { type: 'ReportRequested', data: { reportId, requestedBy: adminId, spec: { kind: 'ranking', indicator: 'SP.POP.TOTL', year: 2020, order: 'desc' }, format: 'csv' }, metadata: meta() },
        {
          type: 'ReportGenerated',
          data: { reportId, artifact: { uri: 'file:///r.csv', fileName: 'r.csv', contentType: 'text/csv', sizeBytes: 10, sha256: 'a'.repeat(64) }, rows: 3, attempt: 1 },
          metadata: meta(),
        },
      ],
      'no_stream',
    );
    await call('POST', '/api/v1/corrections', { token: admin.accessToken, body: { country: 'DEU', indicator: 'SP.POP.TOTL', year: 2020, value: 83_100_000, reason: 'Destatis revision' } });

    // Earlier tests' changes may still be announced (data changes are gathered per window): look for this test's own.
    const ownReport = (e: { event: string; data: any }) => e.event === 'report.ready' && e.data.data.reportId === reportId;
    const ownChange = (e: { event: string; data: any }) => e.event === 'data.changed' && (e.data.data.countries as string[]).includes('DEU');
    await eventually(async () => {
      expect(adminStream.events.some(ownReport)).toBe(true);
      expect(adminStream.events.some(ownChange)).toBe(true);
      expect(viewerStream.events.some(ownChange)).toBe(true);
    }, 6_000);
    expect(adminStream.events.find(ownReport)!.data.data).toMatchObject({ reportId, fileName: 'r.csv', rows: 3 });
    expect(viewerStream.events.find(ownChange)!.data.data).toMatchObject({ indicators: expect.arrayContaining(['SP.POP.TOTL']), countries: expect.arrayContaining(['DEU']) });
    expect(viewerStream.events.map((e) => e.event)).not.toContain('report.ready');
    await Promise.all([adminStream.close(), viewerStream.close()]);
  });

  it('refuses a stream without a valid token', async () => {
    expect((await call('GET', '/api/v1/events')).status).toBe(401);
  });
});

describe('documents and headers', () => {
  it('publishes the OpenAPI document from the same schemas, and interactive docs', async () => {
    const doc = await call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/signin', '/api/v1/auth/refresh', '/api/v1/rankings/{indicator}', '/api/v1/users/{userId}/roles', '/api/v1/events']));
    expect(doc.body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.body.paths['/api/v1/users/{userId}/roles'].post.requestBody.content['application/json'].schema.properties.role.enum).toEqual(['admin', 'analyst', 'viewer']);
    const docs = await call('GET', '/docs');
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    expect((await call('GET', '/docs/docs.js')).status).toBe(200);
  });

  it('sets security headers and a request id on every answer, and says when the UI is not built', async () => {
    const res = await call('GET', '/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('The web UI is not built');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-request-id')).toBeTruthy();
    // API answers carry the API set: never framed, never sniffed, nothing loaded from them.
    const api = await call('GET', '/api/v1/countries', { token: admin.accessToken });
    expect(api.status).toBe(200);
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('x-frame-options')).toBe('DENY');
    expect(api.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    expect(api.headers.get('x-request-id')).toBeTruthy();
    const unknown = await call('GET', '/api/v1/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('ROUTE_NOT_FOUND');
  });
});

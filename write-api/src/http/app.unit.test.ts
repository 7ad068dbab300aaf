import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWriteSideFixture, type WriteSideFixture } from '../testing/write-side-fixture.ts';
import { buildWriteApp } from './app.ts';

const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

let fx: WriteSideFixture;
let app: FastifyInstance;
let base: string;
let adminToken: string;

const call = async (method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {}) => {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
};

const register = async (username: string, roles: string[] = ['viewer'], headers: Record<string, string> = {}) =>
  call('POST', '/api/v1/users', { token: adminToken, body: { username, password: 'a-long-enough-password', roles }, headers });

beforeAll(async () => {
  fx = await createWriteSideFixture();
  app = await buildWriteApp({ dispatcher: fx.dispatcher, access: fx.access, logger: false, bodyLimitBytes: 16 * 1024, health: async () => ({ ok: true, details: {} }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  adminToken = await fx.token(fx.adminId, 'admin');
});
afterAll(async () => {
  await app.close();
  await fx.eventStore.close();
});

describe('write API over HTTP', () => {
  it('registers a user: 201 with the position in the body and the X-Position header', async () => {
    const res = await register('grace');
    expect(res.status).toBe(201);
    expect(res.body.userId).toEqual(expect.any(String));
    expect(res.body.position).toBeGreaterThan(0);
    expect(res.headers.get('x-position')).toBe(String(res.body.position));
    expect(res.body.position).toBe(await fx.eventStore.headPosition());
  });

  it('rejects invalid input with 400, field-level errors and a stable code, appending nothing', async () => {
    const before = await fx.eventStore.headPosition();
    const res = await call('POST', '/api/v1/users', { token: adminToken, body: { username: '!', password: 'short', roles: ['emperor'] } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const paths = (res.body.error.details as { path: string }[]).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.username', 'body.password', 'body.roles.0']));
    expect(await fx.eventStore.headPosition()).toBe(before);
  });

  it('rejects malformed JSON and oversized bodies with stable codes', async () => {
    const bad = await call('POST', '/api/v1/corrections', { token: adminToken, raw: '{"country": "FRA",' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('MALFORMED_JSON');
    const huge = await call('POST', '/api/v1/corrections', { token: adminToken, raw: JSON.stringify({ reason: 'x'.repeat(20_000) }) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 401 without a token, with an expired one and with a tampered one', async () => {
    expect((await call('POST', '/api/v1/users/x/roles', { body: { role: 'viewer' } })).body.error.code).toBe('TOKEN_MISSING');
    const expiredToken = await fx.token(fx.adminId, 'admin');
    fx.clock.set(new Date('2026-01-01T01:00:00Z'));
    const expired = await call('POST', `/api/v1/users/${fx.adminId}/roles`, { token: expiredToken, body: { role: 'viewer' } });
    fx.clock.set(new Date('2026-01-01T00:00:00Z'));
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('TOKEN_EXPIRED');
    const [h, p, s] = adminToken.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'someone-else' })).toString('base64url');
    const tampered = await call('POST', `/api/v1/users/${fx.adminId}/roles`, { token: `${h}.${forged}.${s}`, body: { role: 'viewer' } });
    expect(tampered.status).toBe(401);
    expect(tampered.body.error.code).toBe('TOKEN_INVALID');
  });

  it('answers 403 when a viewer tries to grant roles, even bypassing the gateway, and appends nothing', async () => {
    const viewer = await register('viewer-vic');
    const viewerToken = await fx.token(viewer.body.userId as string, 'viewer-vic');
    const before = await fx.eventStore.headPosition();
    const res = await call('POST', `/api/v1/users/${viewer.body.userId}/roles`, { token: viewerToken, body: { role: 'admin' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('PERMISSION_DENIED');
    expect(await fx.eventStore.headPosition()).toBe(before);
  });

  it('takes access from the event store, not the token: a revoked admin is refused at once', async () => {
    const other = await register('temp-admin', ['admin']);
    const otherToken = await fx.token(other.body.userId as string, 'temp-admin');
    expect((await call('DELETE', `/api/v1/users/${other.body.userId}/roles/admin`, { token: adminToken })).status).toBe(200);
    const res = await call('POST', `/api/v1/users/${fx.adminId}/permissions`, { token: otherToken, body: { permission: 'data:correct' } });
    expect(res.status).toBe(403);
  });

  it('answers 404 for an unknown user and for correcting an unknown series', async () => {
    const user = await call('POST', '/api/v1/users/no-such-user/roles', { token: adminToken, body: { role: 'analyst' } });
    expect(user.status).toBe(404);
    expect(user.body.error.code).toBe('USER_NOT_FOUND');
    const series = await call('POST', '/api/v1/corrections', { token: adminToken, body: { country: 'FRA', indicator: 'SP.POP.TOTL', year: 2020, value: 1, reason: 'census fix' } });
    expect(series.status).toBe(404);
    expect(series.body.error.code).toBe('SERIES_NOT_FOUND');
  });

  it('answers 409 when If-Match names a revision that is no longer current', async () => {
    const u = await register('ifmatch-ian');
    const first = await call('POST', `/api/v1/users/${u.body.userId}/roles`, { token: adminToken, body: { role: 'analyst' }, headers: { 'if-match': `"${u.body.revision}"` } });
    expect(first.status).toBe(200);
    const stale = await call('POST', `/api/v1/users/${u.body.userId}/permissions`, { token: adminToken, body: { permission: 'data:correct' }, headers: { 'if-match': `"${u.body.revision}"` } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('STREAM_REVISION_CONFLICT');
  });

  it('answers 409 for a taken username', async () => {
    await register('taken-tom');
    const again = await register('Taken-Tom');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('USERNAME_TAKEN');
  });

  it('replays a command retried with the same Idempotency-Key: the first result, nothing appended', async () => {
    const first = await register('idem-ida', ['analyst'], { 'idempotency-key': 'reg-ida-1' });
    expect(first.status).toBe(201);
    const head = await fx.eventStore.headPosition();
    const retry = await register('idem-ida', ['analyst'], { 'idempotency-key': 'reg-ida-1' });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toMatchObject({ userId: first.body.userId, position: first.body.position, revision: first.body.revision, replayed: true });
    expect(await fx.eventStore.headPosition()).toBe(head);

    const reused = await register('idem-other', ['analyst'], { 'idempotency-key': 'reg-ida-1' });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('accepts concurrent grants to one user without losing any', async () => {
    const u = await register('busy-bea');
    const results = await Promise.all(
      (['reports:request', 'data:correct', 'audit:read', 'ingestion:trigger'] as const).map((permission) =>
        call('POST', `/api/v1/users/${u.body.userId}/permissions`, { token: adminToken, body: { permission } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const granted: string[] = [];
    for await (const e of fx.eventStore.readStream(`user-${u.body.userId}`)) if (e.type === 'PermissionGranted') granted.push((e.data as { permission: string }).permission);
    expect(granted.sort()).toEqual(['audit:read', 'data:correct', 'ingestion:trigger', 'reports:request']);
  });

  it('requests a report (202) for the signed-in requester', async () => {
    const res = await call('POST', '/api/v1/reports', { token: adminToken, body: { spec: { kind: 'ranking', indicator: 'SP.POP.TOTL', year: 2020 }, format: 'csv' } });
    expect(res.status).toBe(202);
    expect(res.body.reportId).toEqual(expect.any(String));
    const [requested] = await collect(fx.eventStore.readStream(`report-${res.body.reportId}`));
    expect(requested?.data).toMatchObject({ requestedBy: fx.adminId, spec: { kind: 'ranking', order: 'desc' }, format: 'csv' });
    expect(requested?.metadata).toMatchObject({ actor: fx.adminId, source: 'write-api', schemaVersion: 1 });
  });

  it('records a correction with its reason and previous value', async () => {
    await fx.eventStore.append('series-FRA-SP.POP.TOTL', [{ type: 'ObservationsRecorded', data: { country: 'FRA', indicator: 'SP.POP.TOTL', source: 'file', runId: 'r1', changes: [{ year: 2020, value: 67_000_000, previous: null }] }, metadata: { eventId: crypto.randomUUID(), correlationId: 'c', causationId: null, actor: 'system:ingestion', occurredAt: new Date().toISOString(), traceparent: null, source: 'ingestion', schemaVersion: 1 } }], 'no_stream');
    const res = await call('POST', '/api/v1/corrections', { token: adminToken, body: { country: 'FRA', indicator: 'SP.POP.TOTL', year: 2020, value: 67_100_000, reason: 'INSEE revision' } });
    expect(res.status).toBe(201);
    const events = await collect(fx.eventStore.readStream('series-FRA-SP.POP.TOTL'));
    expect(events.at(-1)?.data).toEqual({ country: 'FRA', indicator: 'SP.POP.TOTL', year: 2020, value: 67_100_000, previous: 67_000_000, reason: 'INSEE revision' });
  });

  it('publishes an OpenAPI document generated from the same schemas', async () => {
    const res = await call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths as object)).toEqual(expect.arrayContaining(['/api/v1/users', '/api/v1/users/{userId}/roles', '/api/v1/corrections', '/api/v1/reports']));
  });
});

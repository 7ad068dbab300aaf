import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import { createTokenService, type TokenService } from '@nationpulse/platform';
import type { DocumentWrite, ReadStore } from '@nationpulse/ports';
import { collections, type AccessLogDoc, type ReportDoc, type UserDoc } from '@nationpulse/read-models';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallerAuthenticator } from '../access/caller.ts';
import { createReadSide } from '../composition.ts';
import { buildReadApp } from './app.ts';

const clock = { now: () => new Date() };
let readStore: ReadStore;
let tokens: TokenService;
let app: FastifyInstance;

const user = (u: Partial<UserDoc> & Pick<UserDoc, 'userId' | 'username'>): UserDoc => ({
  displayName: u.username,
  roles: [],
  grants: [],
  permissions: [],
  disabled: false,
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$secret-salt$secret-hash',
  registeredAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-01T00:00:00.000Z',
  ...u,
});
const users = [
  user({ userId: 'u-admin', username: 'ada', roles: ['admin'], permissions: ['audit:read', 'data:read', 'reports:request', 'users:manage'] }),
  user({ userId: 'u-analyst', username: 'ann', roles: ['analyst'], grants: ['data:correct'], permissions: ['audit:read', 'data:correct', 'data:read', 'reports:request'] }),
  user({ userId: 'u-viewer', username: 'vic', roles: ['viewer'], permissions: ['data:read'] }),
  user({ userId: 'u-gone', username: 'zed', roles: ['admin'], disabled: true }),
];

const report = (r: Partial<ReportDoc> & Pick<ReportDoc, 'reportId' | 'requestedBy' | 'requestedAt'>): ReportDoc => ({
  spec: { kind: 'ranking', indicator: 'SP.POP.TOTL', year: 2022, order: 'desc' },
  format: 'csv',
  status: 'requested',
  updatedAt: r.requestedAt,
  artifact: null,
  rows: null,
  failure: null,
  ...r,
});
const reports = [
  report({ reportId: 'r-1', requestedBy: 'u-analyst', requestedAt: '2024-05-01T10:00:00.000Z', status: 'failed', failure: { reason: 'QUERY_FAILED', message: 'no data', attempts: 3 } }),
  report({
    reportId: 'r-2',
    requestedBy: 'u-analyst',
    requestedAt: '2024-05-02T10:00:00.000Z',
    status: 'generated',
    rows: 190,
    artifact: { uri: 'file:///var/np/artifacts/r-2-1.csv', fileName: 'ranking.csv', contentType: 'text/csv', sizeBytes: 4096, sha256: 'ab'.repeat(32) },
  }),
  report({ reportId: 'r-3', requestedBy: 'u-analyst', requestedAt: '2024-05-03T10:00:00.000Z' }),
  report({ reportId: 'r-4', requestedBy: 'u-admin', requestedAt: '2024-05-04T10:00:00.000Z' }),
];

const access = (a: Partial<AccessLogDoc> & Pick<AccessLogDoc, 'eventId' | 'at' | 'userId' | 'change' | 'position'>): AccessLogDoc => ({ actor: 'u-admin', role: null, permission: null, ...a });
const accessLog = [
  access({ eventId: 'e-1', at: '2024-01-01T00:00:00.000Z', actor: 'system:bootstrap', userId: 'u-admin', change: 'registered', position: 1 }),
  access({ eventId: 'e-2', at: '2024-01-02T00:00:00.000Z', userId: 'u-analyst', change: 'registered', position: 2 }),
  access({ eventId: 'e-3', at: '2024-01-03T00:00:00.000Z', userId: 'u-analyst', change: 'role-granted', role: 'analyst', position: 3 }),
  access({ eventId: 'e-4', at: '2024-01-04T00:00:00.000Z', userId: 'u-analyst', change: 'permission-granted', permission: 'data:correct', position: 4 }),
  access({ eventId: 'e-5', at: '2024-01-05T00:00:00.000Z', userId: 'u-viewer', change: 'role-revoked', role: 'analyst', position: 5 }),
];

const put = (collection: string, id: string, doc: object, position: number): DocumentWrite => ({ op: 'put', collection, id, doc: { ...doc }, position });

const get = async (url: string, token?: string) => {
  const res = await app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.statusCode, headers: res.headers, body: res.json<Record<string, any>>() };
};
/** A list from an answer's body, typed for the fields a test reads. */
const list = <T>(value: unknown): T[] => value as T[];
const tokenOf = (userId: string, username = userId) => tokens.issueAccessToken({ sub: userId, username });

beforeAll(async () => {
  readStore = createSqliteReadStore({ path: ':memory:' });
  await readStore.commit(
    [...users.map((u, i) => put(collections.users, u.userId, u, i + 1)), ...accessLog.map((a) => put(collections.accessLog, a.eventId, a, a.position))],
    { name: 'users', position: 10 },
  );
  await readStore.commit(reports.map((r, i) => put(collections.reports, r.reportId, r, 20 + i)), { name: 'reports', position: 30 });
  tokens = createTokenService({ secret: 'a test secret that is at least 32 bytes long', issuer: 'nationpulse', accessTtlSeconds: 60, clock });
  const { executor } = createReadSide({ readStore, waitTimeoutMs: 200 });
  app = await buildReadApp({ executor, callers: createCallerAuthenticator({ tokens, readStore }), logger: false, health: async () => ({ ok: true, details: {} }) });
});
afterAll(async () => {
  await app.close();
  await readStore.close();
});

describe('who is asking', () => {
  it('answers 401 without a token or with a forged one, 401 USER_UNKNOWN for a token naming nobody, 403 for a disabled user', async () => {
    expect((await get('/api/v1/users')).body.error.code).toBe('TOKEN_MISSING');
    const forged = createTokenService({ secret: 'another secret that is at least 32 bytes', issuer: 'nationpulse', accessTtlSeconds: 60, clock });
    const bad = await get('/api/v1/reports', await forged.issueAccessToken({ sub: 'u-admin', username: 'ada' }));
    expect([bad.status, bad.body.error.code]).toEqual([401, 'TOKEN_INVALID']);
    const unknown = await get('/api/v1/reports', await tokenOf('u-nobody'));
    expect([unknown.status, unknown.body.error.code]).toEqual([401, 'USER_UNKNOWN']);
    const disabled = await get('/api/v1/users', await tokenOf('u-gone'));
    expect([disabled.status, disabled.body.error.code]).toEqual([403, 'USER_DISABLED']);
  });
});

describe('who is asking: the gateway\'s token checks', () => {
  const SECRET = 'a test secret that is at least 32 bytes long';
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  /** A token signed with the read API's secret, by hand: the checks, not the signer, are under test. */
  const hs = async (alg: 'HS256' | 'HS512', claims: object) => {
    const unsigned = `${b64({ alg, typ: 'JWT' })}.${b64(claims)}`;
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(SECRET), { name: 'HMAC', hash: alg === 'HS512' ? 'SHA-512' : 'SHA-256' }, false, ['sign']);
    return `${unsigned}.${Buffer.from(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(unsigned))).toString('base64url')}`;
  };
  const claims = (extra: object = {}) => ({ sub: 'u-admin', username: 'ada', iss: 'nationpulse', iat: nowSeconds(), exp: nowSeconds() + 60, ...extra });

  it('refuses expired, future-dated, expiry-less, alg none, other-algorithm and tampered tokens with 401', async () => {
    const good = await hs('HS256', claims());
    expect((await get('/api/v1/users', good)).status).toBe(200);
    const cases: [string, string, string][] = [
      ['expired', await hs('HS256', claims({ iat: nowSeconds() - 600, exp: nowSeconds() - 60 })), 'TOKEN_EXPIRED'],
      ['issued in the future', await hs('HS256', claims({ iat: nowSeconds() + 60 })), 'TOKEN_INVALID'],
      ['no expiry', await hs('HS256', { ...claims(), exp: undefined }), 'TOKEN_INVALID'],
      ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`, 'TOKEN_INVALID'],
      ['HS512 with the same secret', await hs('HS512', claims()), 'TOKEN_INVALID'],
      ['tampered claims', `${good.split('.')[0]}.${b64(claims({ sub: 'u-analyst' }))}.${good.split('.')[2]}`, 'TOKEN_INVALID'],
    ];
    for (const [name, token, code] of cases) {
      const res = await get('/api/v1/users', token);
      expect([name, res.status, res.body.error.code]).toEqual([name, 401, code]);
    }
  });
});

describe('GET /api/v1/users', () => {
  it('lists users by username with roles, grants and permissions, never the password hash; private to the caller', async () => {
    const res = await get('/api/v1/users', await tokenOf('u-admin'));
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers['x-position']).toBe('10');
    expect(res.body).toMatchObject({ total: 4, limit: 100, offset: 0 });
    expect(list<{ username: string }>(res.body.users).map((u) => u.username)).toEqual(['ada', 'ann', 'vic', 'zed']);
    expect(res.body.users[1]).toEqual({
      userId: 'u-analyst',
      username: 'ann',
      displayName: 'ann',
      roles: ['analyst'],
      grants: ['data:correct'],
      permissions: ['audit:read', 'data:correct', 'data:read', 'reports:request'],
      disabled: false,
      registeredAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-01-01T00:00:00.000Z',
    });
    expect(JSON.stringify(res.body)).not.toMatch(/passwordHash|argon2|secret-hash/);
  });

  it('pages (limit, offset) and validates them (400 VALIDATION_FAILED)', async () => {
    const token = await tokenOf('u-admin');
    const page = await get('/api/v1/users?limit=2&offset=1', token);
    expect(page.body).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(list<{ username: string }>(page.body.users).map((u) => u.username)).toEqual(['ann', 'vic']);
    for (const q of ['limit=0', 'limit=301', 'offset=-1', 'limit=ten']) {
      const bad = await get(`/api/v1/users?${q}`, token);
      expect([q, bad.status, bad.body.error.code]).toEqual([q, 400, 'VALIDATION_FAILED']);
    }
  });

  it('needs users:manage (403 PERMISSION_DENIED for an analyst)', async () => {
    const res = await get('/api/v1/users', await tokenOf('u-analyst'));
    expect([res.status, res.body.error.code]).toEqual([403, 'PERMISSION_DENIED']);
    expect(res.headers['cache-control']).toBe('private, no-store');
  });

  it('waits for minPosition (read-your-writes) and answers 503 POSITION_NOT_REACHED past it', async () => {
    const res = await get('/api/v1/users?minPosition=11', await tokenOf('u-admin'));
    expect([res.status, res.body.error.code]).toEqual([503, 'POSITION_NOT_REACHED']);
  });
});

describe('GET /api/v1/reports', () => {
  it("lists the caller's own reports, newest first, in the statuses of GET /reports/{id}, without the file's storage URI", async () => {
    const res = await get('/api/v1/reports', await tokenOf('u-analyst'));
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers['x-position']).toBe('30');
    expect(res.body).toMatchObject({ total: 3, limit: 20, offset: 0 });
    expect(list<{ reportId: string; status: string }>(res.body.reports).map((r) => [r.reportId, r.status])).toEqual([
      ['r-3', 'pending'],
      ['r-2', 'ready'],
      ['r-1', 'failed'],
    ]);
    expect(res.body.reports[1]).toMatchObject({ rows: 190, artifact: { fileName: 'ranking.csv', contentType: 'text/csv', sizeBytes: 4096, sha256: 'ab'.repeat(32) } });
    expect(res.body.reports[2].failure).toEqual({ reason: 'QUERY_FAILED', message: 'no data', attempts: 3 });
    expect(JSON.stringify(res.body)).not.toContain('file:///');
    const page = await get('/api/v1/reports?limit=1&offset=1', await tokenOf('u-analyst'));
    expect(list<{ reportId: string }>(page.body.reports).map((r) => r.reportId)).toEqual(['r-2']);
  });

  it("lets an admin list another user's reports; anyone else gets 403", async () => {
    const byAdmin = await get('/api/v1/reports?requestedBy=u-analyst', await tokenOf('u-admin'));
    expect(byAdmin.body.total).toBe(3);
    const adminsOwn = await get('/api/v1/reports', await tokenOf('u-admin'));
    expect(list<{ reportId: string }>(adminsOwn.body.reports).map((r) => r.reportId)).toEqual(['r-4']);
    const byViewer = await get('/api/v1/reports?requestedBy=u-analyst', await tokenOf('u-viewer'));
    expect([byViewer.status, byViewer.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const own = await get('/api/v1/reports?requestedBy=u-viewer', await tokenOf('u-viewer'));
    expect(own.body).toMatchObject({ total: 0, reports: [] });
  });
});

describe('GET /api/v1/audit/access', () => {
  it('lists access changes newest first with who, whom, what and when, by user on request', async () => {
    const res = await get('/api/v1/audit/access');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(5);
    expect(res.body.changes[0]).toEqual({ at: '2024-01-05T00:00:00.000Z', actor: 'u-admin', actorName: 'ada', userId: 'u-viewer', username: 'vic', change: 'role-revoked', role: 'analyst', permission: null, position: 5 });
    expect(list<object>(res.body.changes).at(-1)).toMatchObject({ actor: 'system:bootstrap', actorName: null, userId: 'u-admin', username: 'ada', change: 'registered' });
    const ann = await get('/api/v1/audit/access?userId=u-analyst&limit=2');
    expect(ann.body.total).toBe(3);
    expect(list<{ change: string; permission: string | null; role: string | null }>(ann.body.changes).map((c) => [c.change, c.role ?? c.permission])).toEqual([
      ['permission-granted', 'data:correct'],
      ['role-granted', 'analyst'],
    ]);
    const window = await get('/api/v1/audit/access?from=2024-01-02T00:00:00Z&to=2024-01-03T12:00:00Z');
    expect(list<{ position: number }>(window.body.changes).map((c) => c.position)).toEqual([3, 2]);
    expect((await get('/api/v1/audit/access?from=2024-02-01T00:00:00Z&to=2024-01-01T00:00:00Z')).status).toBe(400);
  });
});

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiError, bearerCheck, startFakeGateway, type FakeGateway } from '../testing/fake-gateway.ts';
import { auditRuns, tokenPair } from '../testing/fixtures.ts';
import { runNationpulse, tempDir } from '../testing/run-cli.ts';

let gateway: FakeGateway;
let configDir: string;
let env: Record<string, string>;
/** The gateway's refresh tokens: each works once, then it is spent (rotation). */
let liveRefresh: Set<string>;
let validAccess: Set<string>;
let expiredAccess: Set<string>;
let issued: number;

const sessionFile = (): any => JSON.parse(readFileSync(join(configDir, 'session.json'), 'utf8'));

beforeEach(async () => {
  gateway = await startFakeGateway();
  configDir = tempDir('np-cli-config-');
  env = { NATIONPULSE_URL: gateway.url, NATIONPULSE_CONFIG_DIR: configDir };
  liveRefresh = new Set();
  validAccess = new Set();
  expiredAccess = new Set();
  issued = 0;
  const issue = () => {
    issued++;
    liveRefresh.add(`refresh-${issued}`);
    validAccess.add(`access-${issued}`);
    return { json: tokenPair(issued) };
  };
  gateway.route('POST', '/api/v1/auth/signin', (req) => {
    const body = req.body as { username: string; password: string };
    return body.username === 'ana' && body.password === 'correct horse battery' ? issue() : apiError(401, 'INVALID_CREDENTIALS', 'Wrong username or password');
  });
  gateway.route('POST', '/api/v1/auth/refresh', (req) => {
    const { refreshToken } = req.body as { refreshToken: string };
    if (!liveRefresh.delete(refreshToken)) return apiError(401, 'REFRESH_TOKEN_REUSED', 'The refresh token was already used');
    return issue();
  });
  gateway.route('POST', '/api/v1/auth/signout', (req) => {
    const { refreshToken } = req.body as { refreshToken: string };
    return liveRefresh.delete(refreshToken) ? { status: 204 } : apiError(401, 'REFRESH_TOKEN_INVALID', 'Unknown refresh token');
  });
  gateway.route('GET', '/api/v1/audit/runs', (req) => bearerCheck(req, validAccess, expiredAccess) ?? { json: auditRuns });
});
afterEach(() => gateway.close());

const signIn = () => runNationpulse(['signin', '--user', 'ana', '--password-stdin'], { env, stdin: 'correct horse battery\n' });
/** The access token expires on the server: the next request is answered TOKEN_EXPIRED. */
const expire = (token: string) => {
  validAccess.delete(token);
  expiredAccess.add(token);
};
const authorizations = (path: string) => gateway.requests.filter((r) => r.path === path).map((r) => r.headers.authorization);

describe('nationpulse signin / signout and the session', () => {
  it('signs in with the password from stdin and saves the session, readable only by the user', async () => {
    const run = await signIn();
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`Signed in to ${gateway.url} as ana`);
    expect(gateway.requests[0]?.body).toEqual({ username: 'ana', password: 'correct horse battery' });
    expect(sessionFile()).toEqual({
      version: 1,
      sessions: { [gateway.url]: { username: 'ana', accessToken: 'access-1', refreshToken: 'refresh-1', expiresAt: '2026-05-01T12:15:00.000Z' } },
    });
    expect(statSync(join(configDir, 'session.json')).mode & 0o777).toBe(0o600);
    expect(statSync(configDir).mode & 0o077).toBe(0);
  });

  it('reports wrong credentials with the API code, exit 1, and saves nothing', async () => {
    const run = await runNationpulse(['signin', '--user', 'ana', '--password-stdin'], { env, stdin: 'wrong\n' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('INVALID_CREDENTIALS: Wrong username or password\n');
    expect(() => readFileSync(join(configDir, 'session.json'))).toThrow();
  });

  it('sends the access token, and refreshes it transparently when the gateway answers TOKEN_EXPIRED', async () => {
    await signIn();
    expect((await runNationpulse(['audit', 'runs'], { env })).code).toBe(0);
    expire('access-1');

    const run = await runNationpulse(['audit', 'runs'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('0190a1b2-run-1');
    expect(authorizations('/api/v1/audit/runs')).toEqual(['Bearer access-1', 'Bearer access-1', 'Bearer access-2']);
    expect(gateway.requests.filter((r) => r.path === '/api/v1/auth/refresh').map((r) => r.body)).toEqual([{ refreshToken: 'refresh-1' }]);
    expect(sessionFile().sessions[gateway.url]).toMatchObject({ accessToken: 'access-2', refreshToken: 'refresh-2' });

    // The rotated session is used from then on, with no further refresh.
    expect((await runNationpulse(['audit', 'runs'], { env })).code).toBe(0);
    expect(authorizations('/api/v1/audit/runs').at(-1)).toBe('Bearer access-2');
    expect(issued).toBe(2);
  });

  it('refreshes once when two commands find the token expired at the same time (a spent refresh token is never replayed)', async () => {
    await signIn();
    expire('access-1');
    const runs = await Promise.all([runNationpulse(['audit', 'runs'], { env }), runNationpulse(['audit', 'runs'], { env })]);
    expect(runs.map((r) => [r.code, r.stderr])).toEqual([
      [0, ''],
      [0, ''],
    ]);
    expect(gateway.requests.filter((r) => r.path === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(authorizations('/api/v1/audit/runs').slice(-2)).toEqual(['Bearer access-2', 'Bearer access-2']);
  });

  it('ends the session when the refresh token is refused, telling the user to sign in again', async () => {
    await signIn();
    expire('access-1');
    liveRefresh.clear(); // revoked on the server
    const run = await runNationpulse(['audit', 'runs'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^REFRESH_TOKEN_REUSED: The refresh token was already used\. The session has ended; sign in again: nationpulse signin --user ana\n$/);
    expect(sessionFile().sessions).toEqual({});
  });

  it('sends NATIONPULSE_TOKEN instead of the saved session, and never refreshes it', async () => {
    await signIn();
    validAccess.add('ci-token');
    expect((await runNationpulse(['audit', 'runs'], { env: { ...env, NATIONPULSE_TOKEN: 'ci-token' } })).code).toBe(0);
    expect(authorizations('/api/v1/audit/runs')).toEqual(['Bearer ci-token']);

    expire('ci-token');
    const run = await runNationpulse(['audit', 'runs'], { env: { ...env, NATIONPULSE_TOKEN: 'ci-token' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('TOKEN_EXPIRED: The access token has expired (the token in NATIONPULSE_TOKEN was refused)\n');
    expect(gateway.requests.some((r) => r.path === '/api/v1/auth/refresh')).toBe(false);
  });

  it("sends a session's token only to the gateway that issued it", async () => {
    await signIn();
    const other = await startFakeGateway();
    try {
      other.route('GET', '/api/v1/audit/runs', (req) => bearerCheck(req, validAccess) ?? { json: auditRuns });
      const run = await runNationpulse(['audit', 'runs', '--url', other.url], { env });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('TOKEN_MISSING: Sign in: no bearer token. Sign in first: nationpulse signin --user NAME\n');
      expect(other.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('signs out: revokes the refresh token on the server and forgets the session', async () => {
    await signIn();
    const run = await runNationpulse(['signout'], { env });
    expect(run).toMatchObject({ code: 0, stdout: `Signed out of ${gateway.url}\n` });
    expect(gateway.requests.at(-1)).toMatchObject({ method: 'POST', path: '/api/v1/auth/signout', body: { refreshToken: 'refresh-1' } });
    expect(sessionFile().sessions).toEqual({});
    expect(await runNationpulse(['signout'], { env })).toMatchObject({ code: 0, stdout: `Not signed in to ${gateway.url}\n` });
  });

  it('refuses to prompt for a password without a terminal (exit 64)', async () => {
    const run = await runNationpulse(['signin', '--user', 'ana'], { env });
    expect(run.code).toBe(64);
    expect(run.stderr).toContain('--password-stdin');
  });
});

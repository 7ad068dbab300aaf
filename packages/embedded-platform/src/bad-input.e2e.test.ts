import fc from 'fast-check';
import { nastyString, nastyValue } from '@nationpulse/platform/testing/hostile-input';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawCall, startSecuredPlatform, type Answer, type SecuredPlatform } from './testing/secured-platform.ts';

/**
 * Bad input against every HTTP endpoint of the gateway (queries forwarded to the read API,
 * commands to the write API, ingestion, reports, ops, sign-in): malformed JSON, wrong types,
 * huge bodies, unicode edge cases, injection strings and path tricks. Every answer must come
 * within its deadline, never be a 5xx, carry a stable error code when it is a 4xx, and a refused
 * request must leave the event store as it was. Runs are bounded and seeded (fast-check prints the
 * seed and path of a failure; replay with `{ seed, path }`).
 */

let secured: SecuredPlatform;
let gateway: string;

beforeAll(async () => {
  secured = await startSecuredPlatform();
  gateway = secured.platform.urls.gateway;
}, 120_000);
afterAll(async () => {
  await secured?.close();
});

const RUNS = { numRuns: 250, seed: 20261202, endOnFailure: true } as const;

/** Any UTF-16 string as percent-encoded UTF-8 (lone surrogates become U+FFFD): a valid path segment of any content. */
const encoded = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
/** Segments sent verbatim: traversal, encoded traversal, NUL, CRLF, invalid UTF-8, broken escapes. */
const RAW_SEGMENTS = ['..', '.', '%2e%2e', '%2E%2E%2F%2E%2E', '..%2f..%2f..%2fetc%2fpasswd', '%00', '%0d%0aX-Injected:%201', '%ED%A0%80', '%FF%FE', '%C0%AE%C0%AE', '%', '%zz', '%25', '*', ';', '..;', '%5c..%5c', '', '~', '%u002e'];
const segment = fc.oneof(fc.constantFrom(...RAW_SEGMENTS), nastyString.map(encoded), fc.constantFrom('FRA', 'SP.POP.TOTL', 'population', 'viewer', 'data:read'));

const QUERY_KEYS = ['include', 'region', 'limit', 'offset', 'from', 'to', 'year', 'order', 'countries', 'at', 'country', 'source', 'actor', 'since', 'until', 'access_token'];
const queryString = fc
  .array(
    fc.oneof(
      fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), nastyString), nastyString).map(([k, v]) => `${encoded(k)}=${encoded(v)}`),
      fc.constantFrom('a=%', '%%', 'year[]=1', '__proto__[admin]=1', 'constructor[prototype][x]=1', 'year=2020&year=2021', 'limit=-1', 'limit=1e9', 'offset=99999999999999999999', '=', '&&&', 'region=%00'),
    ),
    { maxLength: 4 },
  )
  .map((parts) => (parts.length ? `?${parts.join('&')}` : ''));

/** Bodies: arbitrary JSON, broken JSON, prototype pollution, deep nesting, wrong shapes with the right field names. */
const FIELDS = ['username', 'password', 'displayName', 'roles', 'role', 'permission', 'reason', 'country', 'indicator', 'year', 'value', 'spec', 'format', 'kind', 'path', 'refreshToken'];
const body = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.json({ maxDepth: 2 }).chain((json) => fc.nat({ max: Math.max(0, json.length - 1) }).map((cut) => json.slice(0, cut))),
  fc.dictionary(fc.constantFrom(...FIELDS), nastyValue, { minKeys: 1, maxKeys: 6 }).map((o) => JSON.stringify(o)),
  fc.constantFrom(
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
    '{"a":1,"a":2}',
    `${'['.repeat(30_000)}${']'.repeat(30_000)}`,
    `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
    '\uFEFF{}',
    '{"role":"viewer"}\u0000',
    'null',
    '"just a string"',
    '12',
    '{"value":1e999}',
    '{"year":2020.5}',
    '',
  ),
);
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'multipart/form-data; boundary=x', 'application/xml'];

const STABLE_CODE = /^[A-Z][A-Z0-9_]*$/;
/** Never a 5xx; a 4xx carries `{ error: { code } }` with a stable code. */
const checkAnswer = (label: string, res: Answer) => {
  expect(res.status, `${label} → ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) expect(String(res.json?.error?.code), `${label} → ${res.status} ${res.text.slice(0, 300)}`).toMatch(STABLE_CODE);
};

/** Sends the request and checks that a refused one appended nothing. */
const send = async (options: { method: string; path: string; token?: string; body?: string; contentType?: string; headers?: Record<string, string> }) => {
  const before = await secured.headPosition();
  const res = await rawCall(gateway, {
    method: options.method,
    path: options.path,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const label = `${options.method} ${options.path.slice(0, 200)} ${options.body === undefined ? '' : `body ${JSON.stringify(options.body.slice(0, 200))}`}`;
  checkAnswer(label, res);
  if (res.status >= 300) expect(await secured.headPosition(), `${label}: refused (${res.status}) but appended`).toBe(before);
  return res;
};

type Target = (p: string, q: string) => string;
const COMMANDS: readonly (readonly ['POST' | 'DELETE', Target])[] = [
  ['POST', () => '/api/v1/users'],
  ['POST', (p) => `/api/v1/users/${p}/roles`],
  ['DELETE', (p, q) => `/api/v1/users/${p}/roles/${q}`],
  ['POST', (p) => `/api/v1/users/${p}/permissions`],
  ['DELETE', (p, q) => `/api/v1/users/${p}/permissions/${q}`],
  ['POST', (p) => `/api/v1/users/${p}/disable`],
  ['POST', () => '/api/v1/corrections'],
  ['POST', () => '/api/v1/reports'],
  ['POST', () => '/api/v1/ingestions'],
  ['POST', (p) => `/api/v1/ops/projections/${p}/rebuild`],
];
const QUERIES: readonly Target[] = [
  () => '/api/v1/countries',
  (p) => `/api/v1/countries/${p}`,
  () => '/api/v1/indicators',
  (p, q) => `/api/v1/series/${p}/${q}`,
  (p) => `/api/v1/rankings/${p}`,
  (p) => `/api/v1/dashboard/${p}`,
  (p) => `/api/v1/compare/${p}`,
  (p, q) => `/api/v1/audit/series/${p}/${q}`,
  () => '/api/v1/audit/runs',
  (p) => `/api/v1/audit/runs/${p}`,
  () => '/api/v1/audit/changes',
  () => '/api/v1/asof',
  (p) => `/api/v1/reports/${p}`,
  (p) => `/api/v1/reports/${p}/file`,
  (p) => `/api/v1/ingestions/${p}`,
  (p) => `/api/v1/ops/${p}`,
  () => '/api/v1/ops/projections',
  () => '/api/v1/auth/me',
];

describe('bad input through the gateway: always a 4xx with a stable code, never a 5xx or a hang, nothing appended', () => {
  it('commands (write API, ingestion, ops) with malformed or hostile bodies, path parameters and headers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...COMMANDS),
        segment,
        segment,
        body,
        fc.constantFrom(...CONTENT_TYPES),
        fc.option(fc.constantFrom('"1" OR 1=1', '-1', '99999999999999999999', '"', 'W/"1"', '*', '1, 2'), { nil: undefined }),
        fc.option(fc.constantFrom('key with spaces', 'x'.repeat(300), '$where', '../../k', 'ok-key'), { nil: undefined }),
        async ([method, target], p, q, payload, contentType, ifMatch, idempotencyKey) => {
          await send({
            method,
            path: target(p, q),
            token: secured.admin.token,
            body: payload,
            contentType,
            headers: { ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }), ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }) },
          });
        },
      ),
      RUNS,
    );
  });

  it('queries (read API, reports, ingestion runs, ops) with hostile path parameters and query strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...QUERIES), segment, segment, queryString, async (target, p, q, qs) => {
        await send({ method: 'GET', path: `${target(p, q)}${qs}`, token: secured.admin.token });
      }),
      RUNS,
    );
  });

  it('sign-in, refresh and sign-out with hostile bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('signin', 'refresh', 'signout'), body, fc.constantFrom(...CONTENT_TYPES), async (action, payload, contentType) => {
        const res = await send({ method: 'POST', path: `/api/v1/auth/${action}`, body: payload, contentType });
        expect(res.status, `${action} accepted ${payload.slice(0, 100)}`).not.toBe(200);
      }),
      { ...RUNS, numRuns: 60 },
    );
  });

  it('paths outside the API and raw traversal never reach a file or another route', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(segment, fc.constantFrom('secrets', 'jwt.key', 'events.db', 'index.html', 'assets', 'app-0123abcd.js')), { minLength: 1, maxLength: 6 }), fc.constantFrom('/', '/assets/', '/../', '/%2e%2e/', '/api/v1/', '/api/v1/countries/', '/docs/', '/api/v1/ops/', '/api/v1/ingestions/'), async (segments, prefix) => {
        const res = await send({ method: 'GET', path: `${prefix}${segments.join('/')}` });
        const path = `${prefix}${segments.join('/')}`;
        // No token: nothing under /api answers but the public auth routes (POST only); elsewhere the UI's files or its shell.
        if (res.status === 200) expect(res.headers.get('content-type') ?? '', path).toMatch(/^text\/(html|css|javascript)/);
        expect(res.text.includes(secured.secret), `${path} leaked the signing secret`).toBe(false);
        expect(res.text, path).not.toMatch(/root:.*:0:0:/);
      }),
      RUNS,
    );
  });

  it('bodies over the limit are refused with 413 PAYLOAD_TOO_LARGE on every route that takes one, signed in or not', async () => {
    const huge = JSON.stringify({ reason: 'x'.repeat(70 * 1024) });
    for (const [method, target] of COMMANDS.filter(([m]) => m === 'POST')) {
      const res = await send({ method, path: target('00000000-0000-7000-8000-000000000000', 'viewer'), token: secured.admin.token, body: huge });
      expect([res.status, res.json?.error?.code], target('x', 'y')).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    }
    for (const action of ['signin', 'refresh', 'signout']) {
      const res = await send({ method: 'POST', path: `/api/v1/auth/${action}`, body: huge });
      expect([res.status, res.json?.error?.code], action).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    }
  });

  it('an ingestion of a file outside INGESTION_FILE_ROOT is refused before any run starts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('world-bank-csv', 'sdmx-csv'),
        fc.oneof(
          fc.constantFrom('/etc/passwd', '../../../../etc/passwd', '..', '../', 'a/../../b', '/', '/proc/self/environ', '..\\..\\..', `${'../'.repeat(40)}etc/shadow`),
          fc.nat({ max: 10 }).map((n) => `${'../'.repeat(n + 1)}${'x'.repeat(n)}`),
        ),
        async (kind, path) => {
          const spec = kind === 'sdmx-csv' ? { kind, path, indicators: [{ indicator: 'GC.REV.XGRT.GD.ZS', dimensions: { SECTOR: 'S13' } }] } : { kind, path };
          const res = await send({ method: 'POST', path: '/api/v1/ingestions', token: secured.admin.token, body: JSON.stringify(spec) });
          expect([res.status, res.json?.error?.code], path).toEqual([400, 'SOURCE_PATH_NOT_ALLOWED']);
        },
      ),
      { ...RUNS, numRuns: 40 },
    );
  });
});

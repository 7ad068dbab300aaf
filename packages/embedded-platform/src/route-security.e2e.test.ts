import { setTimeout as sleep } from 'node:timers/promises';
import type { Permission } from '@nationpulse/domain';
import type { HttpRoute } from '@nationpulse/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startSecuredPlatform, type SecuredPlatform } from './testing/secured-platform.ts';

/**
 * Every route of every service that clients can reach, classified: public (with the reason it may
 * be), or the permission it needs (checked: 401 TOKEN_MISSING without a token, 401 TOKEN_INVALID
 * with a forged one, 403 PERMISSION_DENIED for a user holding every other permission, and the
 * admin gets through), or reserved to a report's owner. The routes come from the running services
 * themselves (Fastify's onRoute), so a route added without being classified here fails the test.
 */

/** A request the route accepts in shape; sent by the admin it changes nothing (unknown ids, incomplete bodies). */
interface Sample {
  readonly path: string;
  readonly body?: unknown;
}
type Rule =
  | { readonly public: string; readonly sample: Sample }
  | { readonly permission: Permission; readonly sample: Sample }
  /** Reporting: only the user who requested the report (or an admin); `:id` is replaced by a real report's id. */
  | { readonly owner: true; readonly sample: Sample };

const NO_USER = '00000000-0000-7000-8000-000000000000';
const get = (path: string): Sample => ({ path });
const post = (path: string, body: unknown = {}): Sample => ({ path, body });

const gatewayRules: Readonly<Record<string, Rule>> = {
  'GET /openapi.json': { public: 'the API description, no data', sample: get('/openapi.json') },
  'GET /health': { public: 'load balancer probe: up/down and breaker states only', sample: get('/health') },
  'GET /metrics': { public: 'Prometheus scrape (pod annotation): process and latency figures, no user data; keep it off the public ingress (docs/SECURITY.md)', sample: get('/metrics') },
  'POST /api/v1/auth/signin': { public: 'the credentials in the body are the authentication', sample: post('/api/v1/auth/signin') },
  'POST /api/v1/auth/refresh': { public: 'the refresh token in the body is the authentication', sample: post('/api/v1/auth/refresh') },
  'POST /api/v1/auth/signout': { public: 'the refresh token in the body is the authentication', sample: post('/api/v1/auth/signout') },
  'GET /docs': { public: 'the static API explorer', sample: get('/docs') },
  'GET /docs/docs.js': { public: 'the static API explorer', sample: get('/docs/docs.js') },
  'GET /docs/docs.css': { public: 'the static API explorer', sample: get('/docs/docs.css') },
  'GET /*': { public: "the web UI's static files (an /api/ path under it is a 404)", sample: get('/countries/FRA') },

  'GET /api/v1/auth/me': { permission: 'data:read', sample: get('/api/v1/auth/me') },
  'GET /api/v1/events': { permission: 'data:read', sample: get('/api/v1/events') },
  'GET /api/v1/countries': { permission: 'data:read', sample: get('/api/v1/countries') },
  'GET /api/v1/countries/:iso3': { permission: 'data:read', sample: get('/api/v1/countries/FRA') },
  'GET /api/v1/indicators': { permission: 'data:read', sample: get('/api/v1/indicators') },
  'GET /api/v1/series/:iso3/:indicator': { permission: 'data:read', sample: get('/api/v1/series/FRA/SP.POP.TOTL') },
  'GET /api/v1/rankings/:indicator': { permission: 'data:read', sample: get('/api/v1/rankings/SP.POP.TOTL') },
  'GET /api/v1/dashboard/:dashboard': { permission: 'data:read', sample: get('/api/v1/dashboard/population') },
  'GET /api/v1/compare/:indicator': { permission: 'data:read', sample: get('/api/v1/compare/SP.POP.TOTL?countries=FRA,DEU') },
  'GET /api/v1/ops/projections': { permission: 'data:read', sample: get('/api/v1/ops/projections') },
  'GET /api/v1/ops/pulse': { permission: 'data:read', sample: get('/api/v1/ops/pulse') },
  'GET /api/v1/ops/*': { permission: 'data:read', sample: get('/api/v1/ops/nothing-here') },
  'GET /api/v1/audit/series/:iso3/:indicator': { permission: 'audit:read', sample: get('/api/v1/audit/series/FRA/SP.POP.TOTL') },
  'GET /api/v1/audit/runs': { permission: 'audit:read', sample: get('/api/v1/audit/runs') },
  'GET /api/v1/audit/runs/:runId': { permission: 'audit:read', sample: get('/api/v1/audit/runs/no-such-run') },
  'GET /api/v1/audit/changes': { permission: 'audit:read', sample: get('/api/v1/audit/changes') },
  'GET /api/v1/asof': { permission: 'audit:read', sample: get('/api/v1/asof?at=2020-01-01T00:00:00Z&country=FRA') },
  'GET /api/v1/audit/access': { permission: 'audit:read', sample: get('/api/v1/audit/access') },
  'GET /api/v1/reports': { permission: 'reports:request', sample: get('/api/v1/reports') },
  'GET /api/v1/users': { permission: 'users:manage', sample: get('/api/v1/users') },
  'GET /api/v1/reports/:reportId': { permission: 'reports:request', sample: get('/api/v1/reports/no-such-report') },
  'GET /api/v1/reports/:reportId/file': { permission: 'reports:request', sample: get('/api/v1/reports/no-such-report/file') },
  'POST /api/v1/reports': { permission: 'reports:request', sample: post('/api/v1/reports') },
  'POST /api/v1/corrections': { permission: 'data:correct', sample: post('/api/v1/corrections') },
  'POST /api/v1/users': { permission: 'users:manage', sample: post('/api/v1/users') },
  'POST /api/v1/users/:userId/roles': { permission: 'users:manage', sample: post(`/api/v1/users/${NO_USER}/roles`, { role: 'viewer' }) },
  'DELETE /api/v1/users/:userId/roles/:role': { permission: 'users:manage', sample: get(`/api/v1/users/${NO_USER}/roles/viewer`) },
  'POST /api/v1/users/:userId/permissions': { permission: 'users:manage', sample: post(`/api/v1/users/${NO_USER}/permissions`, { permission: 'data:read' }) },
  'DELETE /api/v1/users/:userId/permissions/:permission': { permission: 'users:manage', sample: get(`/api/v1/users/${NO_USER}/permissions/data:read`) },
  'POST /api/v1/users/:userId/disable': { permission: 'users:manage', sample: post(`/api/v1/users/${NO_USER}/disable`) },
  'POST /api/v1/ingestions': { permission: 'ingestion:trigger', sample: post('/api/v1/ingestions') },
  'GET /api/v1/ingestions': { permission: 'ingestion:trigger', sample: get('/api/v1/ingestions') },
  'GET /api/v1/ingestions/:runId': { permission: 'ingestion:trigger', sample: get('/api/v1/ingestions/no-such-run') },
  'GET /api/v1/ingestions/*': { permission: 'ingestion:trigger', sample: get('/api/v1/ingestions/no-such-run/more') },
  'POST /api/v1/ingestions/*': { permission: 'ingestion:trigger', sample: post('/api/v1/ingestions/no-such-run/cancel') },
  'DELETE /api/v1/ingestions/*': { permission: 'ingestion:trigger', sample: get('/api/v1/ingestions/no-such-run') },
  'POST /api/v1/ops/projections/:name/rebuild': { permission: 'ops:manage', sample: post('/api/v1/ops/projections/no-such-projection/rebuild') },
  'POST /api/v1/ops/*': { permission: 'ops:manage', sample: post('/api/v1/ops/nothing-here') },
  'DELETE /api/v1/ops/*': { permission: 'ops:manage', sample: get('/api/v1/ops/nothing-here') },
};

/** Services behind the gateway that are reachable inside the cluster and check the caller themselves. */
const common = (service: string): Record<string, Rule> => ({
  'GET /openapi.json': { public: `the ${service} API description, no data`, sample: get('/openapi.json') },
  'GET /health': { public: 'liveness/readiness probe', sample: get('/health') },
  'GET /metrics': { public: 'Prometheus scrape inside the cluster', sample: get('/metrics') },
});
/** The write API validates a command before checking the permission, so these bodies are complete (and refused, so nothing is written). */
const writeApiRules: Readonly<Record<string, Rule>> = {
  ...common('write'),
  'GET /api/v1/commands': { public: 'the command catalogue: names and the permission each needs', sample: get('/api/v1/commands') },
  'POST /api/v1/users': { permission: 'users:manage', sample: post('/api/v1/users', { username: 'probe-user', password: 'a long probe password', roles: ['admin'] }) },
  'POST /api/v1/users/:userId/roles': { permission: 'users:manage', sample: post(`/api/v1/users/${NO_USER}/roles`, { role: 'admin' }) },
  'DELETE /api/v1/users/:userId/roles/:role': { permission: 'users:manage', sample: get(`/api/v1/users/${NO_USER}/roles/viewer`) },
  'POST /api/v1/users/:userId/permissions': { permission: 'users:manage', sample: post(`/api/v1/users/${NO_USER}/permissions`, { permission: 'users:manage' }) },
  'DELETE /api/v1/users/:userId/permissions/:permission': { permission: 'users:manage', sample: get(`/api/v1/users/${NO_USER}/permissions/data:read`) },
  'POST /api/v1/users/:userId/disable': { permission: 'users:manage', sample: post(`/api/v1/users/${NO_USER}/disable`, { reason: 'security probe' }) },
  'POST /api/v1/corrections': { permission: 'data:correct', sample: post('/api/v1/corrections', { country: 'FRA', indicator: 'SP.POP.TOTL', year: 2020, value: 1, reason: 'security probe' }) },
  'POST /api/v1/reports': { permission: 'reports:request', sample: post('/api/v1/reports', { spec: { kind: 'ranking', indicator: 'SP.POP.TOTL', year: 2020 }, format: 'csv' }) },
};
const ingestionRules: Readonly<Record<string, Rule>> = {
  ...common('ingestion'),
  'POST /api/v1/ingestions': { permission: 'ingestion:trigger', sample: post('/api/v1/ingestions', { kind: 'world-bank-csv', path: 'sp.pop.totl/data.csv' }) },
  'GET /api/v1/ingestions/:runId': { permission: 'ingestion:trigger', sample: get('/api/v1/ingestions/no-such-run') },
};
const reportingRules: Readonly<Record<string, Rule>> = {
  ...common('reporting'),
  'GET /api/v1/reports/:id': { owner: true, sample: get('/api/v1/reports/:id') },
  'GET /api/v1/reports/:id/file': { owner: true, sample: get('/api/v1/reports/:id/file') },
};

const key = (route: HttpRoute) => `${route.method} ${route.url}`;

let secured: SecuredPlatform;
let head: number;
/** A report requested by all-but-users:manage (which may request reports), generated before the checks start. */
let reportId: string;

beforeAll(async () => {
  secured = await startSecuredPlatform();
  const owner = secured.allBut['users:manage'].token;
  const requested = await call(secured.platform.urls.gateway, '/api/v1/reports', { method: 'POST', token: owner, body: { spec: { kind: 'ranking', indicator: 'SP.POP.TOTL', year: 2020 }, format: 'csv' } });
  expect(requested.status, requested.text).toBe(202);
  reportId = requested.json.reportId as string;
  // The saga appends the report's outcome: let it finish so that the event store stays still from here on.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await call(secured.platform.urls.gateway, `/api/v1/reports/${reportId}`, { token: owner });
    if (status.json?.status === 'ready' || status.json?.status === 'failed') break;
    if (Date.now() > deadline) throw new Error(`report ${reportId} still ${status.text}`);
    await sleep(100);
  }
  head = await secured.headPosition();
}, 120_000);
afterAll(async () => {
  await secured?.close();
});

/** An unsigned token for the admin: the signature check must refuse it. */
const forged = () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: secured.admin.userId, username: 'admin', iss: 'nationpulse', iat: now, nbf: now, exp: now + 300 })}.`;
};

const checkClassified = (service: string, routes: readonly HttpRoute[], rules: Readonly<Record<string, Rule>>) => {
  const registered = routes.map(key);
  const unclassified = registered.filter((r) => !(r in rules));
  const stale = Object.keys(rules).filter((r) => !registered.includes(r));
  expect(unclassified, `${service}: routes nobody classified — add each to the rules of route-security.e2e.test.ts with its permission or the reason it is public`).toEqual([]);
  expect(stale, `${service}: rules for routes that no longer exist`).toEqual([]);
};

const checkRoutes = async (service: string, base: string, routes: readonly HttpRoute[], rules: Readonly<Record<string, Rule>>, admin: boolean) => {
  const problems: string[] = [];
  const expectAnswer = (label: string, got: { status: number; json: any }, status: number, code?: string) => {
    if (got.status !== status || (code !== undefined && got.json?.error?.code !== code)) problems.push(`${label}: expected ${status}${code ? ` ${code}` : ''}, got ${got.status} ${JSON.stringify(got.json?.error ?? null)}`);
  };
  for (const route of routes) {
    const rule = rules[key(route)]!;
    const path = rule.sample.path.replace(':id', reportId);
    const send = (token?: string) =>
      call(base, path, { method: route.method, ...(token ? { token } : {}), ...(rule.sample.body !== undefined ? { body: rule.sample.body } : {}), headersOnly: route.url === '/api/v1/events' });
    const label = (who: string) => `${service} ${key(route)} (${path}) ${who}`;
    if ('public' in rule) {
      const res = await send();
      if (res.status === 401 || res.status >= 500) problems.push(`${label('without a token')}: a public route answered ${res.status}`);
      continue;
    }
    expectAnswer(label('without a token'), await send(), 401, 'TOKEN_MISSING');
    if (rule.sample.body !== undefined && service === 'gateway') {
      // The gateway checks the caller before it reads the body: a wrong one changes nothing.
      expectAnswer(label('without a token, with a body of the wrong shape'), await call(base, path, { method: route.method, body: '[1,"two",{"$gt":""}]' }), 401, 'TOKEN_MISSING');
    }
    expectAnswer(label('with an unsigned token'), await send(forged()), 401, 'TOKEN_INVALID');
    if ('owner' in rule) {
      expectAnswer(label('as another user'), await send(secured.allBut['audit:read'].token), 403, 'FORBIDDEN');
      // 200, or 409 for the file of a report that failed: either way, past the access check.
      const own = await send(secured.allBut['users:manage'].token);
      if (own.status !== 200 && own.status !== 409) problems.push(`${label('as its owner')}: ${own.status} ${own.text.slice(0, 200)}`);
      continue;
    }
    expectAnswer(label(`as a user with every permission but ${rule.permission}`), await send(secured.allBut[rule.permission].token), 403, 'PERMISSION_DENIED');
    if (admin) {
      const res = await send(secured.admin.token);
      if (res.status === 401 || res.status === 403 || res.status >= 500) problems.push(`${label('as the admin')}: answered ${res.status} ${res.text.slice(0, 200)}`);
    }
  }
  expect(problems).toEqual([]);
};

describe('authentication and authorisation on every route', () => {
  it('the gateway: every route is classified, and each answers as its class says', async () => {
    const { routes, urls } = secured.platform;
    checkClassified('gateway', routes.gateway, gatewayRules);
    await checkRoutes('gateway', urls.gateway, routes.gateway, gatewayRules, true);
    // The UI's catch-all leaves the API alone: an unknown API path is a 404, not the app shell.
    const unknown = await call(urls.gateway, '/api/v1/no-such-route', { token: secured.admin.token });
    expect([unknown.status, unknown.json?.error?.code]).toEqual([404, 'ROUTE_NOT_FOUND']);
  });

  it('the write API, the ingestion service and the reporting service check the caller themselves', async () => {
    const { routes, urls } = secured.platform;
    checkClassified('write API', routes.writeApi, writeApiRules);
    checkClassified('ingestion', routes.ingestion, ingestionRules);
    checkClassified('reporting', routes.reporting, reportingRules);
    await checkRoutes('write API', urls.writeApi, routes.writeApi, writeApiRules, false);
    await checkRoutes('ingestion', urls.ingestion, routes.ingestion, ingestionRules, false);
    await checkRoutes('reporting', urls.reporting!, routes.reporting, reportingRules, false);
  });

  it("a report's status and file are its requester's (or an admin's), through the gateway too", async () => {
    const gateway = secured.platform.urls.gateway;
    for (const path of [`/api/v1/reports/${reportId}`, `/api/v1/reports/${reportId}/file`]) {
      // all-but-audit:read may request reports, but did not request this one.
      const foreign = await call(gateway, path, { token: secured.allBut['audit:read'].token });
      expect([foreign.status, foreign.json?.error?.code], path).toEqual([403, 'FORBIDDEN']);
      const unknown = await call(gateway, path.replace(reportId, 'no-such-report'), { token: secured.allBut['audit:read'].token });
      expect([unknown.status, unknown.json?.error?.code], `${path}: an unknown report looks like a foreign one`).toEqual([403, 'FORBIDDEN']);
      expect([200, 409], path).toContain((await call(gateway, path, { token: secured.admin.token })).status);
    }
  });

  it('the services that do not authenticate (read API, projectors) listen on the loopback interface only', () => {
    const { urls } = secured.platform;
    for (const url of [urls.readApi, urls.projectors]) expect(new URL(url).hostname).toBe('127.0.0.1');
  });

  it('appended nothing: every refused request left the event store as it was', async () => {
    expect(await secured.headPosition()).toBe(head);
  });
});

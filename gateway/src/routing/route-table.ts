import { permissionSchema, roleSchema, type Permission } from '@nationpulse/domain';
import { z } from 'zod';

/** The services behind the gateway. */
export type UpstreamName = 'read-api' | 'write-api' | 'projectors' | 'ingestion' | 'reporting';

/** One public path the gateway forwards: where, and what the caller must be allowed to do. */
export interface ProxiedRoute {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Fastify path under /api/v1. */
  readonly path: string;
  readonly upstream: UpstreamName;
  readonly permission: Permission;
  readonly summary: string;
  readonly tag: string;
  readonly params?: z.ZodObject;
  readonly querystring?: z.ZodObject;
  readonly body?: z.ZodType;
  /** The answer's body streams through as it arrives (files) instead of being read whole first. */
  readonly stream?: boolean;
}

const code = (description: string) => z.string().min(1).max(64).describe(description);
const iso3 = z.object({ iso3: code('ISO 3166-1 alpha-3 country code, e.g. FRA') });
const indicator = z.object({ indicator: code('World Bank indicator code, e.g. SP.POP.TOTL') });
const userId = z.object({ userId: z.string().min(1).max(64) });
/** Queries accept more parameters (see each service's /openapi.json); these two are common to all. */
const consistency = {
  minPosition: z.string().regex(/^\d+$/).optional().describe("Read-your-writes: a command's position; the answer reflects at least it"),
};
const query = (shape: z.ZodRawShape = {}) => z.object({ ...shape, ...consistency }).loose();
const yearRange = { from: z.string().optional(), to: z.string().optional() };
/** Command bodies are validated in full by the service that runs them; the gateway checks their shape. */
const jsonObject = z.record(z.string(), z.unknown());

const read = (path: string, summary: string, tag: string, extra: Partial<ProxiedRoute> = {}): ProxiedRoute => ({
  method: 'GET',
  path,
  upstream: 'read-api',
  permission: 'data:read',
  summary,
  tag,
  querystring: query(),
  ...extra,
});
const command = (method: 'POST' | 'DELETE', path: string, permission: Permission, summary: string, tag: string, extra: Partial<ProxiedRoute> = {}): ProxiedRoute => ({
  method,
  path,
  upstream: 'write-api',
  permission,
  summary,
  tag,
  ...(method === 'POST' ? { body: jsonObject } : {}),
  ...extra,
});

/**
 * Every public path the gateway forwards, with the permission it requires (checked against the
 * permissions read model on every request). Queries go to the read API, commands to the write
 * API (which checks the permission again from the event store), operations to the projectors,
 * ingestion to the ingestion service, report files to the reporting service.
 */
export const proxiedRoutes: readonly ProxiedRoute[] = [
  read('/countries', 'Countries (and, on request, aggregates)', 'data', { querystring: query({ include: z.enum(['aggregates']).optional(), region: z.string().optional() }) }),
  read('/countries/:iso3', "A country's profile: the latest value of each indicator", 'data', { params: iso3 }),
  read('/indicators', 'The indicator catalogue', 'data'),
  read('/series/:iso3/:indicator', "A country's values of an indicator by year", 'data', { params: iso3.extend(indicator.shape), querystring: query(yearRange) }),
  read('/rankings/:indicator', 'Countries ranked by an indicator in a year', 'data', {
    params: indicator,
    querystring: query({ year: z.string().optional(), limit: z.string().optional(), order: z.enum(['desc', 'asc']).optional() }),
  }),
  read('/dashboard/:dashboard', 'A dashboard: population, health or gdp', 'data', {
    params: z.object({ dashboard: z.enum(['population', 'health', 'gdp']) }),
    querystring: query({ year: z.string().optional() }),
  }),
  read('/compare/:indicator', "Up to 10 countries' series side by side", 'data', { params: indicator, querystring: query({ countries: z.string(), ...yearRange }) }),
  read('/audit/series/:iso3/:indicator', 'Every change of a value: old → new, source, run, reason, actor, time', 'audit', {
    params: iso3.extend(indicator.shape),
    permission: 'audit:read',
    querystring: query({ year: z.string().optional() }),
  }),
  read('/audit/runs', 'Ingestion runs, newest first', 'audit', { permission: 'audit:read' }),
  read('/audit/runs/:runId', 'One ingestion run: counts, rejected rows, its changes', 'audit', { permission: 'audit:read', params: z.object({ runId: z.string().min(1) }) }),
  read('/audit/changes', 'Changes in a time window, by source or actor', 'audit', { permission: 'audit:read' }),
  read('/audit/access', 'Access changes: who granted or revoked which role or permission to whom, and when', 'audit', {
    permission: 'audit:read',
    querystring: query({ userId: z.string().optional(), from: z.string().optional(), to: z.string().optional(), limit: z.string().optional(), offset: z.string().optional() }),
  }),
  read('/asof', "A country's indicators as known at an instant", 'audit', { permission: 'audit:read', querystring: query({ at: z.string(), country: z.string() }) }),
  // The read API identifies the caller itself for these two (their answers depend on who asks).
  read('/reports', "The signed-in user's reports, newest first (an admin may pass requestedBy)", 'reports', {
    permission: 'reports:request',
    querystring: query({ requestedBy: z.string().optional(), limit: z.string().optional(), offset: z.string().optional() }),
  }),
  read('/users', 'Users with their roles, grants and effective permissions', 'users', {
    permission: 'users:manage',
    querystring: query({ limit: z.string().optional(), offset: z.string().optional() }),
  }),
  // One report's status and file come from its own stream, read by the reporting service.
  read('/reports/:reportId', "A report's status: pending, ready (with the file's size and SHA-256) or failed", 'reports', {
    permission: 'reports:request',
    params: z.object({ reportId: z.string().min(1) }),
    upstream: 'reporting',
  }),
  // The reporting service streams the artifact and checks the caller is its requester or an admin (403 FORBIDDEN).
  read('/reports/:reportId/file', "A generated report's file (its requester or an admin only)", 'reports', {
    permission: 'reports:request',
    params: z.object({ reportId: z.string().min(1) }),
    upstream: 'reporting',
    stream: true,
  }),

  command('POST', '/corrections', 'data:correct', 'Correct an observation (country, indicator, year, value, reason)', 'data'),
  command('POST', '/reports', 'reports:request', 'Request a report; the answer is its id, the outcome arrives on /api/v1/events', 'reports'),
  command('POST', '/users', 'users:manage', 'Register a user', 'users'),
  command('POST', '/users/:userId/roles', 'users:manage', 'Grant a role', 'users', { params: userId, body: z.object({ role: roleSchema }) }),
  command('DELETE', '/users/:userId/roles/:role', 'users:manage', 'Revoke a role', 'users', { params: userId.extend({ role: roleSchema }) }),
  command('POST', '/users/:userId/permissions', 'users:manage', 'Grant a permission', 'users', { params: userId, body: z.object({ permission: permissionSchema }) }),
  command('DELETE', '/users/:userId/permissions/:permission', 'users:manage', 'Revoke a permission', 'users', { params: userId.extend({ permission: permissionSchema }) }),
  command('POST', '/users/:userId/disable', 'users:manage', 'Disable a user', 'users', { params: userId }),

  { method: 'POST', path: '/ingestions', upstream: 'ingestion', permission: 'ingestion:trigger', summary: 'Start an ingestion run (source and its parameters); progress arrives on /api/v1/events', tag: 'ingestion', body: jsonObject },
  { method: 'GET', path: '/ingestions/:runId', upstream: 'ingestion', permission: 'ingestion:trigger', summary: "An ingestion run's progress", tag: 'ingestion', params: z.object({ runId: z.string().min(1) }) },

  { method: 'GET', path: '/ops/projections', upstream: 'projectors', permission: 'data:read', summary: 'Projections: position, lag, rebuild progress', tag: 'ops' },
  {
    method: 'POST',
    path: '/ops/projections/:name/rebuild',
    upstream: 'projectors',
    permission: 'ops:manage',
    summary: 'Rebuild a projection into a shadow copy, then swap it in',
    tag: 'ops',
    params: z.object({ name: z.string().min(1).max(64) }),
  },
];

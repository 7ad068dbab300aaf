/**
 * A stand-in for the gateway, for the UI's browser tests and page-speed benchmark until the real
 * gateway (issue 5) is merged. Queries go to the REAL read API (in-process), over read models the
 * REAL projectors build from real World Bank rows ingested by the REAL ingestion. Only the
 * gateway's own concerns are simulated here, following the public API contract: sign-in with
 * rotating refresh tokens (reuse revokes the family), permissions per route, users and roles,
 * reports (a timer plays the reporting saga), ingestion triggers, projection ops and SSE.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { rolePermissions, type Permission, type Role } from '@nationpulse/domain';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import { ingestWorldBankCsv } from '@nationpulse/ingestion';
import { createProjectors } from '@nationpulse/projectors';
import { buildReadApp, createReadSide } from '@nationpulse/read-api';

export const FIXTURES_DIR = fileURLToPath(new URL('./fixtures', import.meta.url));
export const WEB_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const DIST_DIR = join(WEB_DIR, 'dist');

export interface StandInUser {
  readonly username: string;
  readonly password: string;
  readonly roles: readonly Role[];
}

/** The stand-in's accounts (the real platform creates its first admin from configuration). */
export const standInUsers = {
  admin: { username: 'admin', password: 'correct horse battery', roles: ['admin'] },
  analyst: { username: 'ada', password: 'analytical engine', roles: ['analyst'] },
  viewer: { username: 'vic', password: 'just looking around', roles: ['viewer'] },
} as const satisfies Record<string, StandInUser>;

export interface StandInOptions {
  readonly distDir?: string;
  /** Access token lifetime; short values exercise the UI's refresh. Default 900 s. */
  readonly accessTokenTtlSeconds?: number;
  /** How long the simulated reporting saga takes. Default 800 ms. */
  readonly reportDelayMs?: number;
  /** Extra latency added to every API answer, to see loading states. */
  readonly apiLatencyMs?: number;
  readonly log?: (message: string) => void;
}

export interface StandInStats {
  refreshes: number;
  refreshReuseDetected: number;
  sseConnections: number;
  /** The access token passed as a query parameter on /api/v1/events (EventSource cannot send headers). */
  sseWithQueryToken: number;
}

export interface GatewayStandIn {
  readonly url: string;
  readonly stats: StandInStats;
  close(): Promise<void>;
}

interface UserRecord {
  userId: string;
  username: string;
  displayName: string;
  password: string;
  roles: Role[];
  grants: Permission[];
  disabled: boolean;
}

interface ReportRecord {
  reportId: string;
  requestedBy: string;
  spec: Record<string, unknown> & { kind: string };
  format: 'csv' | 'xlsx';
  status: 'requested' | 'generated' | 'failed';
  requestedAt: string;
  updatedAt: string;
  artifact: { fileName: string; contentType: string; sizeBytes: number; sha256: string } | null;
  rows: number | null;
  failure: { reason: string; message: string; attempts: number } | null;
  content: string | null;
}

interface IngestionRecord {
  runId: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  rowsRead: number;
  rowsChanged: number | null;
  rowsRejected: number;
  percent: number | null;
  failureReason: string | null;
  requestedBy: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const mime: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
const compressible = /^(text\/|application\/json|image\/svg)/;

const readBody = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 65_536) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', 'Body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'MALFORMED_JSON', 'The body is not valid JSON');
  }
};

const csvCell = (v: string) => {
  const s = v;
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Starts the stand-in on 127.0.0.1 (a free port): ingests the fixtures, projects them and serves the built UI. */
export const startGatewayStandIn = async (options: StandInOptions = {}): Promise<GatewayStandIn> => {
  const distDir = options.distDir ?? DIST_DIR;
  if (!existsSync(join(distDir, 'index.html'))) throw new Error(`No built UI in ${distDir}: run npm run build -w @nationpulse/web`);
  const ttl = options.accessTokenTtlSeconds ?? 900;
  const reportDelayMs = options.reportDelayMs ?? 800;
  const log = options.log ?? (() => undefined);
  const clock = { now: () => new Date() };

  const dir = mkdtempSync(join(os.tmpdir(), 'nationpulse-web-e2e-'));
  const eventStore = createSqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'normal' });
  const readStore = createSqliteReadStore({ path: join(dir, 'read.db') });

  // Real data through the real pipeline: the sample, then a revision with corrections and bad rows.
  const first = await ingestWorldBankCsv({ eventStore, clock, path: join(FIXTURES_DIR, 'wdi-sample'), trigger: 'startup' });
  const second = await ingestWorldBankCsv({ eventStore, clock, path: join(FIXTURES_DIR, 'wdi-revision'), trigger: 'manual', actor: 'data-team' });
  log(`ingested: ${first.rowsRead} + ${second.rowsRead} rows (${second.rowsRejected} rejected)`);
  const projectors = createProjectors({ eventStore, readStore, clock });
  await projectors.start();
  const caughtUp = async () => {
    const head = await eventStore.headPosition();
    for (let i = 0; i < 600; i++) {
      if ((await projectors.status()).every((s) => s.position >= head)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('projectors did not catch up');
  };
  await caughtUp();
  const { executor } = createReadSide({ readStore });
  const readApp = await buildReadApp({ executor, logger: false, health: async () => ({ ok: true, details: {} }) });
  await readApp.ready();

  // --- identity ---
  const users = new Map<string, UserRecord>();
  const addUser = (u: { username: string; password: string; roles: readonly Role[]; displayName?: string }) => {
    const record: UserRecord = { userId: randomUUID(), username: u.username, displayName: u.displayName ?? u.username, password: u.password, roles: [...u.roles], grants: [], disabled: false };
    users.set(record.userId, record);
    return record;
  };
  for (const u of Object.values(standInUsers)) addUser(u);
  const permissionsOf = (u: UserRecord): Permission[] => (u.disabled ? [] : [...new Set([...u.grants, ...u.roles.flatMap((r) => rolePermissions[r])])]);
  const publicUser = (u: UserRecord) => ({ userId: u.userId, username: u.username, displayName: u.displayName, roles: u.roles, grants: u.grants, permissions: permissionsOf(u), disabled: u.disabled });

  const accessTokens = new Map<string, { userId: string; exp: number; family: string }>();
  const refreshTokens = new Map<string, { userId: string; family: string; used: boolean }>();
  const revokedFamilies = new Set<string>();
  const stats: StandInStats = { refreshes: 0, refreshReuseDetected: 0, sseConnections: 0, sseWithQueryToken: 0 };
  let position = (await eventStore.headPosition()) + 1000;
  const nextPosition = () => ++position;

  const issue = (u: UserRecord, family: string) => {
    const now = Math.floor(Date.now() / 1000);
    const accessToken = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: u.userId, username: u.username, iat: now, exp: now + ttl, jti: randomUUID() })}.${randomBytes(8).toString('base64url')}`;
    const refreshToken = randomBytes(24).toString('base64url');
    accessTokens.set(accessToken, { userId: u.userId, exp: Date.now() + ttl * 1000, family });
    refreshTokens.set(refreshToken, { userId: u.userId, family, used: false });
    return { accessToken, refreshToken, expiresIn: ttl };
  };

  const authenticate = (req: IncomingMessage, url: URL): UserRecord => {
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7) : url.pathname === '/api/v1/events' ? url.searchParams.get('access_token') : null;
    if (!token) throw new HttpError(401, 'TOKEN_MISSING', 'Sign in first');
    const t = accessTokens.get(token);
    if (!t || revokedFamilies.has(t.family)) throw new HttpError(401, 'TOKEN_INVALID', 'Invalid token');
    if (t.exp < Date.now()) throw new HttpError(401, 'TOKEN_EXPIRED', 'The access token has expired');
    const u = users.get(t.userId);
    if (!u || u.disabled) throw new HttpError(401, 'TOKEN_INVALID', 'Unknown user');
    return u;
  };
  const requirePermission = (u: UserRecord, p: Permission) => {
    if (!permissionsOf(u).includes(p)) throw new HttpError(403, 'PERMISSION_DENIED', `${p} is needed`, { permission: p });
  };

  // --- live events ---
  const streams = new Map<string, Set<ServerResponse>>();
  const notify = (userId: string, type: string, data: unknown) => {
    for (const res of streams.get(userId) ?? []) res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  // --- reports: a timer plays the saga; the file holds real rows from the read API ---
  const reports = new Map<string, ReportRecord>();
  const query = async (path: string) => {
    const r = await readApp.inject({ method: 'GET', url: path });
    if (r.statusCode !== 200) throw new Error(`${path}: ${r.statusCode}`);
    return r.json<Record<string, unknown>>();
  };
  const reportRows = async (spec: ReportRecord['spec']): Promise<string[][]> => {
    if (spec.kind === 'ranking') {
      const r = (await query(`/api/v1/rankings/${String(spec['indicator'])}?year=${Number(spec['year'])}&order=${spec['order'] === 'asc' ? 'asc' : 'desc'}&limit=300`)) as { entries: { rank: number; country: string; name: string; value: number }[] };
      return [['rank', 'country', 'name', 'value'], ...r.entries.map((e) => [String(e.rank), e.country, e.name, String(e.value)])];
    }
    if (spec.kind === 'country-profile') {
      const profile = (await query(`/api/v1/countries/${String(spec['country'])}`)) as { indicators: { code: string }[] };
      const rows: string[][] = [['indicator', 'year', 'value']];
      for (const i of profile.indicators) {
        const s = (await query(`/api/v1/series/${String(spec['country'])}/${i.code}?from=${Number(spec['fromYear'])}&to=${Number(spec['toYear'])}`)) as { points: { year: number; value: number }[] };
        for (const p of s.points) rows.push([i.code, String(p.year), String(p.value)]);
      }
      return rows;
    }
    const rows: string[][] = [['country', 'year', 'value']];
    for (let y = Number(spec['fromYear']); y <= Number(spec['toYear']); y++) {
      const r = (await query(`/api/v1/rankings/${String(spec['indicator'])}?year=${y}&limit=300`)) as { entries: { country: string; value: number }[] };
      for (const e of r.entries) rows.push([e.country, String(y), String(e.value)]);
    }
    return rows;
  };
  const generate = (report: ReportRecord) =>
    setTimeout(() => {
      void reportRows(report.spec).then(
        (rows) => {
          const content = rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
          report.status = 'generated';
          report.content = content;
          report.rows = rows.length - 1;
          report.artifact = { fileName: `${report.spec.kind}-${report.reportId.slice(0, 8)}.csv`, contentType: 'text/csv; charset=utf-8', sizeBytes: Buffer.byteLength(content), sha256: '' };
          report.updatedAt = new Date().toISOString();
          notify(report.requestedBy, 'report.status', { reportId: report.reportId, status: report.status });
        },
        (error: unknown) => {
          report.status = 'failed';
          report.failure = { reason: 'error', message: error instanceof Error ? error.message : String(error), attempts: 1 };
          notify(report.requestedBy, 'report.status', { reportId: report.reportId, status: report.status });
        },
      );
    }, reportDelayMs);
  const publicReport = ({ content: _c, ...r }: ReportRecord) => r;

  // --- ingestions: the real ingestion, on the same event store the projectors follow ---
  const ingestions = new Map<string, IngestionRecord>();
  const startIngestion = (source: Record<string, unknown>, actor: UserRecord): IngestionRecord => {
    if (source['kind'] !== 'world-bank-csv') throw new HttpError(400, 'VALIDATION_FAILED', 'kind: only world-bank-csv', [{ path: 'kind' }]);
    const raw = typeof source['path'] === 'string' ? source['path'] : '';
    // Only the fixtures can be ingested here: a path is resolved inside them.
    const path = resolve(FIXTURES_DIR, normalize(raw).replace(/^([/\\])+/, ''));
    if (!path.startsWith(FIXTURES_DIR + sep) || !existsSync(path)) throw new HttpError(400, 'VALIDATION_FAILED', `path: not found: ${raw}`, [{ path: 'path' }]);
    const run: IngestionRecord = { runId: randomUUID(), status: 'running', rowsRead: 0, rowsChanged: null, rowsRejected: 0, percent: 0, failureReason: null, requestedBy: actor.userId };
    ingestions.set(run.runId, run);
    const push = () => notify(actor.userId, 'ingestion.progress', { ...run });
    void ingestWorldBankCsv({
      eventStore,
      clock,
      path,
      trigger: 'manual',
      actor: actor.userId,
      runId: run.runId,
      onProgress: (p) => {
        run.rowsRead = p.rowsRead;
        run.rowsRejected = p.rowsRejected;
        run.percent = p.total ? Math.round((p.done / p.total) * 100) : null;
        push();
      },
    }).then(
      async (s) => {
        await caughtUp();
        Object.assign(run, { status: s.status, rowsRead: s.rowsRead, rowsChanged: s.rowsChanged, rowsRejected: s.rowsRejected, percent: 100, failureReason: s.reason ?? null });
        push();
      },
      (e: unknown) => {
        Object.assign(run, { status: 'failed', failureReason: e instanceof Error ? e.message : String(e) });
        push();
      },
    );
    return run;
  };

  // --- routing ---
  const send = (req: IncomingMessage, res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}) => {
    const type = headers['content-type'] ?? 'application/json';
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && compressible.test(type) && buf.length > 512;
    const payload = gzip ? gzipSync(buf) : buf;
    res.writeHead(status, { ...headers, 'content-type': type, 'content-length': String(payload.length), vary: 'accept-encoding', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
    res.end(payload);
  };
  const json = (req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => send(req, res, status, JSON.stringify(body), headers);
  const command = (req: IncomingMessage, res: ServerResponse, status: number, body: Record<string, unknown>) => {
    const p = nextPosition();
    json(req, res, status, { ...body, position: p }, { 'x-position': String(p) });
  };

  const serveStatic = (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    const file = normalize(join(distDir, pathname === '/' ? 'index.html' : decodeURIComponent(pathname)));
    const target = file.startsWith(distDir) && existsSync(file) && statSync(file).isFile() ? file : join(distDir, 'index.html');
    const immutable = target.includes(`${sep}assets${sep}`);
    send(req, res, 200, readFileSync(target), { 'content-type': mime[extname(target)] ?? 'application/octet-stream', 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' });
  };

  const userOf = (id: string | undefined) => {
    const u = id ? users.get(id) : undefined;
    if (!u) throw new HttpError(404, 'USER_NOT_FOUND', `No user ${id ?? ''}`);
    return u;
  };
  const roleOf = (v: unknown): Role => {
    if (v === 'admin' || v === 'analyst' || v === 'viewer') return v;
    throw new HttpError(400, 'VALIDATION_FAILED', 'role: expected admin, analyst or viewer', [{ path: 'role' }]);
  };
  const permissionOf = (v: unknown): Permission => {
    if (typeof v === 'string' && Object.values(rolePermissions.admin).includes(v as Permission)) return v as Permission;
    throw new HttpError(400, 'VALIDATION_FAILED', 'permission: unknown', [{ path: 'permission' }]);
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const parts = path.split('/').slice(3); // after /api/v1

    if (path === '/api/v1/auth/signin' && method === 'POST') {
      const { username, password } = (await readBody(req)) as { username?: unknown; password?: unknown };
      const u = [...users.values()].find((x) => x.username === username && x.password === password && !x.disabled);
      if (!u) throw new HttpError(401, 'INVALID_CREDENTIALS', 'Wrong username or password');
      return json(req, res, 200, issue(u, randomUUID()));
    }
    if (path === '/api/v1/auth/refresh' && method === 'POST') {
      const { refreshToken } = (await readBody(req)) as { refreshToken?: unknown };
      const t = typeof refreshToken === 'string' ? refreshTokens.get(refreshToken) : undefined;
      if (!t || revokedFamilies.has(t.family)) throw new HttpError(401, 'REFRESH_TOKEN_INVALID', 'Sign in again');
      if (t.used) {
        // Reuse of a spent refresh token: someone else may hold it. The whole family is revoked.
        revokedFamilies.add(t.family);
        stats.refreshReuseDetected++;
        throw new HttpError(401, 'REFRESH_TOKEN_REUSED', 'Sign in again');
      }
      t.used = true;
      stats.refreshes++;
      return json(req, res, 200, issue(userOf(t.userId), t.family));
    }
    if (path === '/api/v1/auth/signout' && method === 'POST') {
      const { refreshToken } = (await readBody(req)) as { refreshToken?: unknown };
      const t = typeof refreshToken === 'string' ? refreshTokens.get(refreshToken) : undefined;
      if (t) revokedFamilies.add(t.family);
      return json(req, res, 200, { signedOut: true });
    }

    const me = authenticate(req, url);

    if (path === '/api/v1/events' && method === 'GET') {
      stats.sseConnections++;
      if (url.searchParams.has('access_token')) stats.sseWithQueryToken++;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write(': connected\n\n');
      const set = streams.get(me.userId) ?? new Set();
      set.add(res);
      streams.set(me.userId, set);
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      req.on('close', () => {
        clearInterval(ping);
        set.delete(res);
      });
      return;
    }
    if (path === '/api/v1/auth/me' && method === 'GET') return json(req, res, 200, publicUser(me));

    if (parts[0] === 'users') {
      requirePermission(me, 'users:manage');
      if (parts.length === 1 && method === 'GET') return json(req, res, 200, { users: [...users.values()].map(publicUser) });
      if (parts.length === 1 && method === 'POST') {
        const b = (await readBody(req)) as { username?: unknown; password?: unknown; roles?: unknown; displayName?: unknown };
        if (typeof b.username !== 'string' || !/^[a-z0-9._-]{3,40}$/i.test(b.username)) throw new HttpError(400, 'VALIDATION_FAILED', 'username: 3-40 letters, digits, . _ -', [{ path: 'username' }]);
        if (typeof b.password !== 'string' || b.password.length < 12) throw new HttpError(400, 'VALIDATION_FAILED', 'password: at least 12 characters', [{ path: 'password' }]);
        if ([...users.values()].some((u) => u.username === b.username)) throw new HttpError(409, 'USERNAME_TAKEN', `${b.username} is taken`);
        const roles = Array.isArray(b.roles) ? b.roles.map(roleOf) : ['viewer' as const];
        const u = addUser({ username: b.username, password: b.password, roles, ...(typeof b.displayName === 'string' ? { displayName: b.displayName } : {}) });
        return command(req, res, 201, { userId: u.userId });
      }
      const u = userOf(parts[1]);
      if (parts[2] === 'roles' && method === 'POST') {
        const role = roleOf(((await readBody(req)) as { role?: unknown }).role);
        if (!u.roles.includes(role)) u.roles.push(role);
        return command(req, res, 200, { userId: u.userId });
      }
      if (parts[2] === 'roles' && method === 'DELETE' && parts[3]) {
        const role = roleOf(decodeURIComponent(parts[3]));
        u.roles = u.roles.filter((r) => r !== role);
        return command(req, res, 200, { userId: u.userId });
      }
      if (parts[2] === 'permissions' && method === 'POST') {
        const permission = permissionOf(((await readBody(req)) as { permission?: unknown }).permission);
        if (!u.grants.includes(permission)) u.grants.push(permission);
        return command(req, res, 200, { userId: u.userId });
      }
      if (parts[2] === 'permissions' && method === 'DELETE' && parts[3]) {
        const permission = permissionOf(decodeURIComponent(parts[3]));
        u.grants = u.grants.filter((p) => p !== permission);
        return command(req, res, 200, { userId: u.userId });
      }
    }

    if (parts[0] === 'reports') {
      if (parts.length === 1 && method === 'POST') {
        requirePermission(me, 'reports:request');
        const b = (await readBody(req)) as { spec?: ReportRecord['spec']; format?: unknown };
        if (!b.spec || !['country-profile', 'indicator-all-countries', 'ranking'].includes(b.spec.kind)) throw new HttpError(400, 'VALIDATION_FAILED', 'spec.kind: unknown report', [{ path: 'spec.kind' }]);
        const now = new Date().toISOString();
        const report: ReportRecord = { reportId: randomUUID(), requestedBy: me.userId, spec: b.spec, format: b.format === 'xlsx' ? 'xlsx' : 'csv', status: 'requested', requestedAt: now, updatedAt: now, artifact: null, rows: null, failure: null, content: null };
        reports.set(report.reportId, report);
        generate(report);
        return command(req, res, 202, { reportId: report.reportId });
      }
      if (parts.length === 1 && method === 'GET') {
        return json(req, res, 200, { reports: [...reports.values()].filter((r) => r.requestedBy === me.userId).sort((a, b) => b.requestedAt.localeCompare(a.requestedAt)).map(publicReport) });
      }
      const report = parts[1] ? reports.get(parts[1]) : undefined;
      if (!report) throw new HttpError(404, 'REPORT_NOT_FOUND', `No report ${parts[1] ?? ''}`);
      if (report.requestedBy !== me.userId) throw new HttpError(403, 'PERMISSION_DENIED', 'Only the requester may read this report');
      if (parts.length === 2 && method === 'GET') return json(req, res, 200, publicReport(report));
      if (parts[2] === 'file' && method === 'GET') {
        if (report.status !== 'generated' || report.content === null) throw new HttpError(409, 'REPORT_NOT_READY', 'The report is not ready');
        return send(req, res, 200, report.content, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${report.artifact?.fileName ?? 'report.csv'}"` });
      }
    }

    if (parts[0] === 'ingestions') {
      requirePermission(me, 'ingestion:trigger');
      if (parts.length === 1 && method === 'POST') {
        const run = startIngestion((await readBody(req)) as Record<string, unknown>, me);
        return command(req, res, 202, { runId: run.runId });
      }
      const run = parts[1] ? ingestions.get(parts[1]) : undefined;
      if (!run) throw new HttpError(404, 'RUN_NOT_FOUND', `No ingestion run ${parts[1] ?? ''}`);
      return json(req, res, 200, run);
    }

    if (parts[0] === 'ops' && parts[1] === 'projections') {
      requirePermission(me, 'ops:manage');
      const all = await projectors.status();
      if (parts.length === 2 && method === 'GET') return json(req, res, 200, { projections: all });
      if (parts[3] === 'rebuild' && method === 'POST') {
        const name = parts[2] ?? '';
        if (!all.some((p) => p.name === name)) throw new HttpError(404, 'PROJECTION_NOT_FOUND', `No projection ${name}`);
        projectors.rebuild(name).catch((e: unknown) => log(`rebuild ${name} failed: ${String(e)}`));
        return json(req, res, 202, { projection: name, status: 'rebuilding' });
      }
    }

    // Queries: to the real read API.
    if (method === 'GET') {
      requirePermission(me, parts[0] === 'audit' || parts[0] === 'asof' ? 'audit:read' : 'data:read');
      const answer = await readApp.inject({ method: 'GET', url: `${path}${url.search}` });
      const headers: Record<string, string> = {};
      for (const h of ['x-position', 'etag', 'cache-control', 'retry-after']) {
        const v = answer.headers[h];
        if (v !== undefined) headers[h] = String(v);
      }
      headers['content-type'] = String(answer.headers['content-type'] ?? 'application/json');
      return send(req, res, answer.statusCode, answer.rawPayload, headers);
    }
    throw new HttpError(404, 'ROUTE_NOT_FOUND', `${method} ${path} is not a route`);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/api/')) return serveStatic(req, res, url.pathname);
    const delay = options.apiLatencyMs ?? 0;
    void new Promise((r) => setTimeout(r, delay))
      .then(() => handleApi(req, res, url))
      .catch((error: unknown) => {
        if (res.headersSent) return res.end();
        const e = error instanceof HttpError ? error : new HttpError(500, 'INTERNAL', error instanceof Error ? error.message : String(error));
        if (!(error instanceof HttpError)) log(`${req.method} ${url.pathname}: ${e.message}`);
        json(req, res, e.status, { error: { code: e.code, message: e.message, details: e.details ?? null } });
      });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    async close() {
      for (const set of streams.values()) for (const r of set) r.end();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await readApp.close();
      await projectors.stop();
      await readStore.close();
      await eventStore.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { permissions, type Permission } from '@nationpulse/domain';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import type { TokenService } from '@nationpulse/platform';
import { startEmbeddedPlatform, type EmbeddedPlatform } from '../embedded-platform.ts';
import { signInAsAdmin, testPlatformEnv } from './platform-env.ts';

/** One HTTP answer, read whole within a deadline (a hang fails the test instead of stalling it). */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body when it is JSON, else null. */
  readonly json: any;
}

export interface Call {
  readonly method?: string;
  readonly token?: string;
  /** A string is sent as it is (malformed JSON, huge bodies); anything else as JSON. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Only the status and headers of a success matter (event streams): its body is not waited for. */
  readonly headersOnly?: boolean;
  readonly timeoutMs?: number;
}

export const call = async (base: string, path: string, options: Call = {}): Promise<Answer> => {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`${options.method ?? 'GET'} ${path}: no answer within ${options.timeoutMs ?? 10_000} ms`)), options.timeoutMs ?? 10_000);
  try {
    const res = await fetch(`${base}${path}`, {
      method: options.method ?? 'GET',
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
      signal: controller.signal,
    });
    if (options.headersOnly && res.ok) {
      controller.abort();
      return { status: res.status, headers: res.headers, text: '', json: null };
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers, text, json };
  } finally {
    clearTimeout(timer);
  }
};

/**
 * One request sent exactly as given — the path is not normalised (`../` stays), nothing is
 * encoded — through node:http, answered within the deadline or failed as a hang.
 */
export const rawCall = (base: string, options: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number }): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const url = new URL(base);
    const timeoutMs = options.timeoutMs ?? 10_000;
    const req = httpRequest({ host: url.hostname, port: url.port, method: options.method, path: options.path, headers: { ...options.headers, ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          json = null;
        }
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        resolve({ status: res.statusCode ?? 0, headers, text, json });
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`${options.method} ${options.path}: no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(options.body);
  });

export interface SecuredPlatform {
  readonly platform: EmbeddedPlatform;
  readonly dataDir: string;
  /** Tokens signed with the platform's own secret (as sign-in issues them), for any user. */
  readonly tokens: TokenService;
  readonly admin: { readonly userId: string; readonly token: string };
  /** For each permission, a user holding every other permission (granted one by one, no role) but not that one. */
  readonly allBut: Readonly<Record<Permission, { readonly userId: string; readonly token: string }>>;
  /** The token signing secret (data/secrets/jwt.key): no answer may ever contain it. */
  readonly secret: string;
  /** The event store's head position, read from the platform's SQLite file. */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The whole embedded platform on ephemeral ports in a temporary folder, no demo data, rate limits
 * off (the security tests send many requests from one address), with the bootstrap admin and one
 * user per permission that holds all the others.
 */
export const startSecuredPlatform = async (env: Record<string, string> = {}): Promise<SecuredPlatform> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'np-security-'));
  // A stand-in UI build beside the data folder's secrets: static files are served, nothing above them is.
  mkdirSync(join(dataDir, 'ui', 'assets'), { recursive: true });
  writeFileSync(join(dataDir, 'ui', 'index.html'), '<!doctype html><title>NationPulse test UI</title>');
  writeFileSync(join(dataDir, 'ui', 'assets', 'app-0123abcd.js'), 'console.log("ui");');
  const platform = await startEmbeddedPlatform(
    testPlatformEnv(dataDir, { UI_DIST_DIR: join(dataDir, 'ui'), RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_IP_PER_MINUTE: '0', RATE_LIMIT_AUTH_PER_MINUTE: '0', ...env }),
  );
  const gateway = platform.urls.gateway;
  const events = createSqliteEventStore({ path: join(dataDir, 'events.db') });
  try {
    const { userId, token, tokens, secret } = await signInAsAdmin(dataDir);
    const admin = { userId, token };

    const allBut = {} as Record<Permission, { userId: string; token: string }>;
    for (const missing of permissions) {
      const username = `all-but-${missing.replace(':', '-')}`;
      const created = await call(gateway, '/api/v1/users', { method: 'POST', token: admin.token, body: { username, password: `${username} has a long password`, roles: [] } });
      if (created.status !== 201) throw new Error(`registering ${username}: ${created.status} ${created.text}`);
      const userId = created.json.userId as string;
      for (const permission of permissions.filter((p) => p !== missing)) {
        const granted = await call(gateway, `/api/v1/users/${userId}/permissions`, { method: 'POST', token: admin.token, body: { permission } });
        if (granted.status !== 200) throw new Error(`granting ${permission} to ${username}: ${granted.status} ${granted.text}`);
      }
      allBut[missing] = { userId, token: await tokens.issueAccessToken({ sub: userId, username }) };
    }
    // The gateway reads access from the users projection: wait until it shows every grant (the
    // user without data:read cannot ask /me, so it is checked on a route it may use).
    const deadline = Date.now() + 15_000;
    for (const missing of permissions) {
      const { token } = allBut[missing];
      for (;;) {
        const probe = missing === 'data:read' ? await call(gateway, '/api/v1/audit/runs', { token }) : await call(gateway, '/api/v1/auth/me', { token });
        if (missing === 'data:read' ? probe.status === 200 : (probe.json?.permissions as unknown[] | undefined)?.length === permissions.length - 1) break;
        if (Date.now() > deadline) throw new Error(`the users projection did not catch up for all-but-${missing}: ${probe.status} ${probe.text}`);
        await sleep(50);
      }
    }
    return {
      platform,
      dataDir,
      secret,
      tokens,
      admin,
      allBut,
      headPosition: () => events.headPosition(),
      async close() {
        await events.close();
        await platform.close();
      },
    };
  } catch (e) {
    await events.close();
    await platform.close();
    throw e;
  }
};

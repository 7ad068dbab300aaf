import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { credentials, Metadata } from '@grpc/grpc-js';
import { createTokenService, systemClock } from '@nationpulse/platform';
import { freePort, waitForHealth } from '@nationpulse/platform/testing';
import { loadHealthProto } from '@nationpulse/protos';
import { afterEach, describe, expect, it } from 'vitest';

const entry = join(import.meta.dirname, 'main.ts');

const running: ChildProcess[] = [];
const start = (env: Record<string, string>) => {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
};

afterEach(() => {
  for (const c of running.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('write-api process', () => {
  it('refuses a bad configuration value, naming the key', async () => {
    const proc = start({ WRITE_API_HTTP_PORT: 'eighty', NATIONPULSE_DATA_DIR: mkdtempSync(join(tmpdir(), 'np-wa-')) });
    expect(await proc.exited).toBe(2);
    expect(proc.stderr()).toMatch(/WRITE_API_HTTP_PORT/);
  });

  it('bootstraps the first admin, keeps its data across a restart and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'np-wa-'));
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const env = {
      NATIONPULSE_DATA_DIR: dataDir,
      WRITE_API_HTTP_PORT: String(httpPort),
      WRITE_API_GRPC_PORT: String(grpcPort),
      NATIONPULSE_ADMIN_USER: 'root-admin',
      NATIONPULSE_ADMIN_PASSWORD: 'a very long admin password',
    };
    const url = `http://127.0.0.1:${httpPort}`;

    const first = start(env);
    await waitForHealth(url);
    const { HealthClient } = loadHealthProto();
    const health = new HealthClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
    const status = await new Promise<string>((resolve, reject) =>
      health.Check({ service: '' }, new Metadata(), { deadline: Date.now() + 5000 }, (err, res) => (err ? reject(err) : resolve(String(res?.status)))),
    );
    health.close();
    expect(status).toBe('SERVING');
    // The gateway will issue tokens; here we sign one with the secret embedded mode generated.
    const secret = readFileSync(join(dataDir, 'secrets', 'jwt.key'), 'utf8');
    const tokens = createTokenService({ secret, issuer: 'nationpulse', accessTtlSeconds: 60, clock: systemClock });
    const adminId = await adminIdFrom(dataDir);
    const token = await tokens.issueAccessToken({ sub: adminId, username: 'root-admin' });
    const created = await fetch(`${url}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'kept-kim', password: 'another-long-password' }),
    });
    expect(created.status).toBe(201);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = start(env);
    await waitForHealth(url);
    const again = await fetch(`${url}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'kept-kim', password: 'another-long-password' }),
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('USERNAME_TAKEN');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});

/** Finds the bootstrapped admin's id the way an operator would: from the events, through a second connection to the file. */
async function adminIdFrom(dataDir: string): Promise<string> {
  const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
  try {
    for await (const e of store.readAll({ filter: { eventTypes: ['UserRegistered'] } })) {
      const data = e.data as { userId: string; username: string };
      if (data.username === 'root-admin') return data.userId;
    }
    throw new Error('no admin was bootstrapped');
  } finally {
    await store.close();
  }
}

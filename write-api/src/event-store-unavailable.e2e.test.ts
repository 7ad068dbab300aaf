import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createTokenService, newId, systemClock } from '@nationpulse/platform';
import { freePort, waitForHealth } from '@nationpulse/platform/testing';
import { afterEach, describe, expect, it } from 'vitest';

const entry = join(import.meta.dirname, 'main.ts');
const running: ChildProcess[] = [];
afterEach(() => {
  for (const c of running.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Another process holding the event store's write lock until it is killed (as a stuck writer would). */
const holdWriteLock = async (dbFile: string): Promise<ChildProcess> => {
  const script = `const db = new (require('better-sqlite3'))(process.argv[1]); db.exec('BEGIN IMMEDIATE'); process.stdout.write('locked\\n'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script, dbFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  running.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
  });
  return child;
};

const storedEvents = async (dataDir: string, type: string) => {
  const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
  try {
    const out: { streamId: string; idempotencyKey: unknown }[] = [];
    for await (const e of store.readAll({ filter: { eventTypes: [type] } })) out.push({ streamId: e.streamId, idempotencyKey: (e.metadata as { idempotencyKey?: unknown }).idempotencyKey });
    return out;
  } finally {
    await store.close();
  }
};

describe('write API with its event store unavailable', () => {
  it('answers 503 EVENT_STORE_UNAVAILABLE fast while the store is locked, acknowledges nothing, and takes the retry once the store is back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'np-wa-es-down-'));
    const seed = createSqliteEventStore({ path: join(dataDir, 'events.db') });
    await seed.append(
      'series-FRA-SP.POP.TOTL',
      [{
        type: 'ObservationsRecorded',
        data: { country: 'FRA', indicator: 'SP.POP.TOTL', source: 'file', runId: 'seed', changes: [{ year: 2020, value: 66_000_000, previous: null }] },
        metadata: { eventId: newId(), correlationId: 'seed', causationId: null, actor: 'system:seed', occurredAt: new Date().toISOString(), traceparent: null, source: 'test', schemaVersion: 1 },
      }],
      'no_stream',
    );
    await seed.close();
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      env: {
        ...process.env,
        LOG_LEVEL: 'silent',
        NATIONPULSE_DATA_DIR: dataDir,
        WRITE_API_HTTP_PORT: String(httpPort),
        WRITE_API_GRPC_PORT: String(grpcPort),
        NATIONPULSE_ADMIN_USER: 'admin',
        NATIONPULSE_ADMIN_PASSWORD: 'a very long admin password',
      },
      stdio: 'ignore',
    });
    running.push(child);
    const url = `http://127.0.0.1:${httpPort}`;
    await waitForHealth(url);

    const tokens = createTokenService({ secret: readFileSync(join(dataDir, 'secrets', 'jwt.key'), 'utf8'), issuer: 'nationpulse', accessTtlSeconds: 120, clock: systemClock });
    const admins = createSqliteEventStore({ path: join(dataDir, 'events.db') });
    let adminId = '';
    for await (const e of admins.readAll({ filter: { eventTypes: ['UserRegistered'] } })) adminId = (e.data as { userId: string }).userId;
    await admins.close();
    const token = await tokens.issueAccessToken({ sub: adminId, username: 'admin' });
    const correct = (key: string) =>
      fetch(`${url}/api/v1/corrections`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ country: 'FRA', indicator: 'SP.POP.TOTL', year: 2020, value: 67_000_000, reason: 'outage test' }),
        signal: AbortSignal.timeout(10_000),
      });

    const holder = await holdWriteLock(join(dataDir, 'events.db'));
    for (const key of ['outage-1', 'outage-2']) {
      const t0 = performance.now();
      const refused = await correct(key);
      const ms = performance.now() - t0;
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('EVENT_STORE_UNAVAILABLE');
      // The store's busy timeout (2 s) bounds it, under the gateway's 5 s upstream deadline.
      expect(ms, 'fails fast, never hangs').toBeLessThan(4_000);
    }
    expect(await storedEvents(dataDir, 'ObservationCorrected'), 'nothing acknowledged, nothing stored').toEqual([]);

    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    const accepted = await correct('outage-1');
    expect(accepted.status).toBe(201);
    const replayed = await correct('outage-1');
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(await storedEvents(dataDir, 'ObservationCorrected'), 'the retried command is stored exactly once').toHaveLength(1);
  });
});

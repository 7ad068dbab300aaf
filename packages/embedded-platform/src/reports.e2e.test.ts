import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createTokenService, newId, systemClock } from '@nationpulse/platform';
import { freePort, waitForHealth } from '@nationpulse/platform/testing';
import { afterAll, describe, expect, it } from 'vitest';

const entry = join(import.meta.dirname, 'main.ts');
const dataDir = mkdtempSync(join(tmpdir(), 'np-embedded-reports-'));
let child: ReturnType<typeof spawn> | null = null;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('reports on the embedded platform (npm start, no servers)', () => {
  it('a requested report becomes ready over the embedded SQLite log and downloads with its checksum', async () => {
    const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
    for (const [country, value] of [['FRA', 67_000_000], ['DEU', 83_000_000]] as const) {
      await store.append(
        `series-${country}-SP.POP.TOTL`,
        [{
          type: 'ObservationsRecorded',
          data: { country, indicator: 'SP.POP.TOTL', source: 'file', runId: 'seed', changes: [{ year: 2020, value, previous: null }] },
          metadata: { eventId: newId(), correlationId: 'seed', causationId: null, actor: 'system:seed', occurredAt: new Date().toISOString(), traceparent: null, source: 'test', schemaVersion: 1 },
        }],
        'no_stream',
      );
    }
    await store.close();
    const [w, r, p, wg, rg, rep] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
    child = spawn(process.execPath, ['--import', 'tsx', entry], {
      env: {
        ...process.env,
        NATIONPULSE_DATA_DIR: dataDir,
        WRITE_API_HTTP_PORT: String(w),
        WRITE_API_GRPC_PORT: String(wg),
        READ_API_HTTP_PORT: String(r),
        READ_API_GRPC_PORT: String(rg),
        PROJECTORS_HTTP_PORT: String(p),
        REPORTING_HTTP_PORT: String(rep),
        PORT: '0',
        INGESTION_HTTP_PORT: '0',
        INGESTION_GRPC_PORT: '0',
        NATIONPULSE_SEED_DEMO: 'false',
        NATIONPULSE_ADMIN_USER: 'admin',
        NATIONPULSE_ADMIN_PASSWORD: 'a long admin password',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const [writeUrl, reportingUrl] = [`http://127.0.0.1:${w}`, `http://127.0.0.1:${rep}`];
    await Promise.all([waitForHealth(writeUrl), waitForHealth(reportingUrl)]);

    const events = createSqliteEventStore({ path: join(dataDir, 'events.db') });
    let adminId = '';
    for await (const e of events.readAll({ filter: { eventTypes: ['UserRegistered'] } })) adminId = (e.data as { userId: string }).userId;
    await events.close();
    const tokens = createTokenService({ secret: readFileSync(join(dataDir, 'secrets', 'jwt.key'), 'utf8'), issuer: 'nationpulse', accessTtlSeconds: 60, clock: systemClock });
    const auth = { authorization: `Bearer ${await tokens.issueAccessToken({ sub: adminId, username: 'admin' })}` };

    const requested = await fetch(`${writeUrl}/api/v1/reports`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ spec: { kind: 'ranking', indicator: 'SP.POP.TOTL', year: 2020 }, format: 'csv' }),
    });
    expect([201, 202]).toContain(requested.status);
    const { reportId } = (await requested.json()) as { reportId: string };

    let report: { status: string; artifact: { sha256: string } | null } = { status: 'pending', artifact: null };
    const deadline = Date.now() + 30_000;
    while (report.status === 'pending' && Date.now() < deadline) {
      await sleep(100);
      report = (await (await fetch(`${reportingUrl}/api/v1/reports/${reportId}`, { headers: auth })).json()) as typeof report;
    }
    expect(report.status, stderr).toBe('ready');
    const file = await fetch(`${reportingUrl}/api/v1/reports/${reportId}/file`, { headers: auth });
    const body = Buffer.from(await file.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(report.artifact!.sha256);
    expect(body.toString().split('\r\n').slice(1, 3).map((l) => l.split(',')[1])).toEqual(['DEU', 'FRA']);

    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
  });
});

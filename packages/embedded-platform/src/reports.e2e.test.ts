import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { waitForHealth } from '@nationpulse/platform/testing';
import { seedPopulation } from '@nationpulse/platform/testing/seed';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts, signInAsAdmin, testPlatformEnv } from './testing/platform-env.ts';

const entry = join(import.meta.dirname, 'main.ts');
const dataDir = mkdtempSync(join(tmpdir(), 'np-embedded-reports-'));
let child: ReturnType<typeof spawn> | null = null;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('reports on the embedded platform (npm start, no servers)', () => {
  it('a requested report becomes ready over the embedded SQLite log and downloads with its checksum', async () => {
    const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
    await seedPopulation(store, { FRA: 67_000_000, DEU: 83_000_000 }, { expected: 'no_stream' });
    await store.close();
    const ports = await freePorts();
    child = spawn(process.execPath, ['--import', 'tsx', entry], {
      env: { ...process.env, ...testPlatformEnv(dataDir, { ...ports, PORT: '0', INGESTION_HTTP_PORT: '0', INGESTION_GRPC_PORT: '0', LOG_LEVEL: 'warn' }) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const [writeUrl, reportingUrl] = [`http://127.0.0.1:${ports.WRITE_API_HTTP_PORT}`, `http://127.0.0.1:${ports.REPORTING_HTTP_PORT}`];
    await Promise.all([waitForHealth(writeUrl), waitForHealth(reportingUrl)]);

    const auth = { authorization: `Bearer ${(await signInAsAdmin(dataDir, 60)).token}` };

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

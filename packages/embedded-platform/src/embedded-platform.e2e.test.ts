import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { waitForHealth } from '@nationpulse/platform/testing';
import { seedPopulation } from '@nationpulse/platform/testing/seed';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts, signInAsAdmin, testPlatformEnv } from './testing/platform-env.ts';

const entry = join(import.meta.dirname, 'main.ts');
const dataDir = mkdtempSync(join(tmpdir(), 'np-embedded-'));
let child: ReturnType<typeof spawn> | null = null;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

/** What ingestion (issue 4) will append: one ObservationsRecorded per series. */
const seed = async () => {
  const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
  await seedPopulation(store, { FRA: 67_000_000, DEU: 83_000_000, WLD: 7_800_000_000 }, { from: 2019, expected: 'no_stream' });
  await store.close();
};

describe('embedded platform (npm start)', () => {
  it('runs write API, projectors and read API in one process: a correction is readable at once with minPosition', async () => {
    await seed();
    const ports = await freePorts();
    child = spawn(process.execPath, ['--import', 'tsx', entry], {
      env: { ...process.env, ...testPlatformEnv(dataDir, { ...ports, REPORTING_HTTP_PORT: '0', LOG_LEVEL: 'warn' }) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const [writeUrl, readUrl, opsUrl, gatewayUrl] = [ports.WRITE_API_HTTP_PORT, ports.READ_API_HTTP_PORT, ports.PROJECTORS_HTTP_PORT, ports.PORT].map((port) => `http://127.0.0.1:${port}`) as [string, string, string, string];
    await Promise.all([waitForHealth(writeUrl), waitForHealth(readUrl), waitForHealth(opsUrl), waitForHealth(gatewayUrl)]);

    const series = await fetch(`${readUrl}/api/v1/series/FRA/SP.POP.TOTL?minPosition=3`);
    expect(series.status).toBe(200);
    expect(((await series.json()) as { points: { year: number; value: number }[] }).points.map((pt) => pt.value)).toEqual([66_999_000, 67_000_000]);

    // Sign in is the gateway's (issue 5); here a token is signed with the secret embedded mode generated.
    const { token } = await signInAsAdmin(dataDir, 60);

    const correction = await fetch(`${writeUrl}/api/v1/corrections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ country: 'FRA', indicator: 'SP.POP.TOTL', year: 2020, value: 67_100_000, reason: 'INSEE revision' }),
    });
    expect(correction.status).toBe(201);
    const { position } = (await correction.json()) as { position: number };

    const after = await fetch(`${readUrl}/api/v1/series/FRA/SP.POP.TOTL?minPosition=${position}`);
    expect(after.status).toBe(200);
    expect(Number(after.headers.get('x-position'))).toBeGreaterThanOrEqual(position);
    expect(((await after.json()) as { points: { year: number; value: number }[] }).points.at(-1)).toMatchObject({ year: 2020, value: 67_100_000 });
    const ranking = (await (await fetch(`${readUrl}/api/v1/rankings/SP.POP.TOTL?year=2020&minPosition=${position}`)).json()) as { entries: { country: string; value: number }[] };
    expect(ranking.entries.map((e) => [e.country, e.value])).toEqual([['DEU', 83_000_000], ['FRA', 67_100_000]]);

    const ops = (await (await fetch(`${opsUrl}/api/v1/ops/projections`)).json()) as { projections: { name: string; status: string }[] };
    expect(ops.projections.map((s) => s.status)).toEqual(ops.projections.map(() => 'live'));

    // The same through the gateway, as clients use it: sign in, then a query with the token.
    const signin = await fetch(`${gatewayUrl}/api/v1/auth/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'a long admin password' }),
    });
    expect(signin.status).toBe(200);
    const { accessToken } = (await signin.json()) as { accessToken: string };
    const viaGateway = await fetch(`${gatewayUrl}/api/v1/rankings/SP.POP.TOTL?year=2020&minPosition=${position}`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(viaGateway.status).toBe(200);
    expect(Number(viaGateway.headers.get('x-position'))).toBeGreaterThanOrEqual(position);
    expect((await fetch(`${gatewayUrl}/api/v1/rankings/SP.POP.TOTL`)).status).toBe(401);
    // The gateway's ingestion routes reach this process's ingestion service (INGESTION_URL), which answers for its runs.
    const ingestionRun = await fetch(`${gatewayUrl}/api/v1/ingestions/no-such-run`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(ingestionRun.status).toBe(404);
    expect(((await ingestionRun.json()) as { error: { code: string } }).error.code).toBe('RUN_NOT_FOUND');
    await waitForHealth(`http://127.0.0.1:${ports.INGESTION_HTTP_PORT}`);

    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
  });
});

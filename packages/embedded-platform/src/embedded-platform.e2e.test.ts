import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createTokenService, newId, systemClock } from '@nationpulse/platform';
import { freePort, waitForHealth } from '@nationpulse/platform/testing';
import { afterAll, describe, expect, it } from 'vitest';

const entry = join(import.meta.dirname, 'main.ts');
const dataDir = mkdtempSync(join(tmpdir(), 'np-embedded-'));
let child: ReturnType<typeof spawn> | null = null;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

/** What ingestion (issue 4) will append: one ObservationsRecorded per series. */
const seed = async () => {
  const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
  for (const [country, value] of [['FRA', 67_000_000], ['DEU', 83_000_000], ['WLD', 7_800_000_000]] as const) {
    await store.append(
      `series-${country}-SP.POP.TOTL`,
      [{
        type: 'ObservationsRecorded',
        data: { country, indicator: 'SP.POP.TOTL', source: 'file', runId: 'seed', changes: [{ year: 2019, value: value - 1000, previous: null }, { year: 2020, value, previous: null }] },
        metadata: { eventId: newId(), correlationId: 'seed', causationId: null, actor: 'system:seed', occurredAt: new Date().toISOString(), traceparent: null, source: 'test', schemaVersion: 1 },
      }],
      'no_stream',
    );
  }
  await store.close();
};

describe('embedded platform (npm start)', () => {
  it('runs write API, projectors and read API in one process: a correction is readable at once with minPosition', async () => {
    await seed();
    const [w, r, p, wg, rg, g, ih, ig] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
    child = spawn(process.execPath, ['--import', 'tsx', entry], {
      env: {
        ...process.env,
        NATIONPULSE_DATA_DIR: dataDir,
        WRITE_API_HTTP_PORT: String(w),
        WRITE_API_GRPC_PORT: String(wg),
        READ_API_HTTP_PORT: String(r),
        READ_API_GRPC_PORT: String(rg),
        PROJECTORS_HTTP_PORT: String(p),
        PORT: String(g),
        REPORTING_HTTP_PORT: '0',
        INGESTION_HTTP_PORT: String(ih),
        INGESTION_GRPC_PORT: String(ig),
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
    const [writeUrl, readUrl, opsUrl, gatewayUrl] = [`http://127.0.0.1:${w}`, `http://127.0.0.1:${r}`, `http://127.0.0.1:${p}`, `http://127.0.0.1:${g}`];
    await Promise.all([waitForHealth(writeUrl), waitForHealth(readUrl), waitForHealth(opsUrl), waitForHealth(gatewayUrl)]);

    const series = await fetch(`${readUrl}/api/v1/series/FRA/SP.POP.TOTL?minPosition=3`);
    expect(series.status).toBe(200);
    expect(((await series.json()) as { points: { year: number; value: number }[] }).points.map((pt) => pt.value)).toEqual([66_999_000, 67_000_000]);

    // Sign in is the gateway's (issue 5); here a token is signed with the secret embedded mode generated.
    const admin = createSqliteEventStore({ path: join(dataDir, 'events.db') });
    let adminId = '';
    for await (const e of admin.readAll({ filter: { eventTypes: ['UserRegistered'] } })) adminId = (e.data as { userId: string }).userId;
    await admin.close();
    const tokens = createTokenService({ secret: readFileSync(join(dataDir, 'secrets', 'jwt.key'), 'utf8'), issuer: 'nationpulse', accessTtlSeconds: 60, clock: systemClock });
    const token = await tokens.issueAccessToken({ sub: adminId, username: 'admin' });

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
    await waitForHealth(`http://127.0.0.1:${ih}`);

    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
  });
});

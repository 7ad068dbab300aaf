/**
 * Distributed mode as far as this machine allows: every service as its own OS process, started
 * with the entry point its container runs (`node --import tsx <service>/src/main.ts`, see
 * docker-compose.yml) and configured by environment variables only, talking HTTP and gRPC to each
 * other, with the REAL Redis (REDIS_URL), Kafka (KAFKA_BROKERS) and MongoDB-wire server
 * (MONGO_URL) the integration tests use, and the SQLite event store shared by file (the only event
 * store obtainable here; its subscriptions poll the file for other processes' appends).
 *
 * Everything a client does goes through the gateway. Each run uses its own Mongo database, Redis
 * key prefix, Kafka topics and consumer groups, and BullMQ queue. A missing server fails the suite
 * (never skips it), naming the server.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeProcesses, freePort, startServiceProcess, waitForHealth, type ServiceProcess } from '@nationpulse/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const servers = {
  REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  MONGO_URL: process.env['MONGO_URL'] ?? 'mongodb://127.0.0.1:27017',
  KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
};
const run = `dist-${randomUUID().slice(0, 8)}`;
const dataDir = mkdtempSync(join(tmpdir(), 'np-distributed-'));
const randomSecret = randomBytes(32).toString('hex');
const admin = { username: 'dist-admin', password: 'a long distributed admin password' };

/** Answers when a TCP connection to host:port opens within 2 s; otherwise throws naming the server. */
const reachable = (what: string, hostPort: string): Promise<void> =>
  new Promise((done, fail) => {
    const [host, port] = hostPort.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '').split(':') as [string, string];
    const socket = connect({ host, port: Number(port), timeout: 2_000 });
    const refuse = (why: string) => (socket.destroy(), fail(new Error(`${what} at ${hostPort} is not reachable (${why}): the distributed test needs the real servers (npm test starts them; or scripts/servers/up.sh)`)));
    socket.once('connect', () => (socket.end(), done()));
    socket.once('timeout', () => refuse('timeout'));
    socket.once('error', (e) => refuse(e.message));
  });

const ports = {
  write: 0, writeGrpc: 0, read: 0, readGrpc: 0, projectors: 0, ingestion: 0, ingestionGrpc: 0, reporting: 0, gateway: 0,
};
const url = (port: number) => `http://127.0.0.1:${port}`;
const processes: ServiceProcess[] = [];
const diagnose = () => describeProcesses(processes);

/** What every service shares: the adapters, this run's isolation, the token secret. */
const common = (): Record<string, string> => ({
  NATIONPULSE_DATA_DIR: dataDir,
  EVENT_STORE: 'sqlite',
  READ_STORE: 'mongodb',
  MONGO_URL: servers.MONGO_URL,
  MONGO_DATABASE: `np_${run.replace(/-/g, '_')}`,
  CACHE: 'redis',
  REDIS_URL: servers.REDIS_URL,
  REDIS_KEY_PREFIX: `${run}:`,
  JWT_SECRET: randomSecret,
  LOG_LEVEL: process.env['NATIONPULSE_E2E_LOG_LEVEL'] ?? 'warn', // 'info' to see every request in the failure messages
});

/** The six services as docker-compose.yml runs them, each with the keys its compose entry sets (ports made free). */
const serviceEnvs = (): Record<string, { entry: string; env: Record<string, string> }> => ({
  'write-api': {
    entry: 'write-api/src/main.ts',
    env: { WRITE_API_HTTP_PORT: String(ports.write), WRITE_API_GRPC_PORT: String(ports.writeGrpc), NATIONPULSE_ADMIN_USER: admin.username, NATIONPULSE_ADMIN_PASSWORD: admin.password },
  },
  projectors: { entry: 'projectors/src/main.ts', env: { PROJECTORS_HTTP_PORT: String(ports.projectors) } },
  'read-api': { entry: 'read-api/src/main.ts', env: { READ_API_HTTP_PORT: String(ports.read), READ_API_GRPC_PORT: String(ports.readGrpc) } },
  ingestion: {
    entry: 'ingestion/src/main.ts',
    env: {
      INGESTION_HTTP_PORT: String(ports.ingestion),
      INGESTION_GRPC_PORT: String(ports.ingestionGrpc),
      SCHEDULER: 'bullmq',
      INGESTION_QUEUE: run,
      INGESTION_FILE_ROOT: join(root, 'ingestion', 'src', 'testing', 'fixtures'),
    },
  },
  reporting: {
    entry: 'reporting/src/main.ts',
    env: {
      REPORTING_HTTP_PORT: String(ports.reporting),
      MESSAGE_BUS: 'kafka',
      KAFKA_BROKERS: servers.KAFKA_BROKERS,
      REPORT_COMMANDS_TOPIC: `${run}.reports.commands`,
      REPORT_EVENTS_TOPIC: `${run}.reports.events`,
      REPORT_DLQ_TOPIC: `${run}.reports.dlq`,
      REPORT_TOPIC_PARTITIONS: '2',
      REPORTING_GROUP_PREFIX: `${run}.`,
      ARTIFACT_STORE: 'gridfs',
      READ_API_GRPC_URL: `127.0.0.1:${ports.readGrpc}`,
    },
  },
  gateway: {
    entry: 'gateway/src/main.ts',
    env: {
      PORT: String(ports.gateway),
      READ_API_URL: url(ports.read),
      WRITE_API_URL: url(ports.write),
      PROJECTORS_URL: url(ports.projectors),
      INGESTION_URL: url(ports.ingestion),
      REPORTING_URL: url(ports.reporting),
      UI_DIST_DIR: join(dataDir, 'no-ui'),
    },
  },
});

const waitFor = async <T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let last: Error | null = null;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      last = e instanceof Error ? e : new Error(String(e));
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ''}\n${diagnose()}`);
    await sleep(150);
  }
};

const gateway = async (path: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
  fetch(`${url(ports.gateway)}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
/** The answer's JSON when its status is the expected one; otherwise the test fails with the body and every process's output. */
const expectJson = async <T>(res: Response, status: number, what: string): Promise<T> => {
  const text = await res.text();
  expect(res.status, `${what}: ${res.status} ${text}\n${diagnose()}`).toBe(status);
  return JSON.parse(text) as T;
};

beforeAll(async () => {
  await Promise.all([reachable('Redis', servers.REDIS_URL), reachable('the MongoDB-wire server', servers.MONGO_URL), reachable('Kafka', servers.KAFKA_BROKERS.split(',')[0]!)]);
  for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
  // All at once, as an orchestrator would: the services wait for nothing but their own stores.
  // (Six processes loading their modules on a busy 2-core machine take minutes: hence the long waits.)
  for (const [name, { entry, env }] of Object.entries(serviceEnvs())) processes.push(startServiceProcess(name, join(root, entry), { ...common(), ...env }, { cwd: root }));
  const healthy = [ports.write, ports.read, ports.projectors, ports.ingestion, ports.reporting, ports.gateway].map((p) => waitForHealth(url(p), 300_000));
  const results = await Promise.allSettled(healthy);
  const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r).reason));
  if (failed.length > 0) throw new Error(`services did not become healthy: ${failed.join('; ')}\n${diagnose()}`);
}, 420_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL', 5_000)));
});

describe('distributed platform: one process per service, real Redis, Kafka and MongoDB-wire server', () => {
  let token = '';

  it('serves the smoke flow through the gateway: sign-in, ingestion, reads, a report through Kafka, pulse, metrics', async () => {
    // The admin was bootstrapped by the write API; the gateway finds it once the projectors put it in MongoDB.
    token = await waitFor('the admin to sign in through the gateway', async () => {
      const res = await gateway('/api/v1/auth/signin', { method: 'POST', body: admin });
      return res.status === 200 ? ((await res.json()) as { accessToken: string }).accessToken : null;
    });

    // Ingestion: gateway → ingestion service (BullMQ lock in Redis) → SQLite event store.
    const accepted = await expectJson<{ runId: string }>(await gateway('/api/v1/ingestions', { method: 'POST', token, body: { kind: 'world-bank-csv', path: 'multi' } }), 202, 'ingestion trigger');
    const finished = await waitFor('the ingestion run to finish', async () => {
      const res = await gateway(`/api/v1/ingestions/${accepted.runId}`, { token });
      const body = (await res.json()) as { status: string; summary: { rowsRead: number; rowsRejected: number } | null; reason: string | null };
      return body.status === 'running' ? null : { body, position: res.headers.get('x-position') };
    });
    expect(finished.body, diagnose()).toMatchObject({ status: 'completed', summary: { rowsRead: 10, rowsRejected: 0 } });
    const minPosition = Number(finished.position);
    expect(minPosition).toBeGreaterThan(0);

    // Reads: gateway → read API → MongoDB read models the projectors process wrote (read-your-writes across processes).
    const ranking = await expectJson<{ entries: { country: string; value: number }[] }>(
      await gateway(`/api/v1/rankings/SP.POP.TOTL?year=2021&minPosition=${minPosition}`, { token }),
      200,
      'ranking',
    );
    expect(ranking.entries.map((e) => e.country).slice(0, 3)).toEqual(['FRA', 'BHS', 'ABW']);
    const series = await expectJson<{ points: { year: number; value: number }[] }>(await gateway(`/api/v1/series/FRA/SP.POP.TOTL?minPosition=${minPosition}`, { token }), 200, 'series');
    expect(series.points.map((p) => [p.year, p.value])).toEqual([[2019, 67_248_926], [2020, 67_571_107], [2021, 67_764_304]]);
    const profile = await expectJson<{ name: string; indicators: { code: string; year: number; value: number }[] }>(await gateway(`/api/v1/countries/FRA?minPosition=${minPosition}`, { token }), 200, 'country profile');
    expect(profile.name).toBe('France');
    expect(profile.indicators).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'SP.POP.TOTL', year: 2021, value: 67_764_304 }), expect.objectContaining({ code: 'SP.POP.GROW', year: 2020, value: 0.2 })]));

    // A report: gateway → write API (ReportRequested) → relay → Kafka → worker (read API over gRPC, GridFS) → Kafka → saga → ReportGenerated.
    const requested = await expectJson<{ reportId: string }>(
      await gateway('/api/v1/reports', { method: 'POST', token, body: { spec: { kind: 'ranking', indicator: 'SP.POP.TOTL', year: 2021 }, format: 'csv' } }),
      202,
      'report request',
    );
    const report = await waitFor(
      'the report to become ready through Kafka',
      async () => {
        const res = await gateway(`/api/v1/reports/${requested.reportId}`, { token });
        if (res.status !== 200) return null;
        const body = (await res.json()) as { status: string; failure?: unknown };
        if (body.status === 'failed') throw new Error(`report failed: ${JSON.stringify(body.failure)}`);
        return body.status === 'ready' ? body : null;
      },
      60_000,
    );
    expect(report).toMatchObject({ status: 'ready' });
    const file = await gateway(`/api/v1/reports/${requested.reportId}/file`, { token });
    const csv = await file.text();
    expect(file.status, csv).toBe(200);
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
    expect(csv).toContain('FRA');
    expect(csv).toContain('67764304');

    // Pulse: every upstream and the gateway's own stores, each up.
    const pulse = await expectJson<{ status: string; services: { name: string; status: string; details: Record<string, unknown> }[] }>(await gateway('/api/v1/ops/pulse', { token }), 200, 'pulse');
    expect(pulse.status).toBe('up');
    expect(pulse.services.map((s) => s.name).sort()).toEqual(['cache', 'event-store', 'ingestion', 'projectors', 'read-api', 'read-store', 'reporting', 'write-api']);
    expect(pulse.services.filter((s) => s.status !== 'up'), JSON.stringify(pulse)).toEqual([]);
    expect(pulse.services.find((s) => s.name === 'reporting')!.details).toMatchObject({ messageBus: { status: 'up' }, eventStore: { status: 'up' } });

    // /metrics of every process, with the metrics the Grafana dashboard and the issue name.
    const expected: Record<string, { port: number; metrics: string[] }> = {
      'write-api': { port: ports.write, metrics: ['nationpulse_http_request_duration_seconds', 'nationpulse_event_store_append_duration_seconds'] },
      'read-api': { port: ports.read, metrics: ['nationpulse_http_request_duration_seconds', 'nationpulse_grpc_server_duration_seconds'] },
      projectors: { port: ports.projectors, metrics: ['nationpulse_projection_position', 'nationpulse_projection_lag_positions', 'nationpulse_projection_events_total'] },
      ingestion: { port: ports.ingestion, metrics: ['nationpulse_ingestion_rows_total', 'nationpulse_ingestion_runs_total', 'nationpulse_event_store_append_duration_seconds'] },
      reporting: { port: ports.reporting, metrics: ['nationpulse_report_saga_outcomes_total', 'nationpulse_report_saga_duration_seconds', 'nationpulse_kafka_consumer_lag'] },
      gateway: { port: ports.gateway, metrics: ['nationpulse_http_request_duration_seconds', 'gateway_upstream_breaker_state'] },
    };
    for (const [name, { port, metrics }] of Object.entries(expected)) {
      const res = await fetch(`${url(port)}/metrics`, { signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      expect(res.status, `${name} /metrics`).toBe(200);
      for (const metric of metrics) expect(text, `${name} /metrics lacks ${metric}`).toMatch(new RegExp(`^${metric}(_bucket|_count)?\\{`, 'm'));
    }
    // Values that prove the work went where it should: rows counted by the ingestion process, the report by the saga, the lag read from Kafka.
    const reportingMetrics = await (await fetch(`${url(ports.reporting)}/metrics`)).text();
    expect(reportingMetrics).toMatch(/^nationpulse_report_saga_outcomes_total\{outcome="generated",reason="none"[^}]*\} 1$/m);
    expect(reportingMetrics).toMatch(new RegExp(`^nationpulse_kafka_consumer_lag\\{[^}]*topic="${run}\\.reports\\.commands"[^}]*\\} 0$`, 'm'));
    const ingestionMetrics = await (await fetch(`${url(ports.ingestion)}/metrics`)).text();
    expect(ingestionMetrics).toMatch(/^nationpulse_ingestion_rows_total\{[^}]*outcome="changed"[^}]*\} 10$/m);
  }, 240_000);

  it('stops every service on SIGTERM with exit code 0 within 15 s', async () => {
    const exits = await Promise.all(processes.map(async (p) => ({ name: p.name, ...(await p.stop('SIGTERM', 15_000)) })));
    const unclean = exits.filter((e) => e.code !== 0 || e.killed);
    expect(unclean, `${JSON.stringify(exits)}\n${diagnose()}`).toEqual([]);
  });
});

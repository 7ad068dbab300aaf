import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalArtifactStore } from '@nationpulse/embedded/local-artifact-store';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import { createKafkaMessageBus } from '@nationpulse/kafka';
import { createTokenService, newId, parseConfig, systemClock, type RunningService } from '@nationpulse/platform';
import type { DeliveredMessage } from '@nationpulse/ports';
import { projectorsConfigSchema, startProjectorsService } from '@nationpulse/projectors';
import { readApiConfigSchema, startReadApiService } from '@nationpulse/read-api';
import { jwtSecret, startWriteApiService, writeApiConfigSchema } from '@nationpulse/write-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportingConfigSchema } from './config.ts';
import type { DeadLetter } from './messages.ts';
import { startReportingService } from './service.ts';

/**
 * The reporting saga end to end over the REAL broker (KAFKA_BROKERS): write API, projectors and
 * read API in this process on one SQLite event store; the relay, saga and HTTP side in this
 * process too; workers as child processes (so one can be SIGKILLed). A TCP proxy in front of
 * the read API's gRPC port can hold its answers, to catch a worker mid-generation.
 *
 * The broker outage is tested on a private broker in kafka-outage.e2e.test.ts: the shared one is
 * never stopped.
 */
const brokers = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';

const run = `e2e-${randomUUID().slice(0, 8)}`;
const dataDir = mkdtempSync(join(tmpdir(), 'np-reporting-e2e-'));
const topics = { commands: `${run}.reports.commands`, events: `${run}.reports.events`, dlq: `${run}.reports.dlq` };

const waitFor = async <T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
};

/** Forwards TCP to the read API's gRPC port; while `held`, answers are kept back (the worker waits mid-generation). */
const holdingProxy = async (targetPort: number) => {
  let held = false;
  let bytesFromClients = 0;
  const pending: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (d) => {
      bytesFromClients += d.length;
      upstream.write(d);
    });
    upstream.on('data', (d) => (held ? pending.push(() => client.write(d)) : client.write(d)));
    const end = () => (client.destroy(), upstream.destroy());
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    address: `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    hold: () => void (held = true),
    release: () => {
      held = false;
      for (const write of pending.splice(0)) write();
    },
    traffic: () => bytesFromClients,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

describe('reporting saga over Kafka (e2e)', () => {
  const eventStore = createSqliteEventStore({ path: join(dataDir, 'events.db') });
  const readStore = createSqliteReadStore({ path: join(dataDir, 'read.db') });
  const artifacts = createLocalArtifactStore({ root: join(dataDir, 'reports') });
  const services: RunningService[] = [];
  const workers = new Set<ChildProcess>();
  let proxy: Awaited<ReturnType<typeof holdingProxy>>;
  let writeUrl = '';
  let reportingUrl = '';
  let relay: RunningService | null = null;
  const tokens: Record<'admin' | 'ada' | 'bob', string> = { admin: '', ada: '', bob: '' };

  const env: Record<string, string> = {
    NATIONPULSE_DATA_DIR: dataDir,
    MESSAGE_BUS: 'kafka',
    KAFKA_BROKERS: brokers,
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    REPORT_COMMANDS_TOPIC: topics.commands,
    REPORT_EVENTS_TOPIC: topics.events,
    REPORT_DLQ_TOPIC: topics.dlq,
    REPORTING_GROUP_PREFIX: `${run}.`,
    REPORT_TIMEOUT_MS: '60000',
    REPORT_WORKER_RETRY_MS: '300',
    REPORTING_HTTP_PORT: '0',
    LOG_LEVEL: 'warn',
  };
  const reporting = (roles: string) => startReportingService(parseConfig(reportingConfigSchema, { ...env, REPORTING_ROLES: roles, READ_API_GRPC_URL: proxy.address }), { eventStore, readStore });

  const startWorker = (): ChildProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'main.ts')], {
      env: { ...process.env, ...env, REPORTING_ROLES: 'worker', READ_API_GRPC_URL: proxy.address },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code, signal) => {
      workers.delete(child);
      if (code !== 0 && signal !== 'SIGKILL' && signal !== 'SIGTERM') process.stderr.write(`worker exited ${code ?? signal}: ${stderr.slice(-2000)}\n`);
    });
    workers.add(child);
    return child;
  };

  const post = async (path: string, token: string, body: unknown) => {
    const res = await fetch(`${writeUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect([201, 202], await res.clone().text()).toContain(res.status);
    return (await res.json()) as Record<string, unknown>;
  };
  const requestReport = async (spec: unknown) => (await post('/api/v1/reports', tokens.ada, { spec, format: 'csv' }))['reportId'] as string;
  const status = async (reportId: string, token = tokens.ada) => {
    const res = await fetch(`${reportingUrl}/api/v1/reports/${reportId}`, { headers: { authorization: `Bearer ${token}` } });
    return { code: res.status, body: (await res.json()) as { status: string; failure: { reason: string } | null; artifact: { sha256: string; sizeBytes: number } | null; error?: { code: string } } };
  };
  const settled = (reportId: string, timeoutMs: number) =>
    waitFor(`report ${reportId} to finish`, async () => {
      const s = await status(reportId);
      return s.body.status === 'ready' || s.body.status === 'failed' ? s.body : null;
    }, timeoutMs);

  beforeAll(async () => {
    for (const [country, value] of [['FRA', 67_000_000], ['DEU', 83_000_000], ['ITA', 59_000_000]] as const) {
      await eventStore.append(
        `series-${country}-SP.POP.TOTL`,
        [{
          type: 'ObservationsRecorded',
          data: { country, indicator: 'SP.POP.TOTL', source: 'file', runId: 'seed', changes: [{ year: 2019, value: value - 1000, previous: null }, { year: 2020, value, previous: null }] },
          metadata: { eventId: newId(), correlationId: 'seed', causationId: null, actor: 'system:seed', occurredAt: new Date().toISOString(), traceparent: null, source: 'test', schemaVersion: 1 },
        }],
        'no_stream',
      );
    }
    const base = { NATIONPULSE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    const writeConfig = parseConfig(writeApiConfigSchema, { ...base, WRITE_API_HTTP_PORT: '0', WRITE_API_GRPC_PORT: '0' });
    const write = await startWriteApiService(writeConfig, { eventStore, admin: { username: 'admin', password: 'a long admin password' } });
    services.push(write);
    writeUrl = write.httpUrl;
    services.push(await startProjectorsService(parseConfig(projectorsConfigSchema, { ...base, PROJECTORS_HTTP_PORT: '0' }), { eventStore, readStore }));
    const read = await startReadApiService(parseConfig(readApiConfigSchema, { ...base, READ_API_HTTP_PORT: '0', READ_API_GRPC_PORT: '0' }), { readStore });
    services.push(read);
    proxy = await holdingProxy(read.grpcPort);

    const signer = createTokenService({ secret: jwtSecret(writeConfig), issuer: 'nationpulse', accessTtlSeconds: 3600, clock: systemClock });
    let adminId = '';
    for await (const e of eventStore.readAll({ filter: { eventTypes: ['UserRegistered'] } })) adminId = (e.data as { userId: string }).userId;
    tokens.admin = await signer.issueAccessToken({ sub: adminId, username: 'admin' });
    const ada = await post('/api/v1/users', tokens.admin, { username: 'ada', password: 'ada has a long password', roles: ['analyst'] });
    const bob = await post('/api/v1/users', tokens.admin, { username: 'bob', password: 'bob has a long password', roles: ['viewer'] });
    tokens.ada = await signer.issueAccessToken({ sub: ada['userId'] as string, username: 'ada' });
    tokens.bob = await signer.issueAccessToken({ sub: bob['userId'] as string, username: 'bob' });

    const core = await reporting('saga,http');
    services.push(core);
    reportingUrl = core.httpUrl!;
    relay = await reporting('relay');
    startWorker();
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await relay?.close();
    for (const s of services.reverse()) await s.close().catch(() => undefined);
    await proxy?.close();
    await Promise.allSettled([eventStore.close(), readStore.close(), artifacts.close()]);
  }, 200_000);

  it('generates a report requested through the write API: ready, stored, downloadable with its checksum, by the requester and admins only', async () => {
    const reportId = await requestReport({ kind: 'ranking', indicator: 'SP.POP.TOTL', year: 2020, order: 'desc' });
    const done = await settled(reportId, 60_000);
    expect(done.status).toBe('ready');

    const file = await fetch(`${reportingUrl}/api/v1/reports/${reportId}/file`, { headers: { authorization: `Bearer ${tokens.ada}` } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/^text\/csv/);
    const bytes = Buffer.from(await file.arrayBuffer());
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(sha).toBe(done.artifact!.sha256);
    expect(file.headers.get('x-checksum-sha256')).toBe(sha);
    expect(bytes.length).toBe(done.artifact!.sizeBytes);
    expect(bytes.toString('utf8').trim().split('\r\n')).toEqual([
      'rank,country,country_name,indicator,indicator_name,unit,year,value',
      expect.stringMatching(/^1,DEU,Germany,SP\.POP\.TOTL,.*,2020,83000000$/),
      expect.stringMatching(/^2,FRA,France,SP\.POP\.TOTL,.*,2020,67000000$/),
      expect.stringMatching(/^3,ITA,Italy,SP\.POP\.TOTL,.*,2020,59000000$/),
    ]);
    expect(await artifacts.list(`${reportId}/`)).toHaveLength(1);

    // Someone else: 403 FORBIDDEN for the file and the status; no token: 401; an admin may.
    const foreign = await fetch(`${reportingUrl}/api/v1/reports/${reportId}/file`, { headers: { authorization: `Bearer ${tokens.bob}` } });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    expect((await status(reportId, tokens.bob)).code).toBe(403);
    expect((await fetch(`${reportingUrl}/api/v1/reports/${reportId}/file`)).status).toBe(401);
    expect((await fetch(`${reportingUrl}/api/v1/reports/${reportId}/file`, { headers: { authorization: `Bearer ${tokens.admin}` } })).status).toBe(200);

    const metrics = await (await fetch(`${reportingUrl}/metrics`)).text();
    expect(metrics).toMatch(/nationpulse_report_saga_outcomes_total\{outcome="generated",reason="none"\} [1-9]/);
  });

  it('sends a poison command to the DLQ with its error, and the report fails cleanly', async () => {
    // The relay is stopped, so the poison message is the report's only command for now.
    await relay!.close();
    relay = null;
    const reportId = await requestReport({ kind: 'ranking', indicator: 'SP.POP.TOTL', year: 2019, order: 'asc' });
    const bus = createKafkaMessageBus({ brokers: brokers.split(','), clientId: `${run}-test` });
    const letters: DeliveredMessage[] = [];
    try {
      await bus.publish(topics.commands, [{ key: reportId, value: '{"type":"GenerateReport", this is not JSON' }]);
      const done = await settled(reportId, 60_000);
      expect(done.status).toBe('failed');
      expect(done.failure?.reason).toBe('invalid');

      await bus.subscribe({ groupId: `${run}-dlq-reader`, topics: [topics.dlq], handler: async (m) => void letters.push(m) });
      const letter = await waitFor('the dead letter', async () => letters.find((m) => m.key === reportId), 30_000);
      const parsed = JSON.parse(letter.value) as DeadLetter;
      expect(parsed.error.code).toBe('MESSAGE_UNDECODABLE');
      expect(parsed.value).toBe('{"type":"GenerateReport", this is not JSON');
      expect(parsed.source).toMatchObject({ topic: topics.commands, consumer: `${run}.reporting-worker` });
    } finally {
      await bus.close();
    }

    // The relay resumes from its checkpoint and publishes the real command late: the report stays failed.
    relay = await reporting('relay');
    await waitFor('the late artifact', async () => (await artifacts.list(`${reportId}/`)).length > 0, 60_000);
    await sleep(1_500);
    expect((await status(reportId)).body.status).toBe('failed');
  });

  it('leaves exactly one artifact when a worker is SIGKILLed mid-generation', async () => {
    const [victim] = [...workers];
    proxy.hold();
    const before = proxy.traffic();
    const reportId = await requestReport({ kind: 'indicator-all-countries', indicator: 'SP.POP.TOTL', fromYear: 2019, toYear: 2020 });
    await waitFor('the worker to be reading the data', async () => proxy.traffic() > before, 60_000);
    await sleep(300);
    expect(existsSync(join(dataDir, 'reports', reportId))).toBe(false);
    victim!.kill('SIGKILL');
    proxy.release();
    startWorker();

    const done = await settled(reportId, 90_000);
    expect(done.status).toBe('ready');
    const stored = await artifacts.list(`${reportId}/`);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.sha256).toBe(done.artifact!.sha256);
    const body = Buffer.from(await (await fetch(`${reportingUrl}/api/v1/reports/${reportId}/file`, { headers: { authorization: `Bearer ${tokens.ada}` } })).arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(done.artifact!.sha256);
    expect(body.toString().trim().split('\r\n')).toHaveLength(1 + 3 * 2);
  }, 150_000);
});

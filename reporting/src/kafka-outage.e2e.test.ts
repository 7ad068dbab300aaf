import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalArtifactStore } from '@nationpulse/embedded/local-artifact-store';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import { createTokenService, newId, parseConfig, systemClock, type RunningService } from '@nationpulse/platform';
import { startPrivateServer, type PrivateServer } from '@nationpulse/platform/testing/private-servers';
import { projectorsConfigSchema, startProjectorsService } from '@nationpulse/projectors';
import { readApiConfigSchema, startReadApiService } from '@nationpulse/read-api';
import { jwtSecret, startWriteApiService, writeApiConfigSchema } from '@nationpulse/write-api';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { reportingConfigSchema } from './config.ts';
import { startReportingService } from './service.ts';

/**
 * The Kafka broker stopped and started again while reports are requested: a PRIVATE broker (its
 * own ports and state, started with scripts/servers/kafka.sh; the shared one on 9092 is never
 * touched), the write API, projectors and read API on one SQLite event store, and every role of
 * the reporting service (relay, worker, saga, HTTP) in this process. Fails (never skips) when
 * Java or the Kafka jars are missing.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'np-kafka-outage-'));
const eventStore = createSqliteEventStore({ path: join(dataDir, 'events.db') });
const readStore = createSqliteReadStore({ path: join(dataDir, 'read.db') });
const artifacts = createLocalArtifactStore({ root: join(dataDir, 'reports') });
const services: RunningService[] = [];
let kafka: PrivateServer | null = null;

afterAll(async () => {
  for (const s of services.reverse()) await s.close().catch(() => undefined);
  await Promise.allSettled([eventStore.close(), readStore.close(), artifacts.close()]);
  await kafka?.close();
}, 120_000);

interface Request { readonly status: number; readonly reportId: string | null; readonly ms: number; readonly at: number }

describe('Kafka stopped and started again while reports are requested', () => {
  it('acknowledges requests only once stored, loses none, shows the bus down then up, and finishes every report after the broker returns', async () => {
    kafka = await startPrivateServer('kafka');
    for (const [country, value] of [['FRA', 67_000_000], ['DEU', 83_000_000]] as const) {
      await eventStore.append(
        `series-${country}-SP.POP.TOTL`,
        [{
          type: 'ObservationsRecorded',
          data: { country, indicator: 'SP.POP.TOTL', source: 'file', runId: 'seed', changes: [{ year: 2020, value, previous: null }] },
          metadata: { eventId: newId(), correlationId: 'seed', causationId: null, actor: 'system:seed', occurredAt: new Date().toISOString(), traceparent: null, source: 'test', schemaVersion: 1 },
        }],
        'no_stream',
      );
    }
    const base = { NATIONPULSE_DATA_DIR: dataDir, LOG_LEVEL: process.env['OUTAGE_LOG_LEVEL'] ?? 'silent' };
    const writeConfig = parseConfig(writeApiConfigSchema, { ...base, WRITE_API_HTTP_PORT: '0', WRITE_API_GRPC_PORT: '0' });
    const write = await startWriteApiService(writeConfig, { eventStore, admin: { username: 'admin', password: 'a long admin password' } });
    services.push(write);
    services.push(await startProjectorsService(parseConfig(projectorsConfigSchema, { ...base, PROJECTORS_HTTP_PORT: '0' }), { eventStore, readStore }));
    const read = await startReadApiService(parseConfig(readApiConfigSchema, { ...base, READ_API_HTTP_PORT: '0', READ_API_GRPC_PORT: '0' }), { readStore });
    services.push(read);
    const run = `outage-${randomUUID().slice(0, 8)}`;
    const reporting = await startReportingService(
      parseConfig(reportingConfigSchema, {
        ...base,
        MESSAGE_BUS: 'kafka',
        KAFKA_BROKERS: kafka.url,
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        REPORT_COMMANDS_TOPIC: `${run}.reports.commands`,
        REPORT_EVENTS_TOPIC: `${run}.reports.events`,
        REPORT_DLQ_TOPIC: `${run}.reports.dlq`,
        REPORTING_GROUP_PREFIX: `${run}.`,
        REPORT_TIMEOUT_MS: '120000',
        REPORT_WORKER_RETRY_MS: '300',
        REPORTING_HTTP_PORT: '0',
        REPORTING_ROLES: 'relay,worker,saga,http',
        READ_API_GRPC_URL: `127.0.0.1:${read.grpcPort}`,
      }),
      { eventStore, readStore, artifacts },
    );
    services.push(reporting);

    const signer = createTokenService({ secret: jwtSecret(writeConfig), issuer: 'nationpulse', accessTtlSeconds: 3600, clock: systemClock });
    let adminId = '';
    for await (const e of eventStore.readAll({ filter: { eventTypes: ['UserRegistered'] } })) adminId = (e.data as { userId: string }).userId;
    const token = await signer.issueAccessToken({ sub: adminId, username: 'admin' });
    const requestReport = async (i: number): Promise<Request> => {
      const t0 = performance.now();
      const spec = i % 2 === 0 ? { kind: 'ranking', indicator: 'SP.POP.TOTL', year: 2020, order: 'desc' } : { kind: 'country-profile', country: 'FRA', fromYear: 2020, toYear: 2020 };
      try {
        const res = await fetch(`${write.httpUrl}/api/v1/reports`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ spec, format: 'csv' }),
          signal: AbortSignal.timeout(15_000),
        });
        const body = (await res.json()) as { reportId?: string };
        return { status: res.status, reportId: body.reportId ?? null, ms: performance.now() - t0, at: Date.now() };
      } catch {
        return { status: 0, reportId: null, ms: performance.now() - t0, at: Date.now() };
      }
    };
    const reportStatus = async (reportId: string) => {
      const res = await fetch(`${reporting.httpUrl}/api/v1/reports/${reportId}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
      return res.status === 200 ? ((await res.json()) as { status: string }).status : `http ${res.status}`;
    };
    const busHealth = async () => {
      const res = await fetch(`${reporting.httpUrl}/health`, { signal: AbortSignal.timeout(20_000) });
      const body = (await res.json()) as { details?: { messageBus?: { status?: string } } };
      return { status: res.status, messageBus: body.details?.messageBus?.status ?? 'unknown' };
    };
    const waitFor = async (what: string, probe: () => Promise<boolean>, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await probe().catch(() => false))) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n--- broker log:\n${kafka!.log().slice(-1500)}`);
        await sleep(250);
      }
    };

    // Before: a report goes through, the bus is up.
    const first = await requestReport(0);
    expect(first.status).toBe(202);
    await waitFor('a first report', async () => (await reportStatus(first.reportId!)) === 'ready', 60_000);
    expect(await busHealth()).toEqual({ status: 200, messageBus: 'up' });

    // Load: a report request every 400 ms, through the outage and after it.
    let running = true;
    const requests: Request[] = [first];
    const requester = (async () => {
      for (let i = 1; running; i++) {
        requests.push(await requestReport(i));
        await sleep(400);
      }
    })();
    onTestFinished(async () => {
      running = false;
      await requester;
    });

    await sleep(1_000);
    const stoppedAt = Date.now();
    await kafka.stop();
    const stopDone = Date.now();
    const downSeen = await (async () => {
      for (let i = 0; i < 20; i++) {
        const h = await busHealth();
        if (h.status === 503 && h.messageBus === 'down') return Date.now();
        await sleep(250);
      }
      return null;
    })();
    await sleep(Math.max(0, stoppedAt + 5_000 - Date.now()));
    const restartedAt = Date.now();
    const startMs = await kafka.start();
    const answeredAt = Date.now();
    await waitFor('the health to show the bus up again', async () => (await busHealth()).messageBus === 'up', 60_000);
    const upSeen = Date.now();
    await sleep(1_000);
    running = false;
    await requester;

    // Every request was acknowledged (the write API stores it; Kafka is not on its path), and quickly.
    const during = requests.filter((r) => r.at > stoppedAt && r.at < answeredAt);
    expect(during.length).toBeGreaterThan(5);
    expect(requests.filter((r) => r.status !== 202), JSON.stringify(requests.filter((r) => r.status !== 202).slice(0, 3))).toEqual([]);
    const acknowledged = requests.map((r) => r.reportId!);
    // …and each acknowledged request is in the event store, exactly once; none that was not acknowledged.
    const stored: string[] = [];
    for await (const e of eventStore.readAll({ filter: { eventTypes: ['ReportRequested'] } })) stored.push((e.data as { reportId: string }).reportId);
    expect(stored.sort()).toEqual([...acknowledged].sort());

    // Nothing lost: every report ends ready, without a manual step.
    const pending = new Set(acknowledged);
    let firstReadyAt = 0;
    await waitFor(`all ${acknowledged.length} reports to be ready`, async () => {
      for (const id of [...pending]) {
        const s = await reportStatus(id);
        if (s === 'failed') throw new Error(`report ${id} failed`);
        if (s === 'ready') pending.delete(id);
      }
      if (!firstReadyAt && pending.size < acknowledged.length - 1) firstReadyAt = Date.now();
      return pending.size === 0;
    }, 90_000);
    const allReadyAt = Date.now();
    expect(downSeen, 'the reporting health showed the message bus down').not.toBeNull();
    console.info(
      `[kafka-outage] ${requests.length} report requests, all 202 (during the outage ${during.length}, slowest ${Math.round(Math.max(...during.map((r) => r.ms)))} ms); ` +
        `broker stop ${stopDone - stoppedAt} ms, health down ${downSeen! - stopDone} ms after it; broker restart ${startMs} ms; health up ${upSeen - answeredAt} ms, a first report ready ${firstReadyAt - answeredAt} ms and all ${allReadyAt - answeredAt} ms after the broker answered ` +
        `(outage ${restartedAt - stoppedAt} ms + restart)`,
    );
  }, 240_000);
});

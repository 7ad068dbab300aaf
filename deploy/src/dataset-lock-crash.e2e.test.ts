/**
 * "Never two runs of the same dataset at once", in distributed mode, with a worker that dies: two
 * ingestion services as their own processes (SCHEDULER=bullmq, the dataset lock in the REAL Redis
 * at REDIS_URL, under this run's key prefix) on one SQLite event store. The run's source is a fake
 * World Bank API that holds its answers, so a run lasts as long as the test wants.
 *
 * - A run's process is SIGKILLed mid-run: its lease stays until its TTL (a trigger elsewhere gets
 *   409 INGESTION_RUNNING), then expires on its own, the next run proceeds, and the dead run is
 *   ended IngestionRunFailed `abandoned`.
 * - A live holder keeps its lease past many TTLs (renewal): other triggers and other lock clients
 *   are refused all along, and the dataset is free again as soon as the run ends.
 *
 * A missing Redis fails the suite (never skips it).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRedisDatasetLock } from '@nationpulse/bullmq';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createTokenService, parseConfig, systemClock, type RunningService } from '@nationpulse/platform';
import { describeProcesses, freePort, startServiceProcess, waitForHealth, type ServiceProcess } from '@nationpulse/platform/testing';
import { jwtSecret, startWriteApiService, writeApiConfigSchema } from '@nationpulse/write-api';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const run = `lock-${randomUUID().slice(0, 8)}`;
const dataDir = mkdtempSync(join(tmpdir(), 'np-lock-crash-'));
const secret = randomBytes(32).toString('hex');
const TTL_MS = 3_000;
const dataset = 'world-bank-api:SP.POP.TOTL';
const eventStore = createSqliteEventStore({ path: join(dataDir, 'events.db') });
const processes: ServiceProcess[] = [];
const services: RunningService[] = [];

/** The World Bank API, holding every request until `release()`; then an empty page (no data). */
const heldRequests: ServerResponse[] = [];
let holding = true;
let requestsSeen = 0;
const answer = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ page: 1, pages: 0, per_page: 1, total: 0 }, null]));
const fakeApi = createServer((_req: IncomingMessage, res: ServerResponse) => {
  requestsSeen++;
  if (holding) heldRequests.push(res);
  else answer(res);
});
const releaseHeld = () => {
  holding = false;
  for (const res of heldRequests.splice(0)) if (!res.destroyed) answer(res);
};

afterAll(async () => {
  releaseHeld();
  await Promise.all(processes.map((p) => p.stop('SIGKILL', 5_000)));
  for (const s of services) await s.close().catch(() => undefined);
  await eventStore.close();
  fakeApi.closeAllConnections();
  await new Promise((r) => fakeApi.close(r));
}, 60_000);

describe('dataset lock in Redis with an ingestion worker SIGKILLed mid-run (distributed mode)', () => {
  it('expires the dead holder’s lease so the next run proceeds, while a live holder keeps it past many TTLs', async () => {
    await new Promise<void>((r) => fakeApi.listen(0, '127.0.0.1', r));
    const apiPort = (fakeApi.address() as { port: number }).port;
    const write = await startWriteApiService(parseConfig(writeApiConfigSchema, { NATIONPULSE_DATA_DIR: dataDir, JWT_SECRET: secret, WRITE_API_HTTP_PORT: '0', WRITE_API_GRPC_PORT: '0', LOG_LEVEL: 'warn' }), {
      eventStore,
      admin: { username: 'admin', password: 'a long admin password' },
    });
    services.push(write);
    const signer = createTokenService({ secret: jwtSecret(parseConfig(writeApiConfigSchema, { NATIONPULSE_DATA_DIR: dataDir, JWT_SECRET: secret })), issuer: 'nationpulse', accessTtlSeconds: 3600, clock: systemClock });
    let adminId = '';
    for await (const e of eventStore.readAll({ filter: { eventTypes: ['UserRegistered'] } })) adminId = (e.data as { userId: string }).userId;
    const token = await signer.issueAccessToken({ sub: adminId, username: 'admin' });

    const ingestion = async (name: string) => {
      const [http, grpc] = [await freePort(), await freePort()];
      const p = startServiceProcess(name, join(root, 'ingestion/src/main.ts'), {
        NATIONPULSE_DATA_DIR: dataDir,
        EVENT_STORE: 'sqlite',
        JWT_SECRET: secret,
        INGESTION_HTTP_PORT: String(http),
        INGESTION_GRPC_PORT: String(grpc),
        SCHEDULER: 'bullmq',
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: `${run}:`,
        INGESTION_QUEUE: run,
        INGESTION_LOCK_TTL_MS: String(TTL_MS),
        WORLD_BANK_API_URL: `http://127.0.0.1:${apiPort}`,
        WORLD_BANK_API_TIMEOUT_MS: '120000',
        LOG_LEVEL: 'warn',
      }, { cwd: root });
      processes.push(p);
      return { p, url: `http://127.0.0.1:${http}` };
    };
    const [a, b] = await Promise.all([ingestion('ingestion-a'), ingestion('ingestion-b')]);
    await Promise.all([waitForHealth(a.url, 180_000), waitForHealth(b.url, 180_000)]).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${describeProcesses(processes)}`);
    });
    const trigger = async (url: string) => {
      const res = await fetch(`${url}/api/v1/ingestions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'world-bank-api', indicators: ['SP.POP.TOTL'], countries: ['FRA'] }),
        signal: AbortSignal.timeout(20_000),
      });
      const body = (await res.json()) as { runId?: string; error?: { code: string } };
      return { status: res.status, runId: body.runId ?? null, code: body.error?.code ?? null };
    };
    const runEvents = async (runId: string) => {
      const types: { type: string; reason?: string }[] = [];
      for await (const e of eventStore.readAll({ filter: { eventTypes: ['IngestionRunStarted', 'IngestionRunCompleted', 'IngestionRunFailed'] } })) {
        const data = e.data as { runId: string; reason?: string };
        if (data.runId === runId) types.push({ type: e.type, ...(data.reason ? { reason: data.reason } : {}) });
      }
      return types;
    };
    const otherClient = createRedisDatasetLock({ url: redisUrl, keyPrefix: `${run}:lock:${run}:` });

    try {
      // A takes the dataset and is killed mid-run (its source is waiting on the API).
      const first = await trigger(a.url);
      expect(first.status, JSON.stringify(first)).toBe(202);
      for (let i = 0; i < 200 && requestsSeen === 0; i++) await sleep(100);
      expect(requestsSeen, 'the run reached its source').toBeGreaterThan(0);
      await a.p.stop('SIGKILL');
      const killedAt = Date.now();

      // The lease was renewed at most TTL/3 before the kill, so it stands at least 2/3 of a TTL
      // after it: meanwhile B refuses, as would any lock client.
      const surelyHeldMs = (2 * TTL_MS) / 3 - 300;
      const early = await trigger(b.url);
      const earlyAt = Date.now();
      if (earlyAt - killedAt < surelyHeldMs) {
        expect(early, 'a trigger right after the kill, within the TTL').toMatchObject({ status: 409, code: 'INGESTION_RUNNING' });
      }
      // Then the lease expires by itself: the next run proceeds, without a manual step.
      let next = early;
      while (next.status !== 202 && Date.now() - killedAt < TTL_MS + 15_000) {
        await sleep(250);
        next = await trigger(b.url);
      }
      const freedAfterMs = Date.now() - killedAt;
      expect(next, `a trigger after the TTL (${TTL_MS} ms)\n${describeProcesses(processes)}`).toMatchObject({ status: 202 });
      expect(freedAfterMs).toBeGreaterThanOrEqual(surelyHeldMs);
      // The dead run is ended, not left open.
      expect(await runEvents(first.runId!)).toEqual([{ type: 'IngestionRunStarted' }, { type: 'IngestionRunFailed', reason: expect.stringMatching(/^abandoned/) as unknown as string }]);

      // B is a live holder: its lease is renewed for as long as its run lasts (here 4 TTLs).
      const holdUntil = Date.now() + 4 * TTL_MS;
      let refusals = 0;
      while (Date.now() < holdUntil) {
        expect(await trigger(b.url)).toMatchObject({ status: 409, code: 'INGESTION_RUNNING' });
        expect(await otherClient.acquire(dataset, TTL_MS), 'another lock client while B runs').toBeNull();
        refusals++;
        await sleep(500);
      }
      expect(refusals).toBeGreaterThan(4);
      expect(await otherClient.isHeld(dataset)).toBe(true);

      // The run ends (the API answers: no data): the lease is released at once, not at its TTL.
      releaseHeld();
      const endedAt = Date.now();
      let completed: { type: string }[] = [];
      while (Date.now() - endedAt < 30_000 && !(completed = await runEvents(next.runId!)).some((e) => e.type === 'IngestionRunCompleted')) await sleep(200);
      expect(completed.map((e) => e.type)).toEqual(['IngestionRunStarted', 'IngestionRunCompleted']);
      const third = await trigger(b.url);
      expect(third.status, JSON.stringify(third)).toBe(202);
      console.info(`[dataset-lock] TTL ${TTL_MS} ms: after the SIGKILL the dataset was free again in ${freedAfterMs} ms; a live holder kept it through ${refusals} refused attempts over ${4 * TTL_MS} ms`);
    } finally {
      await otherClient.close();
    }
  }, 300_000);
});

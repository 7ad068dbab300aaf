import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { parseConfig } from '@nationpulse/platform';
import { loadIngestionProto, type ProgressMessage, type RunMessage } from '@nationpulse/protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { triggerRemote } from './remote/trigger-remote.ts';
import { startIngestionService, type IngestionService } from './service.ts';
import { ingestionServiceConfigSchema } from './service/config.ts';
import { seedUser, TEST_JWT_SECRET, tokens, writeCsvFolder } from './service/testing/service-fixture.ts';
import { fixture } from './testing/fixtures.ts';
import { governmentFinanceMapping } from './testing/sdmx-mappings.ts';

const root = mkdtempSync(join(tmpdir(), 'np-ingestion-e2e-'));
const eventStore = createSqliteEventStore({ path: join(root, 'events.db') });
let service: IngestionService;
let admin: { userId: string; token: string };
let address: string;

beforeAll(async () => {
  writeCsvFolder(root, 'wdi', ['SP.POP.TOTL', 'SP.POP.GROW', 'SP.DYN.CBRT.IN'], 200, 30);
  admin = await seedUser(eventStore, 'admin', ['admin']);
  const config = parseConfig(ingestionServiceConfigSchema, {
    NATIONPULSE_DATA_DIR: root,
    INGESTION_FILE_ROOT: root,
    INGESTION_HTTP_PORT: '0',
    INGESTION_GRPC_PORT: '0',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
  });
  service = await startIngestionService(config, { eventStore });
  address = `127.0.0.1:${service.grpcPort}`;
});
afterAll(async () => {
  await service?.close();
  await eventStore.close();
});

const bearer = () => admin.token.replace(/^Bearer /, '');

describe('ingestion service over gRPC (temp SQLite event store)', () => {
  it('streams started → progress → completed for a triggered run, refuses a concurrent one with INGESTION_RUNNING, and answers GetRun', async () => {
    const progress: ProgressMessage[] = [];
    let started: { runId: string; dataset: string; position: number } | undefined;
    const first = triggerRemote({ address, token: bearer(), spec: { kind: 'world-bank-csv', path: 'wdi' }, onStarted: (s) => (started = s), onProgress: (p) => progress.push(p) });
    // Once the first holds the lock, a second trigger of the dataset is refused.
    while (!started) await new Promise((r) => setTimeout(r, 10));
    await expect(triggerRemote({ address, token: bearer(), spec: { kind: 'world-bank-csv', path: 'wdi/' } })).rejects.toMatchObject({
      kind: 'conflict',
      code: 'INGESTION_RUNNING',
    });

    const outcome = await first;
    expect(outcome.status).toBe('completed');
    expect(outcome.summary).toMatchObject({ runId: started.runId, rowsRead: 3 * 200 * 30, rowsChanged: 3 * 200 * 30, rowsRejected: 0, seriesChanged: 600, reason: '' });
    expect(started).toMatchObject({ dataset: 'world-bank-csv:WDI' });
    expect(started.position).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.map((p) => p.rowsRead)).toEqual([...progress.map((p) => p.rowsRead)].sort((a, b) => a - b));
    expect(outcome.summary.position).toBe(await eventStore.headPosition());

    // The run's lifecycle is in the event store, with the user who triggered it as the actor.
    const runEvents = [];
    for await (const e of eventStore.readStream(`ingestion-${started.runId}`)) runEvents.push(e);
    expect(runEvents.map((e) => e.type)).toEqual(['IngestionRunStarted', 'IngestionRunCompleted']);
    expect(runEvents[0]!.metadata.actor).toBe(admin.userId);
    expect(runEvents[0]!.data).toMatchObject({ trigger: 'manual', source: 'file', dataset: 'WDI' });

    const { IngestionServiceClient } = loadIngestionProto();
    const client = new IngestionServiceClient(address, grpc.credentials.createInsecure());
    const metadata = new grpc.Metadata();
    metadata.set('authorization', admin.token);
    const run = await new Promise<RunMessage>((resolve, reject) => client.GetRun({ runId: started!.runId }, metadata, (err, res) => (err ? reject(err) : resolve(res!))));
    client.close();
    expect(run).toMatchObject({ runId: started.runId, status: 'completed', trigger: 'manual', actor: admin.userId, summary: { rowsRead: 18_000 } });
  });

  it('runs any source kind sent as its JSON spec (here SDMX-CSV files), streaming to completion', async () => {
    mkdirSync(join(root, 'oecd'));
    copyFileSync(fixture('sdmx/government-finance.csv'), join(root, 'oecd', 'government-finance.csv'));
    let dataset = '';
    const outcome = await triggerRemote({ address, token: bearer(), spec: { kind: 'sdmx-csv', path: 'oecd', indicators: governmentFinanceMapping }, onStarted: (s) => (dataset = s.dataset) });
    expect(dataset).toBe('sdmx-csv:OECD');
    expect(outcome.status).toBe('completed');
    expect(outcome.summary.rowsChanged).toBeGreaterThan(0);
  });

  it('refuses a spec without a source (INVALID_ARGUMENT) and a caller without a token (UNAUTHENTICATED)', async () => {
    const { IngestionServiceClient } = loadIngestionProto();
    const client = new IngestionServiceClient(address, grpc.credentials.createInsecure());
    const statusOf = (request: Parameters<typeof client.Trigger>[0], metadata = new grpc.Metadata()) =>
      new Promise<grpc.StatusObject>((resolve) => {
        const call = client.Trigger(request, metadata);
        call.on('data', () => undefined);
        call.on('error', () => undefined);
        call.on('status', resolve);
      });
    const withToken = new grpc.Metadata();
    withToken.set('authorization', admin.token);
    expect((await statusOf({ spec: null }, withToken)).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await statusOf({ spec: { json: 'not json' } }, withToken)).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await statusOf({ spec: { json: JSON.stringify({ kind: 'world-bank-api', indicators: ['NOT.AN.INDICATOR'] }) } }, withToken)).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await statusOf({ spec: { worldBankCsv: { path: 'wdi' } } })).code).toBe(grpc.status.UNAUTHENTICATED);
    client.close();
  });

  it('re-ingesting the same files through the remote CLI completes with zero changes and a progress bar', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'trigger-cli.ts'), '--file', 'wdi', '--server', address], {
      env: { ...process.env, NATIONPULSE_TOKEN: await tokens.issueAccessToken({ sub: admin.userId, username: 'admin' }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(stdout).toMatch(/completed in [\d.]+ s: 18000 rows read, 0 changed, 18000 unchanged, 0 rejected; 0 series events/);
    expect(stderr).toContain('ingest |');
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { notFound, type ReportSpec } from '@nationpulse/domain';
import { createLocalArtifactStore } from '@nationpulse/embedded/local-artifact-store';
import { createSqliteMessageBus } from '@nationpulse/embedded/sqlite-message-bus';
import { createLogger, systemClock } from '@nationpulse/platform';
import type { DeliveredMessage } from '@nationpulse/ports';
import { afterEach, describe, expect, it } from 'vitest';
import type { GenerateReport, ReportOutcome } from '../messages.ts';
import type { ReportDataSource } from './report-data.ts';
import { artifactKey, createReportWorker } from './report-worker.ts';

const topics = { commands: 'reports.commands', events: 'reports.events', dlq: 'reports.dlq' };
const spec: ReportSpec = { kind: 'ranking', indicator: 'SP.POP.TOTL', year: 2020, order: 'desc' };
const command = (reportId: string, attempt = 1, over: Partial<GenerateReport> = {}): GenerateReport => ({
  type: 'GenerateReport', reportId, attempt, requestedBy: 'u-ada', spec, format: 'csv', requestedAt: '2026-03-01T09:00:00.000Z', minPosition: 7, ...over,
});

/** Two rows, one with a comma and a formula-looking name; counts how often the data was read. */
const fakeData = (fail?: () => Error) => {
  let reads = 0;
  const source: ReportDataSource = {
    table: () => ({
      columns: ['rank', 'country', 'value'],
      rows: (async function* () {
        reads++;
        if (fail) throw fail();
        yield [1, 'Korea, Rep.', 51.7];
        yield [2, '=HYPERLINK("x")', 2];
      })(),
    }),
  };
  return { source, reads: () => reads };
};

const setup = async (data: ReportDataSource) => {
  const bus = createSqliteMessageBus({ path: ':memory:', pollIntervalMs: 5 });
  const artifacts = createLocalArtifactStore({ root: join(mkdtempSync(join(tmpdir(), 'np-worker-')), 'reports') });
  const worker = createReportWorker({ bus, artifacts, data, topics, clock: systemClock, logger: createLogger('worker-test', 'silent'), retryDelayMs: 20 });
  await worker.start();
  const outcomes: ReportOutcome[] = [];
  const dead: DeliveredMessage[] = [];
  await bus.subscribe({ groupId: 'test-events', topics: [topics.events], handler: async (m) => void outcomes.push(JSON.parse(m.value) as ReportOutcome) });
  await bus.subscribe({ groupId: 'test-dlq', topics: [topics.dlq], handler: async (m) => void dead.push(m) });
  const send = (key: string, value: string) => bus.publish(topics.commands, [{ key, value }]);
  const until = async (done: () => boolean) => {
    const deadline = Date.now() + 5_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await sleep(10);
    }
  };
  return { bus, artifacts, worker, outcomes, dead, send, until };
};

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});
const start = async (data: ReportDataSource) => {
  const h = await setup(data);
  close = async () => {
    await h.worker.stop();
    await h.bus.close();
  };
  return h;
};

describe('report worker', () => {
  it('streams the CSV into the artifact store and publishes the outcome with size and checksum', async () => {
    const data = fakeData();
    const h = await start(data.source);
    await h.send('r1', JSON.stringify(command('r1')));
    await h.until(() => h.outcomes.length === 1);
    const stored = (await h.artifacts.stat(artifactKey(command('r1'))))!;
    expect(h.outcomes[0]).toEqual({
      type: 'ReportGenerated', reportId: 'r1', attempt: 1, rows: 2,
      artifact: { uri: stored.uri, fileName: 'SP.POP.TOTL-ranking-2020-desc.csv', contentType: 'text/csv; charset=utf-8', sizeBytes: stored.sizeBytes, sha256: stored.sha256 },
    });
    const chunks: Buffer[] = [];
    for await (const c of await h.artifacts.read(stored.key)) chunks.push(Buffer.from(c));
    expect(Buffer.concat(chunks).toString()).toBe('rank,country,value\r\n1,"Korea, Rep.",51.7\r\n2,"\'=HYPERLINK(""x"")",2\r\n');
  });

  it('produces an xlsx workbook when asked for one', async () => {
    const h = await start(fakeData().source);
    await h.send('r1', JSON.stringify(command('r1', 1, { format: 'xlsx' })));
    await h.until(() => h.outcomes.length === 1);
    const outcome = h.outcomes[0]!;
    expect(outcome).toMatchObject({ type: 'ReportGenerated', rows: 2, artifact: { fileName: 'SP.POP.TOTL-ranking-2020-desc.xlsx', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } });
    const chunks: Buffer[] = [];
    for await (const c of await h.artifacts.read('r1/attempt-1.xlsx')) chunks.push(Buffer.from(c));
    const zip = Buffer.concat(chunks);
    expect(zip.subarray(0, 4).toString('hex')).toBe('504b0304'); // a ZIP container
    expect(zip.toString('latin1')).toContain('xl/worksheets/sheet1.xml');
  });

  it('makes one artifact for a duplicated or redelivered command of the same attempt', async () => {
    const data = fakeData();
    const h = await start(data.source);
    await h.send('r1', JSON.stringify(command('r1')));
    await h.send('r1', JSON.stringify(command('r1')));
    await h.until(() => h.outcomes.length === 2);
    expect(data.reads()).toBe(1);
    expect(await h.artifacts.list('r1/')).toHaveLength(1);
    expect(h.outcomes[1]).toEqual(h.outcomes[0]);
  });

  it('fails the report as invalid when the read side refuses the spec', async () => {
    const h = await start(fakeData(() => notFound('COUNTRY_NOT_FOUND', 'No country XXX')).source);
    await h.send('r1', JSON.stringify(command('r1')));
    await h.until(() => h.outcomes.length === 1);
    expect(h.outcomes[0]).toEqual({ type: 'ReportGenerationFailed', reportId: 'r1', attempt: 1, reason: 'invalid', message: 'No country XXX' });
    expect(await h.artifacts.list('r1/')).toEqual([]);
  });

  it('retries a transient failure in place instead of failing the report', async () => {
    let failures = 0;
    const data: ReportDataSource = {
      table: (s, p) => (failures++ < 2 ? fakeData(() => new Error('read API unavailable')).source.table(s, p) : fakeData().source.table(s, p)),
    };
    const h = await start(data);
    await h.send('r1', JSON.stringify(command('r1')));
    await h.until(() => h.outcomes.length === 1);
    expect(h.outcomes[0]?.type).toBe('ReportGenerated');
    expect(failures).toBe(3);
  });

  it('sends poison commands to the DLQ with the error and fails their report', async () => {
    const h = await start(fakeData().source);
    await h.send('r1', 'not json');
    await h.send('r2', JSON.stringify({ ...command('r2', 2), spec: { kind: 'ranking' } }));
    await h.until(() => h.outcomes.length === 2 && h.dead.length === 2);
    const letters = h.dead.map((m) => JSON.parse(m.value) as { key: string; error: { code: string } }).sort((a, b) => a.key.localeCompare(b.key));
    expect(letters.map((l) => l.error.code)).toEqual(['MESSAGE_UNDECODABLE', 'MESSAGE_INVALID']);
    expect([...h.outcomes].sort((a, b) => a.reportId.localeCompare(b.reportId))).toEqual([
      expect.objectContaining({ type: 'ReportGenerationFailed', reportId: 'r1', attempt: 0, reason: 'invalid' }),
      expect.objectContaining({ type: 'ReportGenerationFailed', reportId: 'r2', attempt: 2, reason: 'invalid' }),
    ]);
  });
});

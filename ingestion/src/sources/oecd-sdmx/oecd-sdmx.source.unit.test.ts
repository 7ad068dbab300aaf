import type { ServerResponse } from 'node:http';

import { beforeEach, describe, expect, it } from 'vitest';
import { useMemoryEventStore } from '../../testing/event-store.ts';
import { sourcesConfigSchema } from '../../config.ts';
import { runIngestion } from '../../runs/run-ingestion.ts';
import { fixtureText } from '../../testing/fixtures.ts';
import { sendJson, useTestServers, type TestServer } from '../../testing/http-server.ts';
import { governmentFinanceMapping } from '../../testing/sdmx-mappings.ts';
import { createSource } from '../source-spec.ts';

const clock = { now: () => new Date('2026-07-01T12:00:00Z') };
const DATAFLOW = 'OECD.SDD.NAD,DSD_NASEC10@DF_TABLE12,1.1';
const BODIES: Record<string, [string, string]> = {
  csvfile: ['application/vnd.sdmx.data+csv; charset=utf-8', fixtureText('sdmx/government-finance.csv')],
  csvfilewithlabels: ['application/vnd.sdmx.data+csv; charset=utf-8', fixtureText('sdmx/government-finance.labels.csv')],
  jsondata: ['application/vnd.sdmx.data+json; charset=utf-8; version=2.0', fixtureText('sdmx/government-finance.json')],
};

/** Answers like the OECD data API for the recorded dataflow, in the asked format, and 404 NoResultsFound otherwise. */
const oecd = (res: ServerResponse, url: URL): void => {
  if (!url.pathname.startsWith(`/public/rest/data/${DATAFLOW}/`)) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    return void res.end('NoResultsFound');
  }
  const [type, body] = BODIES[url.searchParams.get('format') ?? 'csvfile']!;
  res.writeHead(200, { 'content-type': type });
  // Two chunks, so the CSV reader sees a line cut in the middle.
  res.write(body.slice(0, 300));
  setTimeout(() => res.end(body.slice(300)), 5);
};

const memory = useMemoryEventStore();
const servers = useTestServers();
let server: TestServer;
let waits: number[];
beforeEach(() => {
  waits = [];
});

const run = (spec: Record<string, unknown> = {}, env: Record<string, string> = {}) =>
  runIngestion({
    source: createSource({ kind: 'oecd-sdmx', dataflow: DATAFLOW, key: 'A.AUS+FRA+OECD.S13', indicators: governmentFinanceMapping, fromYear: 2020, ...spec } as never, {
      config: sourcesConfigSchema.parse({ OECD_SDMX_URL: `${server.url}/public/rest`, OECD_SDMX_MIN_INTERVAL_MS: '0', ...env }),
      sleep: async (ms) => void waits.push(ms),
      random: () => 0,
    }),
    eventStore: memory.store,
    clock,
    trigger: 'schedule',
  });

describe('OECD SDMX source', () => {
  it.each(['csv', 'csv-labels', 'json'])('ingests the %s format into the same series', async (format) => {
    server = await servers.start((req, res) => oecd(res, new URL(req.url!, 'http://x')));
    const summary = await run({ format });
    expect(summary).toMatchObject({ status: 'completed', source: 'oecd-sdmx', dataset: 'DSD_NASEC10@DF_TABLE12', rowsRead: 11, rowsChanged: 10, rowsRejected: 1, seriesChanged: 4 });
    const parameter = { csv: 'csvfile', 'csv-labels': 'csvfilewithlabels', json: 'jsondata' }[format]!;
    expect(server.requests).toEqual([`/public/rest/data/${DATAFLOW}/A.AUS+FRA+OECD.S13?startPeriod=2020&format=${parameter}`]);
    const aus = (await memory.all()).find((e) => e.streamId === 'series-AUS-GC.XPN.TOTL.GD.ZS')!;
    expect(aus.data).toMatchObject({ source: 'oecd-sdmx', changes: [{ year: 2020, value: 43.2 }, { year: 2021, value: 40.9 }] });
  });

  it('appends no series event on a second identical run', async () => {
    server = await servers.start((req, res) => oecd(res, new URL(req.url!, 'http://x')));
    await run();
    const before = (await memory.all()).length;
    expect(await run({ format: 'json' })).toMatchObject({ status: 'completed', rowsChanged: 0, seriesEvents: 0 });
    expect((await memory.all()).slice(before).map((e) => e.type)).toEqual(['IngestionRunStarted', 'IngestionRunCompleted']);
  });

  it('waits out a 429 as its Retry-After says', async () => {
    server = await servers.start((req, res, call) => (call === 1 ? sendJson(res, 'Too Many Requests', 429, { 'retry-after': '20' }) : oecd(res, new URL(req.url!, 'http://x'))));
    expect(await run({}, { INGESTION_HTTP_MAX_BACKOFF_MS: '60000' })).toMatchObject({ status: 'completed', rowsChanged: 10 });
    expect(waits).toEqual([20_000]);
  });

  it('fails before appending anything when the API refuses the query', async () => {
    server = await servers.start((req, res) => oecd(res, new URL(req.url!, 'http://x')));
    const summary = await run({ dataflow: 'OECD.SDD.NAD,DSD_UNKNOWN@DF_NONE,1.0' });
    expect(summary).toMatchObject({ status: 'failed', reason: expect.stringMatching(/OECD SDMX API: HTTP 404 .*NoResultsFound/) });
    expect((await memory.all()).map((e) => e.type)).toEqual(['IngestionRunStarted', 'IngestionRunFailed']);
  });

  it('fails before appending anything when the answer is not SDMX', async () => {
    server = await servers.start((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Service maintenance</body></html>');
    });
    for (const format of ['csv', 'json']) {
      const summary = await run({ format });
      expect(summary).toMatchObject({ status: 'failed', reason: expect.stringMatching(/not SDMX-CSV|not JSON/) });
    }
    expect((await memory.all()).every((e) => e.streamId.startsWith('ingestion-'))).toBe(true);
  });

  it('spaces calls across runs made with the same deps by the minimum interval', async () => {
    server = await servers.start((req, res) => oecd(res, new URL(req.url!, 'http://x')));
    const deps = { config: sourcesConfigSchema.parse({ OECD_SDMX_URL: `${server.url}/public/rest` }), sleep: async (ms: number) => void waits.push(ms), now: () => 0 };
    const spec = { kind: 'oecd-sdmx', dataflow: DATAFLOW, indicators: governmentFinanceMapping } as const;
    for (let i = 0; i < 2; i++) {
      expect(await runIngestion({ source: createSource(spec, deps), eventStore: memory.store, clock, trigger: 'schedule' })).toMatchObject({ status: 'completed' });
    }
    expect(waits).toEqual([3_000]);
  });

  it('fails after the timeout when the API hangs', async () => {
    server = await servers.start(() => {
      /* never answers */
    });
    const summary = await run({}, { OECD_SDMX_TIMEOUT_MS: '100', INGESTION_HTTP_ATTEMPTS: '1' });
    expect(summary).toMatchObject({ status: 'failed', reason: expect.stringMatching(/OECD SDMX API: no response within 100 ms/) });
  });
});

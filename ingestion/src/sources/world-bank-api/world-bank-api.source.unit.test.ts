import { beforeEach, describe, expect, it } from 'vitest';
import { useMemoryEventStore } from '../../testing/event-store.ts';
import { sourcesConfigSchema } from '../../config.ts';
import { runIngestion } from '../../runs/run-ingestion.ts';
import { sendJson, useTestServers, type TestServer } from '../../testing/http-server.ts';
import { worldBankApiStandIn } from '../../testing/world-bank-api.ts';
import { createSource } from '../source-spec.ts';

const clock = { now: () => new Date('2026-07-01T12:00:00Z') };
const memory = useMemoryEventStore();
const servers = useTestServers();
let server: TestServer;
let waits: number[];
beforeEach(() => {
  waits = [];
});

const run = (spec: Record<string, unknown>, env: Record<string, string> = {}, runId?: string) =>
  runIngestion({
    source: createSource(
      { kind: 'world-bank-api', indicators: ['SP.POP.TOTL'], ...spec } as never,
      {
        config: sourcesConfigSchema.parse({ WORLD_BANK_API_URL: server.url, WORLD_BANK_API_PER_PAGE: '4', WORLD_BANK_API_MIN_INTERVAL_MS: '0', ...env }),
        sleep: async (ms) => void waits.push(ms),
        random: () => 0,
      },
    ),
    eventStore: memory.store,
    clock,
    trigger: 'schedule',
    concurrency: 2,
    ...(runId ? { runId } : {}),
  });

describe('World Bank API source', () => {
  it('reads every page, groups a series across pages, skips missing values and keeps aggregates apart as in the CSV path', async () => {
    server = await servers.start((req, res) => worldBankApiStandIn(res, new URL(req.url!, 'http://x')));
    const summary = await run({ fromYear: 2019, toYear: 2021 }, {}, 'api-1');
    expect(summary).toMatchObject({ status: 'completed', source: 'worldbank-api', dataset: 'SP.POP.TOTL', rowsRead: 7, rowsChanged: 6, rowsRejected: 1, seriesChanged: 4 });
    expect(server.requests).toEqual([
      '/v2/country/all/indicator/SP.POP.TOTL?format=json&per_page=1&page=1&date=2019%3A2021',
      '/v2/country/all/indicator/SP.POP.TOTL?format=json&per_page=4&page=1&date=2019%3A2021',
      '/v2/country/all/indicator/SP.POP.TOTL?format=json&per_page=4&page=2&date=2019%3A2021',
    ]);
    expect(summary.rejected).toEqual([{ row: 1, reason: 'SP.POP.TOTL: aggregate Central Europe and the Baltics (B8) has no alpha-3 code', raw: expect.stringContaining('"B8"') }]);
    const events = await memory.all();
    expect(events[0]).toMatchObject({ type: 'IngestionRunStarted', data: { source: 'worldbank-api', parameters: { indicators: 'SP.POP.TOTL', countries: 'all', fromYear: 2019, toYear: 2021 } } });
    const series = events.filter((e) => e.type === 'ObservationsRecorded');
    expect(series.map((e) => e.streamId).sort()).toEqual(['series-FRA-SP.POP.TOTL', 'series-NAM-SP.POP.TOTL', 'series-WLD-SP.POP.TOTL', 'series-XKX-SP.POP.TOTL']);
    expect(series.find((e) => e.streamId === 'series-FRA-SP.POP.TOTL')!.data).toMatchObject({
      source: 'worldbank-api',
      changes: [
        { year: 2020, value: 67571107, previous: null },
        { year: 2021, value: 67764304, previous: null },
      ],
    });
  });

  it('appends no series event when the same data is read again', async () => {
    server = await servers.start((req, res) => worldBankApiStandIn(res, new URL(req.url!, 'http://x')));
    await run({});
    const before = (await memory.all()).length;
    const second = await run({});
    expect(second).toMatchObject({ status: 'completed', rowsChanged: 0, rowsUnchanged: 6, seriesEvents: 0 });
    expect((await memory.all()).slice(before).map((e) => e.type)).toEqual(['IngestionRunStarted', 'IngestionRunCompleted']);
  });

  it('fails the run before anything is appended when the API answers an indicator with its HTTP-200 error', async () => {
    server = await servers.start((req, res) => worldBankApiStandIn(res, new URL(req.url!, 'http://x')));
    const summary = await run({ indicators: ['SP.POP.TOTL', 'SH.DYN.MORT'] });
    expect(summary.status).toBe('failed');
    expect(summary.reason).toBe('World Bank API refused SH.DYN.MORT (countries all): Invalid value: The provided parameter value is not valid (id 120)');
    expect((await memory.all()).map((e) => e.type)).toEqual(['IngestionRunStarted', 'IngestionRunFailed']);
    // The check stopped at the refused indicator: no page of data was fetched.
    expect(server.requests.every((r) => r.includes('per_page=1&'))).toBe(true);
  });

  it('retries a 503 and a 429 (honouring Retry-After), then ingests', async () => {
    server = await servers.start((req, res, call) => {
      if (call === 1) return sendJson(res, '<html>Service Unavailable</html>', 503);
      if (call === 3) return sendJson(res, 'Too Many Requests', 429, { 'retry-after': '1' });
      worldBankApiStandIn(res, new URL(req.url!, 'http://x'));
    });
    const summary = await run({});
    expect(summary).toMatchObject({ status: 'completed', rowsChanged: 6 });
    expect(server.requests).toHaveLength(5);
    expect(waits).toEqual([250, 1_000]);
  });

  it('fails the run when the API hangs past the timeout on every attempt, having appended nothing', async () => {
    server = await servers.start(() => {
      /* never answers */
    });
    const summary = await run({}, { WORLD_BANK_API_TIMEOUT_MS: '100', INGESTION_HTTP_ATTEMPTS: '2' });
    expect(summary).toMatchObject({ status: 'failed', reason: expect.stringMatching(/World Bank API: no response within 100 ms after 2 attempt/) });
    expect((await memory.all()).map((e) => e.type)).toEqual(['IngestionRunStarted', 'IngestionRunFailed']);
  });

  it('asks for the listed countries only', async () => {
    server = await servers.start((req, res) => worldBankApiStandIn(res, new URL(req.url!, 'http://x')));
    await run({ countries: ['fra', 'NAM'] });
    expect(server.requests[0]).toMatch(/^\/v2\/country\/FRA;NAM\/indicator\/SP\.POP\.TOTL\?/);
  });
});

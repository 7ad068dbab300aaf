/**
 * One measured ingestion, in its own process so its peak RSS is the platform's alone: a fresh
 * embedded platform (SQLite event store, projectors, read API, ingestion service), the snapshot
 * triggered through the ingestion admin API, the read API polled until the last series answers
 * the CSV's exact values, then the same snapshot again (no change). Prints one JSON line.
 *
 * argv: <data dir> <snapshot folder>
 */
import { basename, dirname, join } from 'node:path';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { startEmbeddedPlatform } from '@nationpulse/embedded-platform';
import { applyEmbeddedHeapPolicy } from '@nationpulse/embedded-platform/heap-policy';
import { parseWorldBankCsvFile, resolveCsvFiles } from '@nationpulse/ingestion';
import { createTokenService, systemClock } from '@nationpulse/platform';
import { readFileSync } from 'node:fs';

const [dataDir, snapshot] = process.argv.slice(2);
if (!dataDir || !snapshot) throw new Error('usage: ingest-child <data dir> <snapshot folder>');

/** The last series of the last file (files and rows are sorted): what must be readable at the end. */
const lastSeries = async () => {
  const files = await resolveCsvFiles(snapshot);
  const file = files.at(-1)!;
  let country = '';
  let points: { year: number; value: number }[] = [];
  for await (const line of parseWorldBankCsvFile(file)) {
    if (line.kind !== 'row') continue;
    if (line.countryCode !== country) [country, points] = [line.countryCode, []];
    points.push({ year: line.year, value: line.value });
  }
  return { indicator: basename(dirname(file)).toUpperCase(), country, points: points.sort((a, b) => a.year - b.year) };
};

// As `npm start` does (packages/embedded-platform/src/main.ts).
applyEmbeddedHeapPolicy();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const main = async () => {
  const expected = await lastSeries();
  // The write API takes the first admin from the process environment.
  process.env['NATIONPULSE_ADMIN_USER'] = 'bench-admin';
  process.env['NATIONPULSE_ADMIN_PASSWORD'] = 'a long bench password';
  const platform = await startEmbeddedPlatform({
    ...process.env,
    NATIONPULSE_DATA_DIR: dataDir,
    WRITE_API_HTTP_PORT: '0',
    WRITE_API_GRPC_PORT: '0',
    READ_API_HTTP_PORT: '0',
    READ_API_GRPC_PORT: '0',
    PROJECTORS_HTTP_PORT: '0',
    INGESTION_HTTP_PORT: '0',
    INGESTION_GRPC_PORT: '0',
    // The gateway and reporting start too: free ports, so the bench never collides with a running platform.
    PORT: '0',
    REPORTING_HTTP_PORT: '0',
    INGESTION_FILE_ROOT: dirname(snapshot),
    NATIONPULSE_SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
  });
  // What the platform holds before any data: the floor under the peak.
  const idleRssMb = process.memoryUsage().rss / 1024 / 1024;
  try {
    // The admin's token, as the gateway would issue it.
    const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
    let adminId = '';
    for await (const e of store.readAll({ filter: { eventTypes: ['UserRegistered'] } })) adminId = (e.data as { userId: string }).userId;
    await store.close();
    const tokens = createTokenService({ secret: readFileSync(join(dataDir, 'secrets', 'jwt.key'), 'utf8').trim(), issuer: 'nationpulse', accessTtlSeconds: 900, clock: systemClock });
    const authorization = `Bearer ${await tokens.issueAccessToken({ sub: adminId, username: 'bench-admin' })}`;
    const health = async () => ((await (await fetch(`${platform.urls.writeApi}/health`)).json()) as { details: { eventStore: { position: number } } }).details.eventStore.position;

    const ingest = async () => {
      const before = await health();
      const t0 = performance.now();
      const res = await fetch(`${platform.urls.ingestion}/api/v1/ingestions`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'world-bank-csv', path: basename(snapshot) }),
      });
      if (res.status !== 202) throw new Error(`trigger answered ${res.status}: ${await res.text()}`);
      const { runId } = (await res.json()) as { runId: string };
      let queryableMs: number | null = null;
      let runMs = 0;
      type RunView = { status: string; summary: { rowsRead: number; rowsChanged: number; seriesEvents: number } | null; reason: string | null };
      let run: RunView = { status: 'running', summary: null, reason: null };
      const url = `${platform.urls.readApi}/api/v1/series/${expected.country}/${expected.indicator}`;
      for (;;) {
        if (run.status === 'running') {
          run = (await (await fetch(`${platform.urls.ingestion}/api/v1/ingestions/${runId}`, { headers: { authorization } })).json()) as RunView;
          if (run.status !== 'running') runMs = performance.now() - t0;
        }
        if (queryableMs === null) {
          const series = await fetch(url);
          if (series.ok) {
            const body = (await series.json()) as { points: { year: number; value: number }[] };
            const got = body.points.map((p) => `${p.year}:${p.value}`).join();
            if (got === expected.points.map((p) => `${p.year}:${p.value}`).join()) queryableMs = performance.now() - t0;
          }
        }
        if (run.status !== 'running' && queryableMs !== null) break;
        if (performance.now() - t0 > 900_000) throw new Error('no answer within 15 minutes');
        await sleep(25);
      }
      if (run.status !== 'completed') throw new Error(`run ${run.status}: ${run.reason}`);
      return { runMs, queryableMs, rows: run.summary!.rowsRead, changed: run.summary!.rowsChanged, seriesEvents: run.summary!.seriesEvents, eventsAppended: (await health()) - before };
    };

    const full = await ingest();
    const again = await ingest();
    const { maxRSS } = process.resourceUsage();
    process.stdout.write(`${JSON.stringify({ full, again, idleRssMb, peakRssMb: maxRSS / 1024, series: `${expected.country}/${expected.indicator}` })}\n`);
  } finally {
    await platform.close();
  }
};

await main();

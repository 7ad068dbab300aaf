import { join } from 'node:path';
import { createInProcessCache } from '@nationpulse/embedded/in-process-cache';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import { createProjectors } from '@nationpulse/projectors';
import { parseConfig } from '@nationpulse/platform';
import { buildReadApp, createReadSide, readApiConfigSchema } from '@nationpulse/read-api';
import Fastify from 'fastify';
import { appendWdiHistory, loadWdiSeries } from '../fixtures/wdi-history.ts';
import { describeRatio, interleaved, ratio, type Series } from '../load/interleaved.ts';
import type { BenchContext, Row } from '../types.ts';

export const name = 'read-api';
export const description =
  'Read API (Fastify, SQLite read store built by the projectors from the World Bank snapshot) in its default configuration (answers reused for 2 s: the HTTP micro-cache and the in-process response cache) and with both caches off, against bare Fastify serving the same JSON bodies from memory; autocannon in its own process, 32 connections; per query the three are driven in turn, 4 s each, for 5 rounds (the first of each round rotating), and compared with bare Fastify round by round: throughput is the median over rounds, p99 the worst round’s.';

const CONNECTIONS = 32;
const SECONDS = 4;
const ROUNDS = 5;
const QUERIES = { rankings: '/api/v1/rankings/SP.POP.TOTL?year=2020&limit=20', series: '/api/v1/series/FRA/SP.DYN.LE00.IN' };

const listen = async (app: { listen(o: { host: string; port: number }): Promise<string> }) => app.listen({ host: '127.0.0.1', port: 0 });

export async function run(ctx: BenchContext): Promise<readonly Row[]> {
  const dir = ctx.tmpDir();
  const eventStore = createSqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'normal' });
  const readStore = createSqliteReadStore({ path: join(dir, 'read.db') });
  const { series, source } = loadWdiSeries();
  ctx.log(`ingesting ${series.length} series from ${source} and projecting them`);
  await appendWdiHistory(eventStore, series, 0);
  const head = await eventStore.headPosition();
  const projectors = createProjectors({ eventStore, readStore, clock: { now: () => new Date() } });
  await projectors.start();
  while ((await projectors.status()).some((s) => s.position < head)) await new Promise((r) => setTimeout(r, 50));
  await projectors.stop();

  // As users run it: hot answers kept briefly in the (in-process) response cache, default TTL.
  const defaults = parseConfig(readApiConfigSchema, {});
  const cached = createReadSide({ readStore, cache: createInProcessCache(), responseCacheTtlMs: defaults.READ_RESPONSE_CACHE_TTL_MS });
  const readApi = await buildReadApp({ executor: cached.executor, logger: false, microCacheTtlMs: defaults.READ_RESPONSE_CACHE_TTL_MS, health: async () => ({ ok: true, details: {} }) });
  const readUrl = await listen(readApi);
  // For comparison: the response cache off, every request a query against the read store.
  const uncached = createReadSide({ readStore, responseCacheTtlMs: 0 });
  const uncachedApi = await buildReadApp({ executor: uncached.executor, logger: false, health: async () => ({ ok: true, details: {} }) });
  const uncachedUrl = await listen(uncachedApi);

  const bodies = new Map<string, string>();
  for (const path of Object.values(QUERIES)) {
    const res = await fetch(`${readUrl}${path}`);
    if (!res.ok) throw new Error(`${path} answered ${res.status}`);
    bodies.set(path, await res.text());
  }
  const bare = Fastify({ logger: false });
  for (const [path, body] of bodies) bare.get(path.split('?')[0]!, async (_req, reply) => reply.type('application/json').send(body));
  const bareUrl = await listen(bare);

  const rows: Row[] = [];
  const row = (metric: string, r: Series, extra: Partial<Row> = {}): Row[] => [
    { metric: `${metric} throughput`, value: Math.round(r.requestsPerSecond), unit: 'req/s', note: `rounds ${r.rounds.map((x) => Math.round(x.requestsPerSecond)).join(' / ')} req/s; ${r.requests} requests, ${r.errors} errors, ${r.non2xx} non-2xx`, ...extra },
    {
      metric: `${metric} p99`,
      value: r.worstP99Ms,
      unit: 'ms',
      ...(metric.startsWith('read API,') ? { target: { max: 20 } } : {}),
      note: `p50 ${r.medianP50Ms} ms (median); p99 per round ${r.rounds.map((x) => x.p99Ms).join(' / ')} ms`,
    },
  ];
  for (const [query, path] of Object.entries(QUERIES)) {
    const [base, real, raw] = (await interleaved(
      [
        { label: `${query}: bare Fastify`, url: `${bareUrl}${path}` },
        { label: `${query}: read API (default configuration)`, url: `${readUrl}${path}` },
        { label: `${query}: read API, response cache off`, url: `${uncachedUrl}${path}` },
      ],
      { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, log: (message) => ctx.log(message) },
    )) as [Series, Series, Series];
    for (const r of [real, raw]) {
      if (r.errors + r.non2xx > 0) throw new Error(`${r.label}: ${r.errors} errors, ${r.non2xx} non-2xx`);
    }
    const realRatio = ratio(real, base);
    rows.push(...row(`bare Fastify, ${query}`, base));
    rows.push(...row(`read API, ${query}`, real));
    rows.push({
      metric: `read API ÷ bare Fastify, ${query} throughput`,
      value: Number(realRatio.median.toFixed(2)),
      unit: '×',
      target: { min: 0.7 },
      note: `round by round ${realRatio.perRound.map((x) => x.toFixed(2)).join(' / ')} (min ${realRatio.min.toFixed(2)}, max ${realRatio.max.toFixed(2)})`,
    });
    rows.push(...row(`read API uncached, ${query}`, raw, { note: describeRatio(ratio(raw, base), 'bare Fastify') }));
  }
  await Promise.all([readApi.close(), uncachedApi.close(), bare.close()]);
  await Promise.all([readStore.close(), eventStore.close()]);
  return rows;
}

import { join } from 'node:path';
import { createInProcessCache } from '@nationpulse/embedded/in-process-cache';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import { gatewayConfigSchema, startGatewayService } from '@nationpulse/gateway';
import { parseConfig } from '@nationpulse/platform';
import { createProjectors } from '@nationpulse/projectors';
import { buildReadApp, createReadSide, readApiConfigSchema } from '@nationpulse/read-api';
import { startWriteApiService, writeApiConfigSchema } from '@nationpulse/write-api';
import Fastify from 'fastify';
import { appendWdiHistory, loadWdiSeries } from '../fixtures/wdi-history.ts';
import { describeRatio, interleaved, ratio, type Series } from '../load/interleaved.ts';
import type { BenchContext, Row } from '../types.ts';

export const name = 'gateway';
export const description =
  'An authenticated rankings query through the gateway (JWT verified, permissions checked, rate limiter consulted for a non-exempt user, then answered from the gateway’s 1 s micro-cache or forwarded over a keep-alive undici pool) against the read API queried directly and bare Fastify serving the same JSON from memory. Gateway, read API (default configuration) and write API run in this process, as `npm start` runs them; and the same gateway with its micro-cache off. autocannon in its own process, 32 connections; the four are driven in turn, 4 s each, for 5 rounds (the first of each round rotating), and each one is compared with bare Fastify round by round: throughput is the median over rounds, p99 the worst round’s.';

const CONNECTIONS = 32;
const SECONDS = 4;
const ROUNDS = 5;
const PATH = '/api/v1/rankings/SP.POP.TOTL?year=2020&limit=20';
const USER = { username: 'bench', password: 'a long benchmark password' };

const listen = async (app: { listen(o: { host: string; port: number }): Promise<string> }) => app.listen({ host: '127.0.0.1', port: 0 });

export async function run(ctx: BenchContext): Promise<readonly Row[]> {
  const dir = ctx.tmpDir();
  const eventStore = createSqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'normal' });
  const readStore = createSqliteReadStore({ path: join(dir, 'read.db') });
  const cache = createInProcessCache();
  const { series, source } = loadWdiSeries();
  const population = series.filter((s) => s.indicator === 'SP.POP.TOTL');
  // The synthetic fallback has no population series: rank its first indicator under that code.
  const ranked = population.length > 0 ? population : series.filter((s) => s.indicator === series[0]!.indicator).map((s) => ({ ...s, indicator: 'SP.POP.TOTL' }));
  ctx.log(`ingesting ${ranked.length} SP.POP.TOTL series from ${source}`);
  await appendWdiHistory(eventStore, ranked, 0);

  const base = { NATIONPULSE_DATA_DIR: dir, LOG_LEVEL: 'silent' };
  // The write API registers the benchmark's user at start (as the first admin), as `npm start` does.
  const writeApi = await startWriteApiService(parseConfig(writeApiConfigSchema, { ...base, WRITE_API_HTTP_PORT: '0', WRITE_API_GRPC_PORT: '0' }), { eventStore, admin: USER });
  const head = await eventStore.headPosition();
  const projectors = createProjectors({ eventStore, readStore, cache, clock: { now: () => new Date() } });
  await projectors.start();
  while ((await projectors.status()).some((s) => s.position < head)) await new Promise((r) => setTimeout(r, 50));

  const defaults = parseConfig(readApiConfigSchema, {});
  const { executor } = createReadSide({ readStore, cache, responseCacheTtlMs: defaults.READ_RESPONSE_CACHE_TTL_MS });
  const readApi = await buildReadApp({ executor, logger: false, microCacheTtlMs: defaults.READ_RESPONSE_CACHE_TTL_MS, health: async () => ({ ok: true, details: {} }) });
  const readUrl = await listen(readApi);

  // Rate limits stay on with their defaults, high enough for the run; the user is not exempt,
  // so every request pays for the limiter too. The gateway runs in its default configuration
  // (micro-cache on); a second one with the micro-cache off shows what forwarding every request costs.
  const startGateway = (env: Record<string, string> = {}) =>
    startGatewayService(
      parseConfig(gatewayConfigSchema, {
        ...base,
        PORT: '0',
        READ_API_URL: readUrl,
        WRITE_API_URL: writeApi.httpUrl,
        RATE_LIMIT_USER_PER_MINUTE: '1000000',
        RATE_LIMIT_IP_PER_MINUTE: '1000000',
        NOTIFIER_ENABLED: 'false',
        UI_DIST_DIR: join(dir, 'no-ui'),
        ...env,
      }),
      { readStore, cache },
    );
  const gateway = await startGateway();
  const uncachedGateway = await startGateway({ GATEWAY_MICRO_CACHE_TTL_MS: '0' });
  const signin = await fetch(`${gateway.url}/api/v1/auth/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(USER) });
  if (!signin.ok) throw new Error(`sign-in answered ${signin.status}: ${await signin.text()}`);
  const { accessToken } = (await signin.json()) as { accessToken: string };
  const auth = { authorization: `Bearer ${accessToken}` };

  const viaGateway = await fetch(`${gateway.url}${PATH}`, { headers: auth });
  const direct = await fetch(`${readUrl}${PATH}`);
  const body = await direct.text();
  if (!viaGateway.ok || !direct.ok || (await viaGateway.text()) !== body) throw new Error(`gateway ${viaGateway.status} and read API ${direct.status} disagree`);
  const bare = Fastify({ logger: false });
  bare.get(PATH.split('?')[0]!, async (_req, reply) => reply.type('application/json').send(body));
  const bareUrl = await listen(bare);

  const [baseline, readDirect, throughGateway, uncached] = (await interleaved(
    [
      { label: 'bare Fastify', url: `${bareUrl}${PATH}` },
      { label: 'read API, direct', url: `${readUrl}${PATH}` },
      { label: 'gateway → read API, authenticated', url: `${gateway.url}${PATH}`, headers: auth },
      { label: 'gateway → read API, authenticated, micro-cache off', url: `${uncachedGateway.url}${PATH}`, headers: auth },
    ],
    { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, log: (message) => ctx.log(message) },
  )) as [Series, Series, Series, Series];
  for (const r of [readDirect, throughGateway, uncached]) {
    if (r.errors + r.non2xx > 0) throw new Error(`${r.label}: ${r.errors} errors, ${r.non2xx} non-2xx`);
  }
  const counts = (r: Series) => `${r.requests} requests, ${r.errors} errors, ${r.non2xx} non-2xx`;
  const rps = (r: Series) => `rounds ${r.rounds.map((x) => Math.round(x.requestsPerSecond)).join(' / ')} req/s`;
  const p99s = (r: Series) => `p50 ${r.medianP50Ms} ms (median); p99 per round ${r.rounds.map((x) => x.p99Ms).join(' / ')} ms`;
  const gatewayRatio = ratio(throughGateway, baseline);
  const rows: Row[] = [
    { metric: 'bare Fastify, rankings throughput', value: Math.round(baseline.requestsPerSecond), unit: 'req/s', note: `${rps(baseline)}; ${baseline.requests} requests` },
    { metric: 'bare Fastify, rankings p99', value: baseline.worstP99Ms, unit: 'ms', note: p99s(baseline) },
    { metric: 'read API direct, rankings throughput', value: Math.round(readDirect.requestsPerSecond), unit: 'req/s', note: `${describeRatio(ratio(readDirect, baseline), 'bare Fastify')}; ${counts(readDirect)}` },
    { metric: 'read API direct, rankings p99', value: readDirect.worstP99Ms, unit: 'ms', note: p99s(readDirect) },
    { metric: 'gateway (authenticated), rankings throughput', value: Math.round(throughGateway.requestsPerSecond), unit: 'req/s', note: `${rps(throughGateway)}; ${counts(throughGateway)}` },
    {
      metric: 'gateway (authenticated) ÷ bare Fastify, rankings throughput',
      value: Number(gatewayRatio.median.toFixed(2)),
      unit: '×',
      target: { min: 0.5 },
      note: `round by round ${gatewayRatio.perRound.map((x) => x.toFixed(2)).join(' / ')} (min ${gatewayRatio.min.toFixed(2)}, max ${gatewayRatio.max.toFixed(2)})`,
    },
    { metric: 'gateway (authenticated), rankings p99', value: throughGateway.worstP99Ms, unit: 'ms', target: { max: 20 }, note: p99s(throughGateway) },
    { metric: 'gateway, micro-cache off, rankings throughput', value: Math.round(uncached.requestsPerSecond), unit: 'req/s', note: `${describeRatio(ratio(uncached, baseline), 'bare Fastify')}; ${counts(uncached)}` },
    { metric: 'gateway, micro-cache off, rankings p99', value: uncached.worstP99Ms, unit: 'ms', note: p99s(uncached) },
  ];
  await Promise.all([gateway.close(), uncachedGateway.close(), readApi.close(), bare.close()]);
  await projectors.stop();
  await writeApi.close();
  await Promise.all([readStore.close(), eventStore.close(), cache.close()]);
  return rows;
}

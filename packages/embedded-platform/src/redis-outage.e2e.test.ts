import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { freePort } from '@nationpulse/platform/testing';
import { seedPopulation } from '@nationpulse/platform/testing/seed';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPlatform, type EmbeddedPlatform } from './embedded-platform.ts';
import { freePorts, testPlatformEnv } from './testing/platform-env.ts';

// A private redis-server on its own port: the shared one on 6379 is never stopped.
let redis: ChildProcess | null = null;
let platform: EmbeddedPlatform | null = null;
const startRedis = async (port: number, dir: string) => {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  child.once('error', (e) => {
    throw new Error(`redis-server could not start (is it installed?): ${e.message}`);
  });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const probe = spawn('redis-cli', ['-p', String(port), 'ping'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      probe.stdout.on('data', (d: Buffer) => (out += d.toString()));
      probe.once('exit', () => resolve(out.trim() === 'PONG'));
    });
    if (up) return child;
    await sleep(100);
  }
  throw new Error('redis-server did not answer');
};
const stopRedis = async () => {
  if (!redis || redis.exitCode !== null) return;
  const exited = new Promise((r) => redis!.once('exit', r));
  redis.kill('SIGKILL');
  await exited;
};
afterAll(async () => {
  await platform?.close().catch(() => undefined);
  await stopRedis();
});

describe('embedded platform with its cache on Redis, Redis stopped and started again', () => {
  it('keeps answering reads from the read store while Redis is down (fast, no errors), and uses Redis again once it is back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'np-redis-outage-'));
    const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
    await seedPopulation(store, { FRA: 67_000_000, DEU: 83_000_000 }, { expected: 'no_stream' });
    await store.close();
    const redisPort = await freePort();
    redis = await startRedis(redisPort, dataDir);
    platform = await startEmbeddedPlatform(
      testPlatformEnv(dataDir, { ...(await freePorts()), CACHE: 'redis', REDIS_URL: `redis://127.0.0.1:${redisPort}`, READ_RESPONSE_CACHE_TTL_MS: '60000' }),
    );
    const gateway = platform.urls.gateway;
    const signin = await fetch(`${gateway}/api/v1/auth/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'a long admin password' }) });
    expect(signin.status).toBe(200);
    const { accessToken } = (await signin.json()) as { accessToken: string };
    const read = async (path: string) => {
      const t0 = performance.now();
      const res = await fetch(`${gateway}${path}`, { headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(10_000) });
      const body = (await res.json()) as { entries?: { country: string }[]; points?: unknown[] };
      return { status: res.status, ms: performance.now() - t0, body };
    };
    // Caught up: the ranking has both countries.
    for (let i = 0; i < 100 && ((await read('/api/v1/rankings/SP.POP.TOTL?year=2020')).body.entries?.length ?? 0) < 2; i++) await sleep(100);
    const paths = ['/api/v1/rankings/SP.POP.TOTL?year=2020', '/api/v1/series/FRA/SP.POP.TOTL', '/api/v1/countries/DEU', '/api/v1/dashboard/population?year=2020'];
    for (const p of paths) expect((await read(p)).status, p).toBe(200);

    await stopRedis();
    // Cache misses fall back to the read store: every read still answers, and quickly.
    for (let round = 0; round < 3; round++) {
      for (const p of [...paths, '/api/v1/series/DEU/SP.POP.TOTL', '/api/v1/countries/FRA']) {
        const r = await read(p);
        expect(r.status, `${p} with Redis down`).toBe(200);
        expect(r.ms, `${p} with Redis down answers without waiting for it`).toBeLessThan(2_500);
      }
    }
    expect((await read('/api/v1/rankings/SP.POP.TOTL?year=2020')).body.entries?.map((e) => e.country)).toEqual(['DEU', 'FRA']);

    redis = await startRedis(redisPort, dataDir);
    // The client reconnects by itself; the answers are cached there again.
    const deadline = Date.now() + 30_000;
    let keys = 0;
    while (Date.now() < deadline && keys === 0) {
      expect((await read('/api/v1/series/FRA/SP.POP.TOTL')).status).toBe(200);
      keys = await new Promise<number>((resolve) => {
        const cli = spawn('redis-cli', ['-p', String(redisPort), 'dbsize'], { stdio: ['ignore', 'pipe', 'ignore'] });
        let out = '';
        cli.stdout.on('data', (d: Buffer) => (out += d.toString()));
        cli.once('exit', () => resolve(Number(out.trim()) || 0));
      });
      if (keys === 0) await sleep(300);
    }
    expect(keys, 'Redis holds cached answers again after its restart').toBeGreaterThan(0);
  }, 180_000);
});

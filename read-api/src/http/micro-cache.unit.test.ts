import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installHttpCaching, installMicroCache } from './http-caching.ts';

/** A route that counts how often it really runs and answers at a position the test controls. */
const appWith = async (ttlMs: number, now: () => number) => {
  const app = Fastify({ logger: false });
  let runs = 0;
  let position = 10;
  installHttpCaching(app, { maxAgeSeconds: 30 });
  installMicroCache(app, { ttlMs, now });
  app.get('/data', async (request, reply) => {
    runs++;
    const { minPosition, fail } = request.query as { minPosition?: string; fail?: string };
    if (fail) return reply.status(404).send({ error: { code: 'NOPE' } });
    if (minPosition && Number(minPosition) > position) position = Number(minPosition);
    reply.header('x-position', String(position));
    return { value: runs, position };
  });
  await app.ready();
  return { app, runs: () => runs };
};

describe('HTTP micro-cache', () => {
  it('sends the same bytes, ETag and position again for the same URL without running the route', async () => {
    const { app, runs } = await appWith(2000, () => 0);
    const first = await app.inject({ url: '/data?x=1' });
    const second = await app.inject({ url: '/data?x=1' });
    expect(runs()).toBe(1);
    expect(second.body).toBe(first.body);
    expect(second.headers['etag']).toBe(first.headers['etag']);
    expect(second.headers['x-position']).toBe('10');
    expect(second.headers['cache-control']).toBe('public, max-age=30');
    expect(second.headers['x-cache']).toBe('hit');
    const notModified = await app.inject({ url: '/data?x=1', headers: { 'if-none-match': first.headers['etag'] as string } });
    expect(notModified.statusCode).toBe(304);
    expect(runs()).toBe(1);
    await app.inject({ url: '/data?x=2' });
    expect(runs()).toBe(2);
  });

  it('never serves an entry older than the minPosition asked for (read-your-writes)', async () => {
    const { app, runs } = await appWith(2000, () => 0);
    await app.inject({ url: '/data' });
    const satisfied = await app.inject({ url: '/data?minPosition=10' });
    expect(satisfied.headers['x-cache']).toBe('hit');
    const newer = await app.inject({ url: '/data?minPosition=11' });
    expect(newer.headers['x-cache']).toBeUndefined();
    expect(newer.headers['x-position']).toBe('11');
    expect(runs()).toBe(2);
    // The fresher answer replaced the entry for the URL.
    expect((await app.inject({ url: '/data' })).headers['x-position']).toBe('11');
  });

  it('expires entries after the TTL, leaves errors and bad minPosition values alone, and is off at 0', async () => {
    let now = 0;
    const { app, runs } = await appWith(2000, () => now);
    await app.inject({ url: '/data' });
    now = 2001;
    await app.inject({ url: '/data' });
    expect(runs()).toBe(2);
    await app.inject({ url: '/data?fail=1' });
    await app.inject({ url: '/data?fail=1' });
    expect(runs()).toBe(4);
    await app.inject({ url: '/data?minPosition=abc' });
    expect(runs()).toBe(5);

    const off = await appWith(0, () => 0);
    await off.app.inject({ url: '/data' });
    await off.app.inject({ url: '/data' });
    expect(off.runs()).toBe(2);
  });
});

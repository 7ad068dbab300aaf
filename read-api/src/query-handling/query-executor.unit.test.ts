import { createInProcessCache } from '@nationpulse/embedded/in-process-cache';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import { CacheUnavailableError, type ReadStore, type ResponseCache } from '@nationpulse/ports';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineQuery } from './query-definition.ts';
import { createQueryExecutor, RESPONSE_CACHE_PREFIX, responseCacheKey } from './query-executor.ts';
import type { WaitForPosition } from './wait-for-position.ts';

let readStore: ReadStore;
beforeEach(async () => {
  readStore = createSqliteReadStore({ path: ':memory:' });
  await readStore.commit([{ op: 'put', collection: 'things', id: 'a', doc: { n: 1 }, position: 1 }], { name: 'series', position: 40 });
  await readStore.commit([], { name: 'observations', position: 30 });
});
afterEach(() => readStore.close());

/** Reads two projections and counts its runs. */
const runs = { count: 0 };
const thing = defineQuery({
  name: 'thing',
  input: z.object({ id: z.string().min(1), n: z.coerce.number().int().optional() }),
  reads: ['series', 'observations'],
  async run(input, deps) {
    runs.count++;
    return { n: (await deps.readStore.get<{ n: number }>('things', input.id))?.doc.n ?? null };
  },
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the query should fail'),
    (e: unknown) => e as { code: string; kind: string; details: unknown },
  );

describe('createQueryExecutor', () => {
  it('answers the result with the lowest checkpoint of the projections read', async () => {
    const executor = createQueryExecutor({ readStore });
    expect(await executor.execute(thing, { id: 'a' })).toEqual({ result: { n: 1 }, position: 30 });
    await readStore.deleteCheckpoint('observations');
    expect(await executor.execute(thing, { id: 'a' })).toEqual({ result: { n: 1 }, position: 0 });
  });

  it('validates the input and minPosition with field-level details', async () => {
    const executor = createQueryExecutor({ readStore });
    expect(await failure(executor.execute(thing, { id: '', n: 'x' }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [
        { path: 'id', message: expect.any(String) },
        { path: 'n', message: expect.any(String) },
      ],
    });
    expect(await failure(executor.execute(thing, { id: 'a' }, { minPosition: -1 }))).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'minPosition' }] });
  });

  it('waits on the projections below minPosition through the pluggable waiter, within one time budget', async () => {
    const calls: [string, number, number][] = [];
    const waitForPosition: WaitForPosition = async (name, position, timeoutMs) => {
      calls.push([name, position, timeoutMs]);
      return position + 5;
    };
    const executor = createQueryExecutor({ readStore, waitForPosition, waitTimeoutMs: 1_000 });
    expect(await executor.execute(thing, { id: 'a' }, { minPosition: 35 })).toEqual({ result: { n: 1 }, position: 40 });
    expect(calls).toEqual([['observations', 35, expect.any(Number)]]);
    expect(calls[0]![2]).toBeGreaterThan(900);
    expect(calls[0]![2]).toBeLessThanOrEqual(1_000);

    calls.length = 0;
    expect((await executor.execute(thing, { id: 'a' }, { minPosition: 50 })).position).toBe(55);
    expect(calls.map(([name]) => name)).toEqual(['series', 'observations']);
  });

  it('answers POSITION_NOT_REACHED (unavailable) when the budget runs out, however many projections lag', async () => {
    const executor = createQueryExecutor({ readStore, waitTimeoutMs: 200 });
    const started = Date.now();
    const error = await failure(executor.execute(thing, { id: 'a' }, { minPosition: 100 }));
    const waited = Date.now() - started;
    expect(error).toMatchObject({ kind: 'unavailable', code: 'POSITION_NOT_REACHED', details: { projection: 'series', minPosition: 100, position: 40 } });
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(waited).toBeLessThan(400);
    await readStore.deleteCheckpoint('series');
    expect(await failure(executor.execute(thing, { id: 'a' }, { minPosition: 1 }))).toMatchObject({ details: { projection: 'series', position: null } });
  });

  it('polls the checkpoint by default and answers as soon as it gets there', async () => {
    const executor = createQueryExecutor({ readStore, waitTimeoutMs: 2_000 });
    setTimeout(() => void readStore.commit([{ op: 'put', collection: 'things', id: 'a', doc: { n: 2 }, position: 41 }], { name: 'observations', position: 41 }), 100);
    const started = Date.now();
    expect(await executor.execute(thing, { id: 'a' }, { minPosition: 40 })).toEqual({ result: { n: 2 }, position: 40 });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('the response cache', () => {
  it('serves a hot answer for the TTL under the query and canonical input, with its position', async () => {
    const cache = createInProcessCache();
    const executor = createQueryExecutor({ readStore, responseCache: cache.responses, responseCacheTtlMs: 60_000 });
    runs.count = 0;
    expect(await executor.execute(thing, { id: 'a', n: 1 })).toEqual({ result: { n: 1 }, position: 30 });
    // No cacheScope: the query's namespace, an empty scope, the canonical input.
    expect(await cache.responses.get(`${RESPONSE_CACHE_PREFIX}thing:|{"id":"a","n":1}`)).toBe('{"position":30,"result":{"n":1}}');
    expect(responseCacheKey({ ...thing, cacheScope: (input: { id: string }) => input.id }, { id: 'a', n: 1 })).toBe(`${RESPONSE_CACHE_PREFIX}thing:a|{"id":"a","n":1}`);
    await readStore.commit([{ op: 'put', collection: 'things', id: 'a', doc: { n: 2 }, position: 50 }], { name: 'observations', position: 50 });
    // Same input, keys in another order and n as a string: the same canonical input, the cached answer.
    expect(await executor.execute(thing, { n: '1', id: 'a' })).toEqual({ result: { n: 1 }, position: 30 });
    expect(await executor.execute(thing, { id: 'a', n: 1 }, { minPosition: 30 })).toEqual({ result: { n: 1 }, position: 30 });
    expect(runs.count).toBe(1);
    // Read-your-writes bypasses a cached answer that is too old, and refreshes it.
    expect(await executor.execute(thing, { id: 'a', n: 1 }, { minPosition: 31 })).toEqual({ result: { n: 2 }, position: 40 });
    expect(await executor.execute(thing, { id: 'a', n: 1 })).toEqual({ result: { n: 2 }, position: 40 });
    expect(runs.count).toBe(2);
    await cache.close();
  });

  it('is off with a TTL of 0, and a failing cache only costs the lookup', async () => {
    const get = vi.fn(async (): Promise<string | null> => {
      throw new CacheUnavailableError('down');
    });
    const broken: ResponseCache = {
      get,
      set: vi.fn(async () => {
        throw new CacheUnavailableError('down');
      }),
      delete: vi.fn(),
      deleteByPrefix: vi.fn(),
    };
    const off = createQueryExecutor({ readStore, responseCache: broken, responseCacheTtlMs: 0 });
    await off.execute(thing, { id: 'a' });
    expect(get).not.toHaveBeenCalled();

    const errors: unknown[] = [];
    const executor = createQueryExecutor({ readStore, responseCache: broken, responseCacheTtlMs: 1_000, onCacheError: (e) => errors.push(e) });
    expect(await executor.execute(thing, { id: 'a' })).toEqual({ result: { n: 1 }, position: 30 });
    expect(errors).toHaveLength(2);
  });
});

import { randomUUID } from 'node:crypto';
import { connect as tcpConnect, createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { ReadStoreUnavailableError } from '@nationpulse/ports';
import { testReadStore } from '@nationpulse/ports/testing';
import { createMongoReadStore } from './mongo-read-store.ts';

/**
 * Runs against MONGO_URL, or the local test peer (`scripts/servers/mongo.sh start`). Not skipped
 * when nothing answers: the suite fails, saying so.
 */
const url = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
/** A database of its own per run, dropped at the end. */
const database = `np_read_store_test_${randomUUID().slice(0, 8)}`;

const connect = async () => {
  const store = createMongoReadStore({ url, database });
  try {
    await store.ping();
  } catch (error) {
    await store.close();
    throw new Error(`No MongoDB answers at ${url}: start one (scripts/servers/mongo.sh start) or set MONGO_URL`, { cause: error });
  }
  return store;
};

testReadStore('mongodb', {
  create: connect,
  // A second client is a second connection pool: another process' view of the same database.
  reopen: connect,
});

/** A local port nothing listens on: bound, then released. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
};

describe('MongoDB read store: unavailability', () => {
  it('fails fast with ReadStoreUnavailableError when nothing listens, with the default timeouts', async () => {
    const store = createMongoReadStore({ url: `mongodb://127.0.0.1:${await closedPort()}`, database });
    try {
      for (const operation of [() => store.ping(), () => store.get('anything', 'x'), () => store.commit([], { name: 'cp', position: 1 })]) {
        const started = Date.now();
        const error: unknown = await operation().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ReadStoreUnavailableError);
        expect(error).toMatchObject({ kind: 'unavailable', code: 'READ_STORE_UNAVAILABLE' });
        expect(Date.now() - started).toBeLessThan(3_000);
      }
    } finally {
      await store.close();
    }
  }, 15_000);

  it('recovers when the server comes up after the store (its first connection failed): no "Topology is closed" for ever', async () => {
    // A port that refuses until the server "comes up", then forwards to the real one.
    const target = new URL(url);
    let up = false;
    const sockets = new Set<Socket>();
    const proxy = createServer((client) => {
      if (!up) return void client.destroy();
      const upstream = tcpConnect(Number(target.port || 27017), target.hostname);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const end = () => (client.destroy(), upstream.destroy());
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as { port: number }).port;
    const store = createMongoReadStore({ url: `mongodb://127.0.0.1:${port}/?directConnection=true`, database, connectTimeoutMs: 300 });
    try {
      await expect(store.ping()).rejects.toBeInstanceOf(ReadStoreUnavailableError);
      up = true;
      let answered = false;
      for (const deadline = Date.now() + 10_000; !answered && Date.now() < deadline; await sleep(100)) {
        answered = await store.ping().then(() => true, () => false);
      }
      expect(answered).toBe(true);
    } finally {
      await store.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  }, 20_000);

  it('reports a closed store as unavailable', async () => {
    const store = createMongoReadStore({ url, database });
    await store.close();
    await expect(store.find('anything')).rejects.toBeInstanceOf(ReadStoreUnavailableError);
    await store.close();
  });
});

afterAll(async () => {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 2_000 });
  try {
    await client.db(database).dropDatabase();
  } catch {
    // nothing to clean up when the server never answered
  } finally {
    await client.close();
  }
});

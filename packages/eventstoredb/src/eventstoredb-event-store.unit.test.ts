import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { EventStoreUnavailableError } from '@nationpulse/ports';
import { newEvent } from '@nationpulse/ports/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventStoreDbEventStore } from './eventstoredb-event-store.ts';

/**
 * The adapter's failure paths, through the real client, without EventStoreDB: a port nobody
 * listens on (connection refused) and a "black hole" that accepts TCP connections and never
 * answers (every call must then end at its deadline). The happy paths need a server: see
 * eventstoredb-event-store.int.test.ts.
 */

const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
};

const listen = (server: Server) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

let blackHole: Server;
let blackHolePort: number;
let refusedPort: number;
const sockets = new Set<Socket>();

beforeAll(async () => {
  blackHole = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  blackHolePort = await listen(blackHole);
  const probe = createServer();
  refusedPort = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => blackHole.close(resolve));
});

const unavailable = (error: unknown) => {
  expect(error).toBeInstanceOf(EventStoreUnavailableError);
  expect(error).toMatchObject({ kind: 'unavailable', code: 'EVENT_STORE_UNAVAILABLE' });
  return error as EventStoreUnavailableError;
};

const failureOf = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );

describe('EventStoreDB adapter when the server refuses connections', () => {
  const open = () => createEventStoreDbEventStore({ connectionString: `esdb://127.0.0.1:${refusedPort}?tls=false`, deadlineMs: 5_000 });

  it('reports every operation as unavailable, translated from the driver error rather than timed out', async () => {
    const store = open();
    try {
      const started = Date.now();
      const failures = await Promise.all([
        failureOf(store.append('order-1', [newEvent('Placed')], 'no_stream')),
        failureOf(collect(store.readStream('order-1'))),
        failureOf(store.streamRevision('order-1')),
        failureOf(collect(store.readAll())),
        failureOf(store.headPosition()),
        failureOf(collect(store.subscribeToAll())),
      ]);
      for (const failure of failures) {
        const error = unavailable(failure);
        expect(error.message).not.toMatch(/deadline/);
        expect(error.cause).toBeInstanceOf(Error);
      }
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await store.close();
    }
  });
});

describe('EventStoreDB adapter when the server never answers', () => {
  const deadlineMs = 300;
  const open = () => createEventStoreDbEventStore({ connectionString: `esdb://127.0.0.1:${blackHolePort}?tls=false`, deadlineMs });

  it('ends every call at its deadline with EventStoreUnavailableError', async () => {
    const store = open();
    try {
      const started = Date.now();
      const failures = await Promise.all([
        failureOf(store.append('order-1', [newEvent('Placed')], 'no_stream')),
        failureOf(collect(store.readStream('order-1'))),
        failureOf(store.streamRevision('order-1')),
        failureOf(collect(store.readAll({ after: 1_024 }))),
        failureOf(store.headPosition()),
        failureOf(collect(store.subscribeToAll({ filter: { eventTypes: ['Placed'] } }))),
      ]);
      for (const failure of failures) expect(unavailable(failure).message).toMatch(/exceeded its 300 ms deadline/);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(deadlineMs - 20);
      expect(elapsed).toBeLessThan(5_000);
    } finally {
      await store.close();
    }
  });

  it('ends the iteration of a subscription closed while it waits', async () => {
    const store = createEventStoreDbEventStore({ connectionString: `esdb://127.0.0.1:${blackHolePort}?tls=false`, deadlineMs: 10_000 });
    try {
      const sub = store.subscribeToAll({ after: 4_096 });
      const pending = (async () => {
        for await (const _ of sub) return 'event';
        return 'closed';
      })();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await sub.close();
      await expect(pending).resolves.toBe('closed');

      const closedFirst = store.subscribeToAll();
      await closedFirst.close();
      expect(await collect(closedFirst)).toEqual([]);

      // Closing the store ends subscriptions still open.
      const open = store.subscribeToAll();
      const ended = collect(open);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await store.close();
      await expect(ended).resolves.toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe('EventStoreDB adapter arguments and lifecycle', () => {
  const open = () => createEventStoreDbEventStore({ connectionString: `esdb://127.0.0.1:${refusedPort}?tls=false` });

  it('rejects arguments the server would misread, before calling it', async () => {
    const store = open();
    try {
      await expect(store.append('order-1', [newEvent('Placed')], -1)).rejects.toBeInstanceOf(RangeError);
      await expect(store.append('order-1', [newEvent('Placed')], 1.5)).rejects.toBeInstanceOf(RangeError);
      await expect(collect(store.readStream('order-1', { fromRevision: -1 }))).rejects.toBeInstanceOf(RangeError);
      await expect(collect(store.readAll({ after: -1 }))).rejects.toBeInstanceOf(RangeError);
      expect(() => createEventStoreDbEventStore({ connectionString: 'esdb://127.0.0.1:2113?tls=false', deadlineMs: 0 })).toThrow(RangeError);
    } finally {
      await store.close();
    }
  });

  it('never reads system streams', async () => {
    const store = open();
    try {
      expect(await collect(store.readStream('$ce-order'))).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('closes once, then refuses calls as unavailable', async () => {
    const store = open();
    await store.close();
    await store.close();
    unavailable(await failureOf(store.append('order-1', [newEvent('Placed')], 'any')));
    unavailable(await failureOf(store.headPosition()));
    unavailable(await failureOf(collect(store.readAll())));
    expect(() => store.subscribeToAll()).toThrow(EventStoreUnavailableError);
  });
});

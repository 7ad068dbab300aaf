import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { testReadStore } from '@nationpulse/ports/testing';
import { describe, expect, it } from 'vitest';
import { createSqliteReadStore, releaseWriteTurnOf } from './sqlite-read-store.ts';

testReadStore('sqlite :memory:', {
  create: async () => createSqliteReadStore({ path: ':memory:' }),
});

const dir = mkdtempSync(join(tmpdir(), 'np-rs-'));
const path = join(dir, 'read.db');

testReadStore('sqlite file', {
  create: async () => createSqliteReadStore({ path }),
  // A second connection to the same file behaves like another process sharing it.
  reopen: async () => createSqliteReadStore({ path }),
});

describe('sqlite read store: write turns shared by threads', () => {
  it('commits while the turn is free, waits for it while another connection holds it, and frees it after a failed commit too', async () => {
    const turnsPath = join(dir, 'turns.db');
    const writeTurns = new SharedArrayBuffer(4);
    const turns = new Int32Array(writeTurns);
    const store = createSqliteReadStore({ path: turnsPath, writeTurns });
    try {
      await store.commit([{ op: 'put', collection: 'docs', id: 'a', doc: { n: 1 }, position: 1 }], { name: 'cp', position: 1 });
      expect(Atomics.load(turns, 0), 'free after a commit').toBe(0);
      // Another thread (id 41) holds the turn: a commit waits until it is given back (here, by a worker 150 ms later).
      Atomics.store(turns, 0, 42);
      const worker = new Worker(`const { workerData } = require('node:worker_threads'); setTimeout(() => { const t = new Int32Array(workerData); Atomics.store(t, 0, 0); Atomics.notify(t, 0); }, 150);`, { eval: true, workerData: writeTurns });
      const started = performance.now();
      await store.commit([{ op: 'put', collection: 'docs', id: 'b', doc: { n: 2 }, position: 2 }], { name: 'cp', position: 2 });
      expect(performance.now() - started, 'waited for the turn').toBeGreaterThanOrEqual(100);
      await worker.terminate();
      expect((await store.get('docs', 'b'))?.doc).toEqual({ n: 2 });
      // A commit that fails inside its transaction (a bad checkpoint position) gives the turn back and writes nothing.
      await expect(store.commit([{ op: 'put', collection: 'docs', id: 'c', doc: { n: 3 }, position: 3 }], { name: 'cp', position: -1 })).rejects.toThrow();
      expect(Atomics.load(turns, 0), 'free after a failed commit').toBe(0);
      expect(await store.get('docs', 'c')).toBeNull();
      // A thread that exited holding the turn: its release frees it; another thread's exit leaves it held.
      Atomics.store(turns, 0, 42);
      releaseWriteTurnOf(writeTurns, 7);
      expect(Atomics.load(turns, 0), 'still held by thread 41').toBe(42);
      releaseWriteTurnOf(writeTurns, 41);
      expect(Atomics.load(turns, 0), 'freed').toBe(0);
    } finally {
      await store.close();
    }
  });
});

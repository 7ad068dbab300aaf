import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamRevisionConflictError } from '@nationpulse/ports';
import { newEvent, testEventStore } from '@nationpulse/ports/testing';
import { describe, expect, it } from 'vitest';
import { createSqliteEventStore } from './sqlite-event-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'np-es-'));
const path = join(dir, 'events.db');

testEventStore('sqlite', {
  create: async () => createSqliteEventStore({ path }),
  // A second connection to the same file behaves like another process sharing it.
  reopen: async () => createSqliteEventStore({ path }),
});

describe('sqlite event store: group commit and filtered subscriptions', () => {
  const fresh = () => createSqliteEventStore({ path: join(mkdtempSync(join(tmpdir(), 'np-es-group-')), 'events.db') });

  it('commits the appends of one turn together, each succeeding or failing on its own, in call order', async () => {
    const store = fresh();
    try {
      await store.append('s-taken', [newEvent('A')], 'no_stream');
      const outcomes = await Promise.allSettled([
        store.append('s-1', [newEvent('A'), newEvent('B')], 'no_stream'),
        store.append('s-taken', [newEvent('A')], 'no_stream'), // conflicts: the stream exists
        store.append('s-2', [newEvent('A')], 'no_stream'),
        store.append('s-1', [newEvent('C')], 1), // sees the first append of the same turn
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(StreamRevisionConflictError);
      const positions = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.position] : []));
      expect(positions).toEqual([3, 4, 5]);
      const all: string[] = [];
      for await (const e of store.readAll()) all.push(`${e.streamId}:${e.revision}:${e.type}`);
      expect(all).toEqual(['s-taken:0:A', 's-1:0:A', 's-1:1:B', 's-2:0:A', 's-1:2:C']);
    } finally {
      await store.close();
    }
  });

  it('writes the appends still pending when closed', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'np-es-close-')), 'events.db');
    const store = createSqliteEventStore({ path });
    const pending = store.append('s', [newEvent('A')], 'no_stream');
    await store.close();
    await expect(pending).resolves.toEqual({ nextRevision: 0, position: 1 });
    const reopened = createSqliteEventStore({ path });
    expect(await reopened.headPosition()).toBe(1);
    await reopened.close();
  });

  it('delivers each rare event to a filtered subscription after thousands of others, once and in order', async () => {
    const store = fresh();
    const sub = store.subscribeToAll({ filter: { eventTypes: ['Rare'] } });
    try {
      const got: number[] = [];
      const reading = (async () => {
        for await (const e of sub) {
          got.push((e.data as { n: number }).n);
          if (got.length === 3) return;
        }
      })();
      for (let n = 1; n <= 3; n++) {
        // Many turns of other events (the subscription wakes at each), then the rare one.
        for (let i = 0; i < 20; i++) await Promise.all(Array.from({ length: 50 }, (_, j) => store.append(`noise-${n}-${i}-${j}`, [newEvent('Common')], 'no_stream')));
        await store.append(`rare-${n}`, [newEvent('Rare', { n })], 'no_stream');
      }
      await reading;
      expect(got).toEqual([1, 2, 3]);
    } finally {
      await sub.close();
      await store.close();
    }
  });
});

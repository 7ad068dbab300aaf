import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import type { EventStore, NewEvent, RecordedEvent } from '@nationpulse/ports';
import { afterEach, describe, expect, it } from 'vitest';
import { cooperativeEventStore, createTurns } from './cooperative.ts';

const event = (i: number): NewEvent => {
  const eventId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return { type: 'Tested', data: { i }, metadata: { eventId, correlationId: eventId, causationId: null, actor: 'test', occurredAt: '2026-01-01T00:00:00.000Z', traceparent: null, source: 'test', schemaVersion: 1 } };
};

/** Counts the event loop's turns (check phases) while `work` runs. */
const turnsDuring = async (work: () => Promise<void>): Promise<number> => {
  let turns = 0;
  let counting = true;
  const tick = () => {
    if (!counting) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  await work();
  counting = false;
  return turns;
};

describe('cooperativeEventStore', () => {
  let store: EventStore;
  afterEach(async () => store?.close());

  const seeded = async (n: number) => {
    store = createSqliteEventStore({ path: ':memory:' });
    await store.append('s-1', Array.from({ length: n }, (_, i) => event(i)), 'no_stream');
    return store;
  };

  it('gives the event loop a turn each time a read has spent its budget', async () => {
    await seeded(200);
    // 1 ms of (fake) work per event: a 10 ms budget means a turn every 10 events.
    let clock = 0;
    const consume = (events: AsyncIterable<RecordedEvent>) => async () => {
      for await (const _ of events) clock += 1;
    };

    // The SQLite store answers synchronously: the whole read is one run of microtasks, no I/O in between.
    expect(await turnsDuring(consume(store.readStream('s-1')))).toBe(0);

    const cooperative = cooperativeEventStore(store, createTurns({ budgetMs: 10, now: () => clock }));
    const turns = await turnsDuring(consume(cooperative.readStream('s-1')));
    expect(turns).toBeGreaterThanOrEqual(19);
    expect(turns).toBeLessThanOrEqual(22);
  });

  it('yields before an append once the budget is spent, and not before', async () => {
    await seeded(1);
    let clock = 0;
    const cooperative = cooperativeEventStore(store, createTurns({ budgetMs: 10, now: () => clock }));
    // The store's group commit takes turns of its own; a spent budget adds one before it.
    const without = await turnsDuring(() => store.append('s-3', [event(2)], 'no_stream').then(() => undefined));
    expect(await turnsDuring(() => cooperative.append('s-2', [event(1)], 'no_stream').then(() => undefined))).toBe(without);
    clock = 10;
    expect(await turnsDuring(() => cooperative.append('s-4', [event(3)], 'no_stream').then(() => undefined))).toBe(without + 1);
  });

  it('reads, subscribes and fails exactly like the store', async () => {
    await seeded(30);
    const cooperative = cooperativeEventStore(store, createTurns({ budgetMs: 0 }));
    const all = async (events: AsyncIterable<RecordedEvent>) => {
      const out: number[] = [];
      for await (const e of events) out.push(e.position);
      return out;
    };
    expect(await all(cooperative.readStream('s-1', { direction: 'backwards', maxCount: 5 }))).toEqual(await all(store.readStream('s-1', { direction: 'backwards', maxCount: 5 })));
    expect(await all(cooperative.readAll({ after: 10 }))).toEqual(await all(store.readAll({ after: 10 })));
    expect(await cooperative.streamRevision('s-1')).toBe(29);
    expect(await cooperative.headPosition()).toBe(await store.headPosition());
    await expect(cooperative.append('s-1', [event(99)], 'no_stream')).rejects.toMatchObject({ code: 'STREAM_REVISION_CONFLICT' });

    // A subscription: the stored events, then live ones; close() ends it.
    const subscription = cooperative.subscribeToAll({ after: 28 });
    const seen: number[] = [];
    const reading = (async () => {
      for await (const e of subscription) {
        seen.push(e.position);
        if (seen.length === 3) await subscription.close();
      }
    })();
    await cooperative.append('s-1', [event(30)], 29);
    await reading;
    expect(seen).toEqual([29, 30, 31]);
  });
});

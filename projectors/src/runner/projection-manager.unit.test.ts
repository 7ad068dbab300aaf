import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import { ReadStoreUnavailableError, type ReadStore } from '@nationpulse/ports';
import { PROJECTION_STATE_COLLECTION } from '@nationpulse/read-models';
import { describe, expect, it } from 'vitest';
import { dump, eventually, seedObservations, tallyProjection } from '../testing/fixtures.ts';
import { createProjectionManager } from './projection-manager.ts';

const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
const countries = ['FRA', 'DEU', 'ITA'];

/** A read store that can be taken out of reach, or swapped for another (a server that came back empty). */
const switchable = (initial: ReadStore) => {
  let target = initial;
  let down = false;
  // Every method goes to the current target, or fails as unavailable while down (close always goes through).
  const store = new Proxy({} as ReadStore, {
    get: (_, method: keyof ReadStore) =>
      (...args: unknown[]): Promise<unknown> =>
        down && method !== 'close' ? Promise.reject(new ReadStoreUnavailableError('read store out of reach')) : (target[method] as (...a: unknown[]) => Promise<unknown>).apply(target, args),
  });
  return {
    store,
    down: () => void (down = true),
    up: (replacement?: ReadStore) => {
      if (replacement) target = replacement;
      down = false;
    },
  };
};

describe('projection manager: a read store that goes away and comes back', () => {
  it('restarts a live projection that failed while the store was out of reach, from its checkpoint, without a manual step', async () => {
    const eventStore = createSqliteEventStore({ path: ':memory:' });
    const real = createSqliteReadStore({ path: ':memory:' });
    const readStore = switchable(real);
    await seedObservations(eventStore, countries, [2000, 2001], 2);
    const errors: unknown[] = [];
    const manager = createProjectionManager({ eventStore, readStore: readStore.store, projections: [tallyProjection()], clock, restartDelayMs: 10, maxRestartDelayMs: 50, onError: (_, e) => errors.push(e) });
    await manager.start();
    await eventually(async () => (await real.checkpoint('tally')) === (await eventStore.headPosition()));

    readStore.down();
    await seedObservations(eventStore, ['FRA'], [2002], 1);
    await eventually(async () => errors.length > 0);
    readStore.up();
    await eventually(async () => (await real.checkpoint('tally')) === (await eventStore.headPosition()) && (await manager.status())[0]?.status === 'live');
    expect((await manager.status())[0]).toMatchObject({ status: 'live', lag: 0, error: null });
    expect((await real.get<{ changes: number }>('tally', 'FRA'))?.doc.changes).toBe(5);
    await manager.stop();
  });

  it('starts over on a store that came back empty (an in-memory server restarted) and ends as a clean build', async () => {
    const eventStore = createSqliteEventStore({ path: ':memory:' });
    const readStore = switchable(createSqliteReadStore({ path: ':memory:' }));
    await seedObservations(eventStore, countries, [2000, 2001], 3);
    const errors: unknown[] = [];
    const manager = createProjectionManager({ eventStore, readStore: readStore.store, projections: [tallyProjection()], clock, restartDelayMs: 10, maxRestartDelayMs: 50, onError: (_, e) => errors.push(e) });
    await manager.start();
    await eventually(async () => (await readStore.store.checkpoint('tally')) === (await eventStore.headPosition()));

    readStore.down();
    await seedObservations(eventStore, ['DEU'], [2002], 1);
    // The runner notices the outage (its commit fails); the store it finds again is empty.
    await eventually(async () => errors.length > 0);
    const emptied = createSqliteReadStore({ path: ':memory:' });
    readStore.up(emptied);
    await eventually(async () => (await emptied.checkpoint('tally')) === (await eventStore.headPosition()));

    const clean = createSqliteReadStore({ path: ':memory:' });
    const reference = createProjectionManager({ eventStore, readStore: clean, projections: [tallyProjection()], clock });
    await reference.start();
    await eventually(async () => (await clean.checkpoint('tally')) === (await eventStore.headPosition()));
    await reference.stop();
    expect(JSON.parse(await dump(emptied, "tally"))).toEqual(JSON.parse(await dump(clean, "tally")));
    // Its bookkeeping is written again too.
    expect((await emptied.get(PROJECTION_STATE_COLLECTION, 'tally'))?.doc).toMatchObject({ status: 'live' });
    await manager.stop();
  });
});

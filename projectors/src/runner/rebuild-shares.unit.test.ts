import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import type { EventStore, ReadStore } from '@nationpulse/ports';
import { projections, seriesProjection, type ProjectionDefinition } from '@nationpulse/read-models';
import { describe, expect, it } from 'vitest';
import { dump, eventually, seedObservations, tallyProjection } from '../testing/fixtures.ts';
import { createProjectionManager } from './projection-manager.ts';
import { startProjectionRunner } from './projection-runner.ts';
import { createWorkerShares, inProcessShares } from './worker-shares.ts';

const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
const countries = ['FRA', 'DEU', 'ITA', 'ESP', 'POL', 'NLD', 'BEL'];
const setup = () => ({ eventStore: createSqliteEventStore({ path: ':memory:' }), readStore: createSqliteReadStore({ path: ':memory:' }) });
const sqliteConfig = (dir: string) => ({ NATIONPULSE_DATA_DIR: dir, EVENT_STORE: 'sqlite', READ_STORE: 'sqlite', MONGO_DATABASE: 'nationpulse', CACHE: 'inprocess', REDIS_KEY_PREFIX: 'np:' }) as const;

/** The projection built once from position 0 by one live runner, in a store of its own: what every rebuild must equal. */
const cleanBuild = async (eventStore: EventStore, projection: ProjectionDefinition): Promise<ReadStore> => {
  const head = await eventStore.headPosition();
  const clean = createSqliteReadStore({ path: ':memory:' });
  const reference = createProjectionManager({ eventStore, readStore: clean, projections: [projection], clock });
  await reference.start();
  await eventually(async () => (await clean.checkpoint(projection.name)) === head);
  await reference.stop();
  return clean;
};

describe('rebuild in shares', () => {
  it('rebuilds a partitioned projection in three shares, each with its own checkpoint, to the same copy as one runner, and clears the shares’ checkpoints at the swap', async () => {
    const { eventStore, readStore } = setup();
    await seedObservations(eventStore, countries, [2000, 2001, 2002], 5);
    const head = await eventStore.headPosition();
    const clean = await cleanBuild(eventStore, tallyProjection(1, { partitioned: true }));

    const shareCommits = new Map<string, number>();
    const observed: ReadStore = {
      ...readStore,
      commit: async (writes, checkpoint) => {
        shareCommits.set(checkpoint.name, checkpoint.position);
        return readStore.commit(writes, checkpoint);
      },
    };
    const manager = createProjectionManager({ eventStore, readStore: observed, projections: [tallyProjection(1, { partitioned: true })], clock, rebuildShares: inProcessShares(3) });
    await manager.start();
    await eventually(async () => (await readStore.checkpoint('tally')) === head);
    await manager.rebuild('tally');
    const [status] = await manager.status();
    await manager.stop();
    expect(status).toMatchObject({ status: 'live', position: head, rebuild: null });
    expect([...shareCommits.keys()].filter((n) => n.startsWith('tally:shadow')).sort()).toEqual(['tally:shadow:0/3', 'tally:shadow:1/3', 'tally:shadow:2/3']);
    for (const share of [0, 1, 2]) expect(await readStore.checkpoint(`tally:shadow:${share}/3`)).toBeNull();
    expect(await dump(readStore, 'tally')).toBe(await dump(clean, 'tally'));
  });

  it.each([
    { resumedIn: 2, how: 'from each share’s checkpoint' },
    { resumedIn: 1, how: 'from the start when resumed by one runner' },
  ])('resumes a rebuild of 2 shares interrupted part-way $how, ends identical to a clean one and leaves no share checkpoint behind', async ({ resumedIn }) => {
    const { eventStore, readStore } = setup();
    await seedObservations(eventStore, countries, [2000, 2001, 2002], 12);
    const head = await eventStore.headPosition();
    const clean = await cleanBuild(eventStore, tallyProjection(2, { partitioned: true }));

    const v1 = createProjectionManager({ eventStore, readStore, projections: [tallyProjection(1, { partitioned: true })], clock });
    await v1.start();
    await eventually(async () => (await readStore.checkpoint('tally')) === head);
    await v1.stop();
    // Share 1's fourth commit fails, as if the process died: the other shares are stopped where they are.
    let commits = 0;
    const crashing: ReadStore = {
      ...readStore,
      commit: async (writes, checkpoint) => {
        if (checkpoint.name === 'tally:shadow:1/2' && ++commits > 3) throw new Error('simulated crash');
        return readStore.commit(writes, checkpoint);
      },
    };
    const interrupted = createProjectionManager({ eventStore, readStore: crashing, projections: [tallyProjection(2, { partitioned: true })], clock, batchSize: 2, rebuildCommitIntervalMs: 0, rebuildShares: inProcessShares(2) });
    await interrupted.start();
    await eventually(async () => (await interrupted.status())[0]?.status === 'failed');
    await interrupted.stop();
    const failedShare = await readStore.checkpoint('tally:shadow:1/2');
    expect(failedShare).toBeGreaterThan(0);
    expect(failedShare).toBeLessThan(head);
    expect((await readStore.get<{ status: string }>('projections_state', 'tally'))?.doc.status).toBe('rebuilding');

    const starts: string[] = [];
    const watched: ReadStore = {
      ...readStore,
      checkpoint: async (name) => {
        const position = await readStore.checkpoint(name);
        if (name.startsWith('tally:shadow')) starts.push(`${name}@${position}`);
        return position;
      },
    };
    const resumed = createProjectionManager({ eventStore, readStore: watched, projections: [tallyProjection(2, { partitioned: true })], clock, rebuildShares: inProcessShares(resumedIn) });
    await resumed.start();
    await eventually(async () => (await resumed.status())[0]?.status === 'live' && (await resumed.status())[0]?.version === 2);
    await resumed.stop();
    expect(await dump(readStore, 'tally')).toBe(await dump(clean, 'tally'));
    // Resumed in 2 shares, share 1 starts where it failed; by one runner, from 0 (its shadow copy was dropped).
    expect(starts).toContain(resumedIn === 2 ? `tally:shadow:1/2@${failedShare}` : 'tally:shadow@null');
    for (const name of ['tally:shadow', 'tally:shadow:0/2', 'tally:shadow:1/2']) expect(await readStore.checkpoint(name), name).toBeNull();
  });

  it('runs the shares in worker threads on the configured SQLite files, ending identical to a rebuild by one runner', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'np-shares-'));
    const eventStore = createSqliteEventStore({ path: join(dir, 'events.db') });
    const readStore = createSqliteReadStore({ path: join(dir, 'read.db') });
    const shares = createWorkerShares({ count: 2, config: sqliteConfig(dir) });
    try {
      await seedObservations(eventStore, countries, [2000, 2001, 2002], 4);
      const head = await eventStore.headPosition();
      const clean = await cleanBuild(eventStore, seriesProjection);

      const manager = createProjectionManager({ eventStore, readStore, projections: [seriesProjection], clock, rebuildShares: shares });
      await manager.start();
      await eventually(async () => (await readStore.checkpoint('series')) === head);
      await manager.rebuild('series');
      await manager.stop();
      const series = async (store: ReadStore) => JSON.stringify((await store.find('series', { orderBy: [{ field: 'country', direction: 'asc' }] })).map((d) => [d.id, d.position, d.doc]));
      expect(await series(readStore)).toBe(await series(clean));
      expect(projections.some((p) => p.name === 'series' && p.partitionKey)).toBe(true);
    } finally {
      await shares.close();
      await readStore.close();
      await eventStore.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('finishes a rebuild whose shares had all reached the head before the process died: the workers report where they resume', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'np-shares-'));
    const eventStore = createSqliteEventStore({ path: join(dir, 'events.db') });
    const readStore = createSqliteReadStore({ path: join(dir, 'read.db') });
    const config = sqliteConfig(dir);
    try {
      await seedObservations(eventStore, countries, [2000, 2001], 2);
      const head = await eventStore.headPosition();
      const live = createProjectionManager({ eventStore, readStore, projections: [seriesProjection], clock });
      await live.start();
      await eventually(async () => (await readStore.checkpoint('series')) === head);
      await live.stop();
      // A rebuild whose shares both reached the head, then died before the swap: its record still says rebuilding.
      for (const index of [0, 1]) {
        const share = startProjectionRunner({ eventStore, readStore, projection: seriesProjection, copy: 'shadow', share: { index, count: 2 } });
        await eventually(async () => (await readStore.checkpoint(`series:shadow:${index}/2`)) === head);
        await share.stop();
      }
      const record = { name: 'series', version: seriesProjection.version, status: 'rebuilding', rebuildVersion: seriesProjection.version, liveFrozen: false, swapPosition: null, updatedAt: clock.now().toISOString() };
      await readStore.commit([{ op: 'put', collection: 'projections_state', id: 'series', doc: record, position: head + 1 }], { name: 'projections_state:series', position: head + 1 });
      const stateAt = async () => (await readStore.get<{ status: string }>('projections_state', 'series'))?.doc.status;

      const shares = createWorkerShares({ count: 2, config });
      const resumed = createProjectionManager({ eventStore, readStore, projections: [seriesProjection], clock, rebuildShares: shares });
      try {
        await resumed.start();
        await eventually(async () => (await stateAt()) === 'live', 20_000);
      } finally {
        await resumed.stop();
        await shares.close();
      }
      expect(await readStore.checkpoint('series:shadow:0/2')).toBeNull();
      expect(await readStore.checkpoint('series')).toBe(head);
    } finally {
      await readStore.close();
      await eventStore.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import type { EventStore, ReadStore, RecordedEvent } from '@nationpulse/ports';
import { describe, expect, it } from 'vitest';
import { dump, eventually, recorded, seedObservations, tallyProjection } from '../testing/fixtures.ts';
import { createProjectionManager } from './projection-manager.ts';
import { applyBatch, createDeferredWrites, createDocumentCache, startProjectionRunner } from './projection-runner.ts';

const readEvents = async (eventStore: EventStore, after: number, maxCount: number): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  for await (const e of eventStore.readAll({ after, maxCount })) events.push(e);
  return events;
};

const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
const setup = () => ({ eventStore: createSqliteEventStore({ path: ':memory:' }), readStore: createSqliteReadStore({ path: ':memory:' }) });
const countries = ['FRA', 'DEU', 'ITA', 'ESP'];

describe('projection runner', () => {
  it('projects events in batches and checkpoints the last position', async () => {
    const { eventStore, readStore } = setup();
    await seedObservations(eventStore, countries, [2000, 2001, 2002], 3);
    const runner = startProjectionRunner({ eventStore, readStore, projection: tallyProjection(), copy: 'live', batchSize: 5 });
    const head = await eventStore.headPosition();
    await eventually(async () => (await readStore.checkpoint('tally')) === head);
    await runner.stop();
    expect((await readStore.get('tally', 'FRA'))?.doc).toEqual({ country: 'FRA', version: 1, changes: 9, sum: (20000 + 20010 + 20020) * 3 + 3 * 3 });
  });

  it('commits the tail of a catch-up at once instead of waiting for the partial batch to fill', async () => {
    const { eventStore, readStore } = setup();
    await seedObservations(eventStore, countries, [2000, 2001, 2002], 3);
    const head = await eventStore.headPosition();
    const committed: number[] = [];
    // 36 events in batches of 5: seven full batches, then one of 1 that would wait 60 s to fill.
    const runner = startProjectionRunner({ eventStore, readStore, projection: tallyProjection(), copy: 'live', batchSize: 5, batchWaitMs: 60_000, onCommitted: (p) => committed.push(p) });
    await eventually(async () => (await readStore.checkpoint('tally')) === head, 5_000);
    expect(committed.at(-1)).toBe(head);
    await runner.stop();
  });

  it('changes nothing when a batch is delivered again (at-least-once), fully or from the middle', async () => {
    const { eventStore, readStore } = setup();
    await seedObservations(eventStore, countries, [2000, 2001], 4);
    const events: RecordedEvent[] = [];
    for await (const e of eventStore.readAll()) events.push(e);
    await applyBatch(readStore, tallyProjection(), 'live', events);
    const once = await dump(readStore, 'tally');
    await applyBatch(readStore, tallyProjection(), 'live', events);
    await applyBatch(readStore, tallyProjection(), 'live', events.slice(5));
    await applyBatch(readStore, tallyProjection(), 'live', events.slice(3, 9));
    expect(await dump(readStore, 'tally')).toBe(once);
  });

  it('edits working copies in place and still changes nothing on a replay, whatever the replayed slice', async () => {
    const { eventStore, readStore } = setup();
    await seedObservations(eventStore, countries, [2000, 2001], 4);
    const events: RecordedEvent[] = [];
    for await (const e of eventStore.readAll()) events.push(e);
    const reference = setup().readStore;
    await applyBatch(reference, tallyProjection(), 'live', events);
    const editing = tallyProjection(1, { edit: true });
    await applyBatch(readStore, editing, 'live', events.slice(0, 7));
    await applyBatch(readStore, editing, 'live', events.slice(3));
    expect(await dump(readStore, 'tally')).toBe(await dump(reference, 'tally'));
    await applyBatch(readStore, editing, 'live', events);
    await applyBatch(readStore, editing, 'live', events.slice(5, 11));
    expect(await dump(readStore, 'tally')).toBe(await dump(reference, 'tally'));
  });

  it('loads the documents of a batch with one getMany per collection, not one get each', async () => {
    const { eventStore, readStore } = setup();
    await seedObservations(eventStore, countries, [2000], 3);
    const events: RecordedEvent[] = [];
    for await (const e of eventStore.readAll()) events.push(e);
    const calls = { get: 0, getMany: [] as string[][] };
    const counting: ReadStore = {
      ...readStore,
      get: (collection, id) => (calls.get++, readStore.get(collection, id)),
      getMany: (collection, ids) => (calls.getMany.push([...ids]), readStore.getMany(collection, ids)),
    };
    await applyBatch(counting, tallyProjection(), 'live', events);
    expect(calls).toEqual({ get: 0, getMany: [countries] });
  });

  it('keeps the documents of earlier batches in memory: a later batch loads none of them and ends as without the cache', async () => {
    const { eventStore, readStore } = setup();
    await seedObservations(eventStore, countries, [2000, 2001], 4);
    const events: RecordedEvent[] = [];
    for await (const e of eventStore.readAll()) events.push(e);
    const reference = setup().readStore;
    for (let i = 0; i < events.length; i += 5) await applyBatch(reference, tallyProjection(1, { edit: true }), 'live', events.slice(i, i + 5));

    const loaded: string[] = [];
    const counting: ReadStore = { ...readStore, getMany: (collection, ids) => (loaded.push(...ids), readStore.getMany(collection, ids)) };
    const cache = createDocumentCache(100);
    for (let i = 0; i < events.length; i += 5) await applyBatch(counting, tallyProjection(1, { edit: true }), 'live', events.slice(i, i + 5), { cache });
    expect(loaded.sort()).toEqual([...countries].sort()); // each document loaded once (absent), then served from memory
    expect(cache.size).toBe(countries.length);
    expect(await dump(readStore, 'tally')).toBe(await dump(reference, 'tally'));
    // A replay through the cache changes nothing either.
    await applyBatch(counting, tallyProjection(1, { edit: true }), 'live', events.slice(3, 12), { cache });
    expect(await dump(readStore, 'tally')).toBe(await dump(reference, 'tally'));
  });

  it('forgets the cache when a batch fails (its working copies were changed in place), and when full', async () => {
    const { eventStore, readStore } = setup();
    await seedObservations(eventStore, countries, [2000], 2);
    const events: RecordedEvent[] = [];
    for await (const e of eventStore.readAll()) events.push(e);
    const cache = createDocumentCache(100);
    await applyBatch(readStore, tallyProjection(1, { edit: true }), 'live', events.slice(0, 4), { cache });
    expect(cache.size).toBe(4);
    const failing: ReadStore = { ...readStore, commit: () => Promise.reject(new Error('disk full')) };
    await expect(applyBatch(failing, tallyProjection(1, { edit: true }), 'live', events.slice(4), { cache })).rejects.toThrow('disk full');
    expect(cache.size).toBe(0);
    // What the store holds is untouched by the failed batch, and the next batch reads it from there.
    await applyBatch(readStore, tallyProjection(1, { edit: true }), 'live', events.slice(4), { cache });
    expect((await readStore.get<{ changes: number }>('tally', 'FRA'))?.doc.changes).toBe(2);

    const small = createDocumentCache(3);
    for (const [i, country] of countries.entries()) small.set('tally', country, { country }, i + 1);
    expect(small.size).toBe(1); // started over when the fourth came
    expect(small.get('tally', 'ESP')).toEqual({ doc: { country: 'ESP' }, position: 4 });
  });

  it('defers the documents of full batches while catching up and commits each once, with the checkpoint', async () => {
    const { eventStore } = setup();
    await seedObservations(eventStore, countries, [2000, 2001], 20);
    const head = await eventStore.headPosition();
    const reference = setup().readStore;
    for (let i = 0; i < head; i += 5) await applyBatch(reference, tallyProjection(1, { edit: true }), 'live', await readEvents(eventStore, i, 5));

    const catchUp = async (commitIntervalMs: number) => {
      const store = setup().readStore;
      const commits: { documents: number; position: number }[] = [];
      const counting: ReadStore = { ...store, commit: (writes, checkpoint) => (commits.push({ documents: writes.length, position: checkpoint.position }), store.commit(writes, checkpoint)) };
      const runner = startProjectionRunner({ eventStore, readStore: counting, projection: tallyProjection(1, { edit: true }), copy: 'live', batchSize: 5, commitIntervalMs });
      await eventually(async () => runner.position() === head);
      await runner.stop();
      expect(await dump(store, 'tally')).toBe(await dump(reference, 'tally'));
      expect(await store.checkpoint('tally')).toBe(head);
      return commits;
    };
    // A commit per batch: 16 commits of 4 documents (head = 80 events, 4 series).
    expect((await catchUp(0)).filter((c) => c.documents > 0)).toHaveLength(head / 5);
    // Write-behind: every document written once, in the commit that moves the checkpoint to the head.
    expect((await catchUp(60_000)).filter((c) => c.documents > 0)).toEqual([{ documents: countries.length, position: head }]);
  });

  it('loads a deferred document from the deferred writes, not the store, even once the cache has dropped it', async () => {
    const { eventStore, readStore } = setup();
    await seedObservations(eventStore, countries, [2000], 3);
    const events = await readEvents(eventStore, 0, 100);
    const reference = setup().readStore;
    await applyBatch(reference, tallyProjection(1, { edit: true }), 'live', events);

    const cache = createDocumentCache(1); // starts over at every second document
    const deferred = createDeferredWrites(0);
    const editing = tallyProjection(1, { edit: true });
    await applyBatch(readStore, editing, 'live', events.slice(0, 4), { cache, deferred, commit: false });
    await applyBatch(readStore, editing, 'live', events.slice(4, 8), { cache, deferred, commit: false });
    expect(await readStore.checkpoint('tally')).toBeNull();
    expect(await readStore.get('tally', 'FRA')).toBeNull();
    expect(deferred.size).toBe(countries.length);
    await applyBatch(readStore, editing, 'live', events.slice(8), { cache, deferred, commit: true });
    expect(deferred.size).toBe(0);
    expect(await readStore.checkpoint('tally')).toBe(events.at(-1)!.position);
    expect(await dump(readStore, 'tally')).toBe(await dump(reference, 'tally'));
  });

  it('loses nothing when the commit of deferred documents fails: a new runner resumes from the last commit', async () => {
    const { eventStore, readStore } = setup();
    await seedObservations(eventStore, countries, [2000, 2001], 10);
    const head = await eventStore.headPosition();
    const reference = setup().readStore;
    await applyBatch(reference, tallyProjection(1, { edit: true }), 'live', await readEvents(eventStore, 0, head));
    const failing: ReadStore = { ...readStore, commit: () => Promise.reject(new Error('killed')) };
    const crashed = startProjectionRunner({ eventStore, readStore: failing, projection: tallyProjection(1, { edit: true }), copy: 'live', batchSize: 5, commitIntervalMs: 60_000 });
    await expect(crashed.done).rejects.toThrow('killed');
    expect(await readStore.checkpoint('tally')).toBeNull();
    const resumed = startProjectionRunner({ eventStore, readStore, projection: tallyProjection(1, { edit: true }), copy: 'live', batchSize: 5, commitIntervalMs: 60_000 });
    await eventually(async () => (await readStore.checkpoint('tally')) === head);
    await resumed.stop();
    expect(await dump(readStore, 'tally')).toBe(await dump(reference, 'tally'));
  });

  it('moves the checkpoint to the head while idle, so read-your-writes works for events it does not handle', async () => {
    const { eventStore, readStore } = setup();
    await seedObservations(eventStore, countries, [2000], 1);
    const runner = startProjectionRunner({ eventStore, readStore, projection: tallyProjection(), copy: 'live', idleCheckMs: 20 });
    const other = await eventStore.append('user-1', [{ ...recorded('FRA', 'SP.POP.TOTL', []), type: 'UserDisabled', data: { userId: '1', reason: 'x' } }], 'no_stream');
    await eventually(async () => (await readStore.checkpoint('tally')) === other.position);
    // …and the runner's own position stays there through the next idle checks.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 25));
      expect(runner.position()).toBe(other.position);
    }
    await runner.stop();
  });

  it('keeps the projection live: events appended later are applied', async () => {
    const { eventStore, readStore } = setup();
    const runner = startProjectionRunner({ eventStore, readStore, projection: tallyProjection(), copy: 'live' });
    await seedObservations(eventStore, ['FRA'], [2000], 2);
    await eventually(async () => (await readStore.get<{ changes: number }>('tally', 'FRA'))?.doc.changes === 2);
    await runner.stop();
  });
});

describe('projection manager', () => {
  it('rebuilds into a shadow copy while the live copy keeps serving, then swaps to an identical state', async () => {
    const { eventStore, readStore } = setup();
    await seedObservations(eventStore, countries, [2000, 2001, 2002], 5);
    const manager = createProjectionManager({ eventStore, readStore, projections: [tallyProjection()], clock, batchSize: 3 });
    await manager.start();
    const head = await eventStore.headPosition();
    await eventually(async () => (await readStore.checkpoint('tally')) === head);
    const before = await dump(readStore, 'tally');

    const rebuilding = manager.rebuild('tally');
    // The live copy answers during the rebuild.
    expect(await dump(readStore, 'tally')).toBe(before);
    await seedObservations(eventStore, ['FRA'], [2003], 1); // written during the rebuild: must not be lost
    await rebuilding;
    const after = await dump(readStore, 'tally');
    expect(JSON.parse(after)).toContainEqual({ id: 'FRA', doc: expect.objectContaining({ changes: 16 }) });
    expect(await readStore.listCollections('tally__shadow')).toEqual([]);
    expect((await manager.status())[0]).toMatchObject({ name: 'tally', status: 'live', rebuild: null });
    await manager.stop();
  });

  it('rebuilds automatically when the projection version is bumped, serving the old copy meanwhile', async () => {
    const { eventStore, readStore } = setup();
    await seedObservations(eventStore, countries, [2000, 2001], 3);
    const v1 = createProjectionManager({ eventStore, readStore, projections: [tallyProjection(1)], clock });
    await v1.start();
    await eventually(async () => (await readStore.checkpoint('tally')) === (await eventStore.headPosition()));
    await v1.stop();

    const v2 = createProjectionManager({ eventStore, readStore, projections: [tallyProjection(2)], clock });
    await v2.start();
    await eventually(async () => (await v2.status())[0]?.version === 2 && (await v2.status())[0]?.status === 'live');
    const docs = await readStore.find<{ version: number }>('tally');
    expect(docs.map((d) => d.doc.version)).toEqual([2, 2, 2, 2]);
    await v2.stop();
  });

  it('drops the collections an earlier version wrote once the new version is live', async () => {
    const { eventStore, readStore } = setup();
    await seedObservations(eventStore, countries, [2000], 1);
    await readStore.commit([{ op: 'put', collection: 'tally_v1', id: 'FRA', doc: { old: true }, position: 1 }], { name: 'elsewhere', position: 1 });
    const v1 = createProjectionManager({ eventStore, readStore, projections: [tallyProjection(1)], clock });
    await v1.start();
    await eventually(async () => (await readStore.checkpoint('tally')) === (await eventStore.headPosition()));
    await v1.stop();
    expect(await readStore.listCollections('tally')).toEqual(['tally', 'tally_v1']);

    const v2 = createProjectionManager({ eventStore, readStore, projections: [tallyProjection(2, { retiredCollections: ['tally_v1'] })], clock });
    await v2.start();
    await eventually(async () => (await v2.status())[0]?.version === 2 && (await v2.status())[0]?.status === 'live');
    await v2.stop();
    expect(await readStore.listCollections('tally')).toEqual(['tally']);
  });

  it('resumes a rebuild interrupted part-way from the shadow checkpoint and ends identical to a clean one', async () => {
    const { eventStore, readStore } = setup();
    await seedObservations(eventStore, countries, [2000, 2001, 2002], 20);
    const clean = createSqliteReadStore({ path: ':memory:' });
    const reference = createProjectionManager({ eventStore, readStore: clean, projections: [tallyProjection(2)], clock });
    await reference.start();
    await eventually(async () => (await clean.checkpoint('tally')) === (await eventStore.headPosition()));
    await reference.stop();

    const v1 = createProjectionManager({ eventStore, readStore, projections: [tallyProjection(1)], clock });
    await v1.start();
    await eventually(async () => (await readStore.checkpoint('tally')) === (await eventStore.headPosition()));
    await v1.stop();
    // The rebuild "crashes" after five batches: its sixth commit fails, as if the process died
    // (a commit per batch: no write-behind).
    let shadowCommits = 0;
    const crashing: ReadStore = {
      ...readStore,
      commit: async (writes, checkpoint) => {
        if (checkpoint.name === 'tally:shadow' && ++shadowCommits > 5) throw new Error('simulated crash');
        return readStore.commit(writes, checkpoint);
      },
    };
    const interrupted = createProjectionManager({ eventStore, readStore: crashing, projections: [tallyProjection(2)], clock, batchSize: 2, rebuildCommitIntervalMs: 0 });
    await interrupted.start();
    await eventually(async () => (await interrupted.status())[0]?.status === 'failed');
    await interrupted.stop();
    expect(await readStore.checkpoint('tally:shadow')).toBe(10);
    expect((await readStore.get<{ status: string }>('projections_state', 'tally'))?.doc.status).toBe('rebuilding');

    const resumed = createProjectionManager({ eventStore, readStore, projections: [tallyProjection(2)], clock });
    await resumed.start();
    await eventually(async () => (await resumed.status())[0]?.status === 'live' && (await resumed.status())[0]?.version === 2);
    await resumed.stop();
    expect(await dump(readStore, 'tally')).toBe(await dump(clean, 'tally'));
  });
});

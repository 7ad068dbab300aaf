import { randomUUID } from 'node:crypto';
import {
  ObservationCorrected,
  ObservationsRecorded,
  RoleGranted,
  RoleRevoked,
  UserDisabled,
  UserRegistered,
  type EventDefinition,
} from '@nationpulse/domain';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import type { Cache, EventStore, NewEvent, RankedMember, ReadStore } from '@nationpulse/ports';
import { createRankingBoardsReader, createReadSide, queries, responseCacheKey } from '@nationpulse/read-api';
import { collections, rankingOf, type IndicatorYearDoc } from '@nationpulse/read-models';
import { afterEach, describe, expect, it } from 'vitest';
import { createProjectors } from '../../composition.ts';
import type { ProjectionManager } from '../../runner/projection-manager.ts';
import { eventually } from '../../testing/fixtures.ts';
import { listingMembers, readSyncMarker, type DerivedStage } from '../derived-sync.ts';
import {
  PERMISSIONS_SYNC_MARKER,
  PERMISSIONS_USERS_LISTING,
  RANKING_BOARDS_LISTING,
  RANKINGS_SYNC_MARKER,
  rankingBoard,
} from '../keys.ts';

/** An event as the write side appends it: data valid for its definition, full metadata. */
export const newEvent = <T extends string, D>(definition: EventDefinition<T, D>, data: D): NewEvent => ({
  type: definition.type,
  data,
  metadata: {
    eventId: randomUUID(),
    correlationId: randomUUID(),
    causationId: null,
    actor: 'user:test-admin',
    occurredAt: new Date().toISOString(),
    traceparent: null,
    source: 'write-api',
    schemaVersion: definition.version,
  },
});

/** indicator -> country -> year -> value. Ties on purpose (SP.POP.GROW 2022: FRA, DEU, ESP at 0.3); aggregates never rank. */
export const observations: Record<string, Record<string, Record<number, number>>> = {
  'SP.POP.TOTL': {
    FRA: { 2020: 67_000_000, 2021: 67_500_000 },
    DEU: { 2020: 83_000_000, 2021: 83_100_000 },
    ITA: { 2020: 59_400_000, 2021: 59_100_000 },
    ESP: { 2021: 47_400_000 },
    WLD: { 2020: 7_800_000_000, 2021: 7_900_000_000 },
    EUU: { 2021: 448_400_000 },
  },
  'SP.POP.GROW': {
    FRA: { 2022: 0.3 },
    DEU: { 2022: 0.3 },
    ESP: { 2022: 0.3 },
    ITA: { 2022: -0.2 },
    JPN: { 2022: -0.5 },
    WLD: { 2022: 0.9 },
  },
  'NY.GDP.PCAP.CD': {
    FRA: { 2021: 43_659.1 },
    DEU: { 2021: 51_426.75 },
    ITA: { 2021: 36_855.33 },
  },
};

export interface DerivedCacheFactory {
  /** A cold cache for one test. */
  create(): Promise<Cache>;
  /** Removes what a test left behind (a shared server), before the cache is closed. */
  cleanup?(cache: Cache): Promise<void>;
}

/** Everything a test left under a cache (its listings say which boards and users). */
export const clearDerived = async (cache: Cache): Promise<void> => {
  for (const board of await listingMembers(cache.rankings, RANKING_BOARDS_LISTING)) await cache.rankings.drop(board);
  for (const user of await listingMembers(cache.rankings, PERMISSIONS_USERS_LISTING)) await cache.permissions.delete(user);
  for (const board of [RANKING_BOARDS_LISTING, PERMISSIONS_USERS_LISTING, RANKINGS_SYNC_MARKER, PERMISSIONS_SYNC_MARKER]) await cache.rankings.drop(board);
  await cache.responses.deleteByPrefix('');
};

const clock = { now: () => new Date() };

/** An event store, a read store and the real projectors (every projection) wired to a cache. */
const createWorld = (cache: Cache) => {
  const eventStore: EventStore = createSqliteEventStore({ path: ':memory:' });
  const readStore: ReadStore = createSqliteReadStore({ path: ':memory:' });
  const errors: { error: unknown; structure: string; stage: DerivedStage }[] = [];
  const managers: ProjectionManager[] = [];

  const start = async (withCache: Cache = cache): Promise<ProjectionManager> => {
    const manager = createProjectors({ eventStore, readStore, clock, cache: withCache, onDerivedError: (error, context) => errors.push({ error, ...context }) });
    managers.push(manager);
    await manager.start();
    return manager;
  };

  const append = async (stream: string, ...events: NewEvent[]): Promise<number> =>
    (await eventStore.append(stream, events, (await eventStore.streamRevision(stream)) ?? 'no_stream')).position;

  const recordAll = async (): Promise<number> => {
    let position = 0;
    for (const [indicator, byCountry] of Object.entries(observations)) {
      for (const [country, byYear] of Object.entries(byCountry)) {
        const changes = Object.entries(byYear).map(([year, value]) => ({ year: Number(year), value, previous: null }));
        position = await append(`series-${country}-${indicator}`, newEvent(ObservationsRecorded, { country, indicator, source: 'file', runId: 'run-1', changes }));
      }
    }
    return position;
  };

  /** Every projection at the head, and both sync markers moved up to it. */
  const settled = async (manager: ProjectionManager, withCache: Cache = cache) => {
    await eventually(async () => {
      const head = await eventStore.headPosition();
      const statuses = await manager.status();
      const failed = statuses.filter((s) => s.status === 'failed');
      if (failed.length > 0) throw new Error(`projections failed: ${JSON.stringify(failed)}`);
      if (!statuses.every((s) => s.position >= head)) return false;
      const [ranks, perms] = await Promise.all([readSyncMarker(withCache.rankings, RANKINGS_SYNC_MARKER), readSyncMarker(withCache.rankings, PERMISSIONS_SYNC_MARKER)]);
      return (ranks?.position ?? -1) >= head && (perms?.position ?? -1) >= head;
    });
  };

  const stop = async () => {
    await Promise.all(managers.map((m) => m.stop()));
    await Promise.all([eventStore.close(), readStore.close()]);
  };

  return { eventStore, readStore, errors, start, append, recordAll, settled, stop };
};

/** Each board, both ways, equals the ranking of its indicator-year document; the listing names exactly those boards. */
export const expectBoardsMatchStore = async (readStore: ReadStore, cache: Cache): Promise<number> => {
  const docs = (await readStore.find<IndicatorYearDoc>(collections.indicatorYears)).map((d) => d.doc);
  const boards = new Map(docs.map((doc) => [rankingBoard(doc.indicator, doc.year), doc]));
  expect((await listingMembers(cache.rankings, RANKING_BOARDS_LISTING)).sort()).toEqual([...boards.keys()].sort());
  for (const [board, doc] of boards) {
    for (const order of ['asc', 'desc'] as const) {
      const fromStore: RankedMember[] = rankingOf(doc, order).map((e) => ({ member: e.country, score: e.value }));
      expect(await cache.rankings.range(board, { order, limit: 1_000 }), `${board} ${order}`).toEqual(fromStore);
    }
  }
  return boards.size;
};

/** Every listed board, ascending. */
const snapshot = async (cache: Cache): Promise<Record<string, RankedMember[]>> => {
  const out: Record<string, RankedMember[]> = {};
  for (const board of (await listingMembers(cache.rankings, RANKING_BOARDS_LISTING)).sort()) out[board] = await cache.rankings.range(board, { order: 'asc', limit: 1_000 });
  return out;
};

/**
 * The derived structures driven by the real projectors over SQLite stores, against the cache the
 * factory gives: ranking boards, permission hashes, response invalidation, cold starts.
 */
export function testDerivedStructures(name: string, factory: DerivedCacheFactory): void {
  describe(`derived cache structures: ${name}`, () => {
    const open: { cache: Cache; world: ReturnType<typeof createWorld> }[] = [];
    const setup = async () => {
      const cache = await factory.create();
      const world = createWorld(cache);
      open.push({ cache, world });
      return { cache, world };
    };
    const extraCaches: Cache[] = [];
    const anotherCache = async () => {
      const cache = await factory.create();
      extraCaches.push(cache);
      return cache;
    };
    afterEach(async () => {
      for (const { cache, world } of open.splice(0)) {
        await world.stop();
        await factory.cleanup?.(cache);
        await cache.close();
      }
      for (const cache of extraCaches.splice(0)) {
        await factory.cleanup?.(cache);
        await cache.close();
      }
    });

    it('keeps one board per indicator and year equal to its indicator-year ranking (ties by country, aggregates out)', async () => {
      const { cache, world } = await setup();
      const manager = await world.start();
      await world.recordAll();
      await world.settled(manager);
      expect(await expectBoardsMatchStore(world.readStore, cache)).toBe(4);
      expect(await cache.rankings.range(rankingBoard('SP.POP.GROW', 2022), { order: 'desc', limit: 3 })).toEqual([
        { member: 'FRA', score: 0.3 },
        { member: 'ESP', score: 0.3 },
        { member: 'DEU', score: 0.3 },
      ]);
      expect(await cache.rankings.rank(rankingBoard('SP.POP.TOTL', 2021), 'WLD', 'desc')).toBeNull();
      expect(world.errors).toEqual([]);
    });

    it('gives the read API the same rankings from the boards as from the read store', async () => {
      const { cache, world } = await setup();
      const manager = await world.start();
      await world.recordAll();
      await world.settled(manager);
      const position = (await world.readStore.checkpoint('observations'))!;
      const viaBoards = createReadSide({ readStore: world.readStore, cache }).executor;
      const viaStore = createReadSide({ readStore: world.readStore }).executor;
      const boards = createRankingBoardsReader(cache.rankings);
      for (const [indicator, years] of [
        ['SP.POP.TOTL', [2020, 2021]],
        ['SP.POP.GROW', [2022]],
        ['NY.GDP.PCAP.CD', [2021]],
      ] as const) {
        for (const year of years) {
          // The boards can vouch for the current checkpoint: the answer below does come from them.
          expect(await boards.rank({ indicator, year, order: 'desc', limit: 10 }, position)).not.toBeNull();
          for (const order of ['asc', 'desc'] as const) {
            for (const limit of [1, 2, 10]) {
              const input = { indicator, year, order, limit };
              const a = await viaBoards.execute(queries.rankings, input, { minPosition: position });
              const b = await viaStore.execute(queries.rankings, input, { minPosition: position });
              expect(a, JSON.stringify(input)).toEqual(b);
            }
          }
        }
      }
      // The default year (the latest) and the dashboard read the boards too.
      expect(await viaBoards.execute(queries.rankings, { indicator: 'SP.POP.GROW' })).toEqual(await viaStore.execute(queries.rankings, { indicator: 'SP.POP.GROW' }));
      expect(await viaBoards.execute(queries.dashboard, { dashboard: 'population' })).toEqual(await viaStore.execute(queries.dashboard, { dashboard: 'population' }));
      // A position the marker has not reached: no board answer (the read store answers).
      expect(await boards.rank({ indicator: 'SP.POP.GROW', year: 2022, order: 'desc', limit: 10 }, position + 1)).toBeNull();
    });

    it('moves a country on its board when its value is corrected, by the time the checkpoint covers it (read-your-writes)', async () => {
      const { cache, world } = await setup();
      const manager = await world.start();
      await world.recordAll();
      await world.settled(manager);
      const board = rankingBoard('SP.POP.TOTL', 2021);
      expect(await cache.rankings.rank(board, 'ITA', 'desc')).toBe(3);
      const position = await world.append(
        'series-ITA-SP.POP.TOTL',
        newEvent(ObservationCorrected, { country: 'ITA', indicator: 'SP.POP.TOTL', year: 2021, value: 90_000_000, previous: 59_100_000, reason: 'census revision' }),
      );
      const executor = createReadSide({ readStore: world.readStore, cache, waitTimeoutMs: 5_000 }).executor;
      const answer = await executor.execute(queries.rankings, { indicator: 'SP.POP.TOTL', year: 2021, limit: 2 }, { minPosition: position });
      expect(answer.result.entries.map((e) => [e.country, e.value])).toEqual([
        ['ITA', 90_000_000],
        ['DEU', 83_100_000],
      ]);
      // Once the observations checkpoint covers the correction, the board does too.
      expect(await cache.rankings.rank(board, 'ITA', 'desc')).toBe(1);
      await world.settled(manager);
      await expectBoardsMatchStore(world.readStore, cache);
    });

    it('leaves the boards identical after a rebuild, dropping boards that have no data any more', async () => {
      const { cache, world } = await setup();
      const manager = await world.start();
      await world.recordAll();
      await world.settled(manager);
      const before = await snapshot(cache);
      // A board the cache holds but the read model does not (say, from a projection version since fixed).
      const stale = rankingBoard('SP.POP.TOTL', 1999);
      await cache.rankings.upsert(RANKING_BOARDS_LISTING, [{ member: stale, score: 0 }]);
      await cache.rankings.upsert(stale, [{ member: 'FRA', score: 1 }]);
      await manager.rebuild('observations');
      await world.settled(manager);
      expect(await cache.rankings.size(stale)).toBe(0);
      expect(await snapshot(cache)).toEqual(before);
      await expectBoardsMatchStore(world.readStore, cache);
      expect((await readSyncMarker(cache.rankings, RANKINGS_SYNC_MARKER))!.position).toBe(await world.readStore.checkpoint('observations'));
      expect(world.errors).toEqual([]);
    });

    it('keeps each user’s permissions hash through role grants, revocations and a disable', async () => {
      const { cache, world } = await setup();
      const manager = await world.start();
      const userId = `u-${randomUUID()}`;
      const stream = `user-${userId}`;
      const expectHash = async (fields: Record<string, string>) => {
        await world.settled(manager);
        const position = (await world.readStore.get(collections.users, userId))!.position;
        expect(await cache.permissions.get(userId)).toEqual({ username: 'alice', ...fields, position: String(position) });
      };
      await world.append(stream, newEvent(UserRegistered, { userId, username: 'alice', displayName: 'Alice' }));
      await expectHash({ roles: '', permissions: '', disabled: '0' });
      await world.append(stream, newEvent(RoleGranted, { userId, role: 'analyst' }));
      await expectHash({ roles: 'analyst', permissions: 'audit:read data:read reports:request', disabled: '0' });
      await world.append(stream, newEvent(RoleGranted, { userId, role: 'viewer' }), newEvent(RoleRevoked, { userId, role: 'analyst' }));
      await expectHash({ roles: 'viewer', permissions: 'data:read', disabled: '0' });
      await world.append(stream, newEvent(UserDisabled, { userId, reason: 'left the team' }));
      await expectHash({ roles: 'viewer', permissions: '', disabled: '1' });
      expect(await listingMembers(cache.rankings, PERMISSIONS_USERS_LISTING)).toEqual([userId]);
      // A rebuild of users rewrites the same hash.
      await manager.rebuild('users');
      await expectHash({ roles: 'viewer', permissions: '', disabled: '1' });
      expect(world.errors).toEqual([]);
    });

    it('invalidates the read API’s cached answers that a batch may have changed, and only those', async () => {
      const { cache, world } = await setup();
      const manager = await world.start();
      await world.settled(manager);
      // Keys as the read API builds them (query, scope, canonical input).
      const key = <I>(query: { name: string; input: { parse(raw: unknown): I }; cacheScope?: (input: I) => string }, raw: unknown) => responseCacheKey(query, query.input.parse(raw));
      const keys = {
        rankingsLatest: key(queries.rankings, { indicator: 'SP.POP.TOTL' }),
        rankings2023: key(queries.rankings, { indicator: 'SP.POP.TOTL', year: 2023, limit: 5 }),
        rankings2001: key(queries.rankings, { indicator: 'SP.POP.TOTL', year: 2001 }),
        otherIndicator: key(queries.rankings, { indicator: 'NY.GDP.MKTP.CD', year: 2023 }),
        seriesFra: key(queries.series, { country: 'FRA', indicator: 'SP.POP.TOTL', from: 1990 }),
        seriesUsa: key(queries.series, { country: 'USA', indicator: 'SP.POP.TOTL' }),
        users: key(queries.listUsers, {}),
      };
      const fill = async (names: readonly (keyof typeof keys)[]) => {
        for (const name of names) await cache.responses.set(keys[name], '{"position":0,"result":{}}', 60_000);
      };
      const present = async () => {
        const out: string[] = [];
        for (const [name, k] of Object.entries(keys)) if ((await cache.responses.get(k)) !== null) out.push(name);
        return out.sort();
      };
      await fill(Object.keys(keys) as (keyof typeof keys)[]);
      await cache.responses.set('elsewhere:key', 'kept', 60_000);

      // A user event: only the users list (GET /users) reads the users read model.
      await world.append('user-u-2', newEvent(UserRegistered, { userId: 'u-2', username: 'bob', displayName: 'Bob' }));
      await world.settled(manager);
      expect(await present()).toEqual(['otherIndicator', 'rankings2001', 'rankings2023', 'rankingsLatest', 'seriesFra', 'seriesUsa']);

      // France's 2023 population: its series, the 2023 ranking and the latest-year one; nothing else.
      await fill(['users']);
      await world.append('series-FRA-SP.POP.TOTL', newEvent(ObservationsRecorded, { country: 'FRA', indicator: 'SP.POP.TOTL', source: 'file', runId: 'run-2', changes: [{ year: 2023, value: 68_000_000, previous: null }] }));
      await world.settled(manager);
      expect(await present()).toEqual(['otherIndicator', 'rankings2001', 'seriesUsa', 'users']);
      expect(await cache.responses.get('elsewhere:key')).toBe('kept');

      // A rebuild swaps a whole read model in: every answer of the queries reading it goes.
      await manager.rebuild('series');
      await world.settled(manager);
      expect(await present()).toEqual(['otherIndicator', 'rankings2001', 'users']);
      expect(world.errors).toEqual([]);
    });

    it('fills a cold cache at start, and skips the work when the cache already reflects the checkpoints', async () => {
      const { world } = await setup();
      const first = await world.start();
      await world.recordAll();
      await world.append('user-u-3', newEvent(UserRegistered, { userId: 'u-3', username: 'carol', displayName: 'Carol' }), newEvent(RoleGranted, { userId: 'u-3', role: 'admin' }));
      await world.settled(first);
      await first.stop();

      // A cold cache (a restarted in-process cache, a flushed Redis): everything is synced before the projections run.
      const cold = await anotherCache();
      const second = await world.start(cold);
      expect((await readSyncMarker(cold.rankings, RANKINGS_SYNC_MARKER))?.position).toBe(await world.readStore.checkpoint('observations'));
      await expectBoardsMatchStore(world.readStore, cold);
      expect((await cold.permissions.get('u-3'))?.roles).toBe('admin');
      await world.settled(second, cold);
      await second.stop();

      // Warm: the markers reflect the checkpoints, nothing is rewritten.
      let writes = 0;
      const counting: Cache = {
        ...cold,
        rankings: {
          ...cold.rankings,
          replace: async (board, entries) => {
            writes++;
            return cold.rankings.replace(board, entries);
          },
        },
        permissions: {
          ...cold.permissions,
          put: async (userId, fields) => {
            writes++;
            return cold.permissions.put(userId, fields);
          },
        },
      };
      const third = await world.start(counting);
      expect(writes).toBe(0);
      await third.stop();
    });

    it('rebuilds the structures when the cache lost them while running', async () => {
      const { cache, world } = await setup();
      const manager = await world.start();
      await world.recordAll();
      await world.settled(manager);
      // A flush: the marker and a board go; the next batch must not leave a partial board behind a marker.
      await cache.rankings.drop(RANKINGS_SYNC_MARKER);
      await cache.rankings.drop(rankingBoard('SP.POP.TOTL', 2021));
      await world.append('series-JPN-SP.POP.TOTL', newEvent(ObservationsRecorded, { country: 'JPN', indicator: 'SP.POP.TOTL', source: 'file', runId: 'run-2', changes: [{ year: 2020, value: 126_000_000, previous: null }] }));
      await world.settled(manager);
      await expectBoardsMatchStore(world.readStore, cache);
    });
  });
}

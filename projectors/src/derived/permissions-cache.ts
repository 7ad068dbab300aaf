import type { Cache, DocumentWrite, Position, ReadStore } from '@nationpulse/ports';
import { collections, usersProjection, type UserDoc } from '@nationpulse/read-models';
import { addToListing, createDerivedSync, listingMembers, replaceListing, type Derivation, type DerivedSync, type DerivedSyncOptions } from './derived-sync.ts';
import { PERMISSIONS_SYNC_MARKER, PERMISSIONS_USERS_LISTING } from './keys.ts';

/** Users read per page while resyncing. */
const PAGE = 1_000;

/** What the gateway checks on every request, as the permissions hash of a user (space-separated lists). */
export const permissionFields = (user: UserDoc, position: Position): Record<string, string> => ({
  username: user.username,
  permissions: user.permissions.join(' '),
  roles: user.roles.join(' '),
  disabled: user.disabled ? '1' : '0',
  position: String(position),
});

/** One permissions hash per user (key = userId), derived from the live `users` collection. */
export const permissionsDerivation = (readStore: ReadStore, cache: Cache, options: { pageSize?: number; version?: number } = {}): Derivation => {
  const { permissions, rankings } = cache;
  const pageSize = options.pageSize ?? PAGE;
  return {
    name: 'permissions-cache',
    projection: usersProjection.name,
    version: options.version ?? usersProjection.version,
    collections: [collections.users],
    marker: PERMISSIONS_SYNC_MARKER,

    async apply(writes: readonly DocumentWrite[]) {
      const users = writes.filter((w) => w.collection === collections.users);
      if (users.length === 0) return;
      const put = users.filter((w) => w.op === 'put');
      if (put.length > 0) await addToListing(rankings, PERMISSIONS_USERS_LISTING, put.map((w) => w.id));
      await Promise.all(
        users.map((w) => (w.op === 'put' ? permissions.put(w.id, permissionFields(w.doc as unknown as UserDoc, w.position)) : permissions.delete(w.id))),
      );
    },

    async rebuild() {
      const found = new Set<string>();
      for (let offset = 0; ; offset += pageSize) {
        const page = await readStore.find<UserDoc>(collections.users, { orderBy: [{ field: 'username', direction: 'asc' }], limit: pageSize, offset });
        await addToListing(rankings, PERMISSIONS_USERS_LISTING, page.map((d) => d.id));
        await Promise.all(page.map((d) => permissions.put(d.id, permissionFields(d.doc, d.position))));
        for (const d of page) found.add(d.id);
        if (page.length < pageSize) break;
      }
      const gone = (await listingMembers(rankings, PERMISSIONS_USERS_LISTING)).filter((id) => !found.has(id));
      await Promise.all(gone.map((id) => permissions.delete(id)));
      await replaceListing(rankings, PERMISSIONS_USERS_LISTING, found);
    },
  };
};

/** The permissions cache's sync: `.hooks` for the `users` projection (see createRankingBoardsSync). */
export const createPermissionsSync = (
  readStore: ReadStore,
  cache: Cache,
  options: Omit<DerivedSyncOptions, 'readStore' | 'rankings'> & { pageSize?: number; version?: number } = {},
): DerivedSync => createDerivedSync(permissionsDerivation(readStore, cache, options), { ...options, readStore, rankings: cache.rankings });

/** Rewrites every user's permissions hash unless the sync marker shows they reflect the users checkpoint. Not while the projection runs. */
export const syncAllPermissions = (readStore: ReadStore, cache: Cache, options: { force?: boolean; pageSize?: number } = {}): Promise<'fresh' | 'synced'> =>
  createPermissionsSync(readStore, cache, options.pageSize ? { pageSize: options.pageSize } : {}).syncIfStale(options.force ? { force: true } : {});

import { permissionsOf, userAccessOf, type AccessLookup, type UserAccess } from '@nationpulse/platform';
import type { PermissionsCache, ReadStore } from '@nationpulse/ports';
import { collections, type UserDoc } from '@nationpulse/read-models';

const words = (value: string | undefined): string[] => (value ? value.split(' ').filter(Boolean) : []);

/**
 * Reads a user's access from the permissions read model: the cache's permissions hash (kept by
 * the projectors from the `users` projection) first, the `users` collection of the read store when
 * the hash is missing or the cache is down. Answers are reused for `ttlMs`, so a revoked
 * permission is enforced within (projector lag + ttlMs).
 */
export const createAccessLookup = (deps: {
  permissions: PermissionsCache | null;
  readStore: ReadStore;
  ttlMs: number;
  now: () => number;
  onCacheError?: (error: unknown) => void;
  /** Entries kept at most. */
  maxEntries?: number;
}): AccessLookup => {
  const memo = new Map<string, { access: UserAccess | null; expires: number }>();
  const maxEntries = deps.maxEntries ?? 50_000;

  const fromCache = async (userId: string): Promise<UserAccess | null> => {
    if (!deps.permissions) return null;
    try {
      const hash = await deps.permissions.get(userId);
      if (!hash?.username) return null;
      return { userId, username: hash.username, roles: words(hash.roles), permissions: permissionsOf(words(hash.permissions)), disabled: hash.disabled === '1' };
    } catch (error) {
      deps.onCacheError?.(error);
      return null;
    }
  };
  const fromStore = async (userId: string): Promise<UserAccess | null> => {
    const found = await deps.readStore.get<UserDoc>(collections.users, userId);
    return found ? userAccessOf({ ...found.doc, userId }) : null;
  };

  return {
    async get(userId) {
      const now = deps.now();
      const hit = memo.get(userId);
      if (hit && hit.expires > now) return hit.access;
      const access = (await fromCache(userId)) ?? (await fromStore(userId));
      if (deps.ttlMs > 0) {
        if (memo.size >= maxEntries) memo.clear();
        memo.set(userId, { access, expires: now + deps.ttlMs });
      }
      return access;
    },
  };
};

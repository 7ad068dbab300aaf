import { randomUUID } from 'node:crypto';
import { validationError } from '@nationpulse/domain';
import type { DatasetLock, Lease } from '@nationpulse/ports';

export interface InProcessLockOptions {
  /** Milliseconds since the epoch; injectable for tests. */
  readonly clock?: () => number;
}

/**
 * The embedded DatasetLock: leases in a map, for the one process that runs every ingestion in
 * embedded mode. Expiry is checked on access, so a lease left by a job that died without
 * releasing it frees the dataset after its TTL like the Redis lock does.
 */
export const createInProcessLock = (options: InProcessLockOptions = {}): DatasetLock => {
  const now = options.clock ?? Date.now;
  const held = new Map<string, { token: string; expiresAt: number }>();
  const live = (key: string) => {
    const entry = held.get(key);
    if (entry && entry.expiresAt <= now()) {
      held.delete(key);
      return undefined;
    }
    return entry;
  };
  const checkTtl = (ttlMs: number) => {
    if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw validationError('A lease TTL must be a positive integer of milliseconds', { ttlMs });
  };

  return {
    async acquire(key, ttlMs): Promise<Lease | null> {
      checkTtl(ttlMs);
      if (live(key)) return null;
      const token = randomUUID();
      held.set(key, { token, expiresAt: now() + ttlMs });
      return { key, token };
    },
    async renew(lease, ttlMs) {
      checkTtl(ttlMs);
      const entry = live(lease.key);
      if (entry?.token !== lease.token) return false;
      entry.expiresAt = now() + ttlMs;
      return true;
    },
    async release(lease) {
      if (live(lease.key)?.token !== lease.token) return false;
      held.delete(lease.key);
      return true;
    },
    async isHeld(key) {
      return live(key) !== undefined;
    },
    async close() {
      held.clear();
    },
  };
};

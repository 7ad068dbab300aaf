import { NationPulseError } from '@nationpulse/domain';

export interface RankedMember {
  readonly member: string;
  readonly score: number;
}

/** Hot responses: short-lived values by key. */
export interface ResponseCache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
  /** Removes every key starting with the prefix (invalidation after a data change). */
  deleteByPrefix(prefix: string): Promise<number>;
}

/**
 * Scored boards (one per indicator and year). Members with equal scores are ordered by member
 * name (ascending for 'asc', descending for 'desc'), exactly like a Redis sorted set.
 */
export interface Rankings {
  upsert(board: string, entries: readonly RankedMember[]): Promise<void>;
  remove(board: string, members: readonly string[]): Promise<void>;
  range(board: string, options: { order: 'asc' | 'desc'; offset?: number; limit: number }): Promise<RankedMember[]>;
  /** 1-based rank of a member in the given order, or null when absent. */
  rank(board: string, member: string, order: 'asc' | 'desc'): Promise<number | null>;
  size(board: string): Promise<number>;
  /** Replaces a whole board at once (readers see the old or the new board, never a mix). */
  replace(board: string, entries: readonly RankedMember[]): Promise<void>;
  drop(board: string): Promise<void>;
}

/** What the gateway checks on every request: a user's effective access, as string fields. */
export interface PermissionsCache {
  put(userId: string, fields: Readonly<Record<string, string>>): Promise<void>;
  get(userId: string): Promise<Record<string, string> | null>;
  delete(userId: string): Promise<void>;
}

/** The cache port (cache, rankings, permissions): Redis in distributed mode, in-process when embedded. */
export interface Cache {
  readonly responses: ResponseCache;
  readonly rankings: Rankings;
  readonly permissions: PermissionsCache;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class CacheUnavailableError extends NationPulseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', 'CACHE_UNAVAILABLE', message, undefined, options);
  }
}

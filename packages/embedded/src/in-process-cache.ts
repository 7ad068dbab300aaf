import { validationError } from '@nationpulse/domain';
import {
  CacheUnavailableError,
  type Cache,
  type PermissionsCache,
  type RankedMember,
  type Rankings,
  type ResponseCache,
} from '@nationpulse/ports';

export interface InProcessCacheOptions {
  /** Milliseconds since the epoch; injectable for tests. */
  readonly clock?: () => number;
  /**
   * How often expired responses are swept out (they are never returned, whatever this is).
   * The timer is unref'd: it never keeps the process alive. 0 disables the sweep.
   */
  readonly sweepIntervalMs?: number;
}

interface Entry {
  readonly value: string;
  readonly expiresAt: number;
}

/**
 * Orders strings by code point, which for well-formed text is the byte order of their UTF-8
 * encoding: how Redis orders members with equal scores. Plain `<` compares UTF-16 code units,
 * which puts characters beyond the BMP (surrogates, 0xD800–0xDFFF) before U+E000–U+FFFF.
 */
export const compareMembers = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates move after U+E000–U+FFFF; the rest of the BMP keeps its relative order.
      x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
      y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
    }
    return x - y;
  }
  return a.length - b.length;
};

const compareEntries = (a: RankedMember, b: RankedMember): number =>
  a.score < b.score ? -1 : a.score > b.score ? 1 : compareMembers(a.member, b.member);

/** A sorted set: members by (score, member) in a sorted array, plus an index by member. */
class Board {
  private sorted: RankedMember[] = [];
  private readonly scores = new Map<string, number>();

  static of(entries: readonly RankedMember[]): Board {
    const board = new Board();
    for (const { member, score } of entries) board.scores.set(member, score);
    board.rebuild();
    return board;
  }

  get size(): number {
    return this.sorted.length;
  }

  upsert(entries: readonly RankedMember[]): void {
    // Many changes at once: re-sorting everything beats many O(n) splices.
    if (entries.length > 32 && entries.length * 8 > this.sorted.length) {
      for (const { member, score } of entries) this.scores.set(member, score);
      this.rebuild();
      return;
    }
    for (const entry of entries) {
      const old = this.scores.get(entry.member);
      if (old === entry.score) continue;
      if (old !== undefined) this.sorted.splice(this.indexOf({ member: entry.member, score: old }), 1);
      this.scores.set(entry.member, entry.score);
      this.sorted.splice(this.insertionPoint(entry), 0, { member: entry.member, score: entry.score });
    }
  }

  remove(members: readonly string[]): void {
    for (const member of members) {
      const score = this.scores.get(member);
      if (score === undefined) continue;
      this.sorted.splice(this.indexOf({ member, score }), 1);
      this.scores.delete(member);
    }
  }

  /** 0-based index in ascending order, or -1. */
  indexOfMember(member: string): number {
    const score = this.scores.get(member);
    return score === undefined ? -1 : this.indexOf({ member, score });
  }

  slice(start: number, end: number): RankedMember[] {
    return this.sorted.slice(start, end).map((e) => ({ member: e.member, score: e.score }));
  }

  private rebuild(): void {
    this.sorted = [...this.scores].map(([member, score]) => ({ member, score })).sort(compareEntries);
  }

  /** First index whose entry is not less than the given one. */
  private insertionPoint(entry: RankedMember): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEntries(this.sorted[mid]!, entry) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private indexOf(entry: RankedMember): number {
    return this.insertionPoint(entry);
  }
}

const assertScores = (entries: readonly RankedMember[]): RankedMember[] =>
  entries.map(({ member, score }) => {
    if (typeof score !== 'number' || !Number.isFinite(score)) {
      throw validationError(`Score of ${JSON.stringify(member)} must be a finite number`, { member, score: String(score) });
    }
    // -0 and 0 are the same score.
    return { member, score: score + 0 };
  });

const assertCount = (name: string, value: number): void => {
  if (!Number.isInteger(value) || value < 0) throw validationError(`${name} must be a non-negative integer`, { [name]: value });
};

const assertTtl = (ttlMs: number): void => {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw validationError('ttlMs must be a positive, finite number of milliseconds', { ttlMs: String(ttlMs) });
  }
};

/** The cache port in memory, for the embedded (single process) mode and for tests. */
export interface InProcessCache extends Cache {
  /** Responses held in memory, expired ones not yet dropped included (diagnostics and tests). */
  heldResponses(): number;
}

export function createInProcessCache(options: InProcessCacheOptions = {}): InProcessCache {
  const now = options.clock ?? Date.now;
  const entries = new Map<string, Entry>();
  const boards = new Map<string, Board>();
  const permissions = new Map<string, Readonly<Record<string, string>>>();
  let closed = false;

  const open = (): void => {
    if (closed) throw new CacheUnavailableError('The in-process cache is closed');
  };

  const live = (key: string, at: number): Entry | undefined => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= at) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const sweep = (): void => {
    const at = now();
    for (const [key, entry] of entries) if (entry.expiresAt <= at) entries.delete(key);
  };
  const sweepIntervalMs = options.sweepIntervalMs ?? 30_000;
  const sweeper = sweepIntervalMs > 0 ? setInterval(sweep, sweepIntervalMs) : undefined;
  sweeper?.unref();

  const responses: ResponseCache = {
    async get(key) {
      open();
      return live(key, now())?.value ?? null;
    },
    async set(key, value, ttlMs) {
      open();
      assertTtl(ttlMs);
      entries.set(key, { value, expiresAt: now() + ttlMs });
    },
    async delete(keys) {
      open();
      for (const key of keys) entries.delete(key);
    },
    async deleteByPrefix(prefix) {
      open();
      const at = now();
      let count = 0;
      // The walk visits every entry anyway: expired ones under any prefix go too, so between
      // sweeps the map does not grow with dead responses under a steady write load.
      for (const [key, entry] of entries) {
        const expired = entry.expiresAt <= at;
        if (key.startsWith(prefix)) {
          entries.delete(key);
          if (!expired) count++;
        } else if (expired) {
          entries.delete(key);
        }
      }
      return count;
    },
  };

  const rankings: Rankings = {
    async upsert(board, list) {
      open();
      const valid = assertScores(list);
      if (valid.length === 0) return;
      let b = boards.get(board);
      if (b === undefined) boards.set(board, (b = new Board()));
      b.upsert(valid);
    },
    async remove(board, members) {
      open();
      const b = boards.get(board);
      if (b === undefined) return;
      b.remove(members);
      if (b.size === 0) boards.delete(board);
    },
    async range(board, { order, offset = 0, limit }) {
      open();
      assertCount('offset', offset);
      assertCount('limit', limit);
      const b = boards.get(board);
      if (b === undefined || limit === 0) return [];
      if (order === 'asc') return b.slice(offset, offset + limit);
      // Descending is exactly the ascending order reversed (ZREVRANGE).
      const end = b.size - offset;
      return end <= 0 ? [] : b.slice(Math.max(0, end - limit), end).reverse();
    },
    async rank(board, member, order) {
      open();
      const b = boards.get(board);
      const index = b?.indexOfMember(member) ?? -1;
      if (b === undefined || index < 0) return null;
      return order === 'asc' ? index + 1 : b.size - index;
    },
    async size(board) {
      open();
      return boards.get(board)?.size ?? 0;
    },
    async replace(board, list) {
      open();
      const valid = assertScores(list);
      // Built aside and swapped in one step: readers see the old board or the new one.
      if (valid.length === 0) boards.delete(board);
      else boards.set(board, Board.of(valid));
    },
    async drop(board) {
      open();
      boards.delete(board);
    },
  };

  const permissionsCache: PermissionsCache = {
    async put(userId, fields) {
      open();
      // Like a Redis hash, an entry without fields does not exist.
      if (Object.keys(fields).length === 0) permissions.delete(userId);
      else permissions.set(userId, Object.freeze({ ...fields }));
    },
    async get(userId) {
      open();
      const fields = permissions.get(userId);
      return fields === undefined ? null : { ...fields };
    },
    async delete(userId) {
      open();
      permissions.delete(userId);
    },
  };

  return {
    responses,
    rankings,
    permissions: permissionsCache,
    heldResponses: () => entries.size,
    async ping() {
      open();
    },
    async close() {
      if (closed) return;
      closed = true;
      if (sweeper !== undefined) clearInterval(sweeper);
      entries.clear();
      boards.clear();
      permissions.clear();
    },
  };
}

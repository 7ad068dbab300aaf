import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { RefreshTokenRecord, RefreshTokenStore, RotationOutcome } from '@nationpulse/ports';

export interface SqliteRefreshTokenStoreOptions {
  /** Database file, or ':memory:' for tests. */
  readonly path: string;
  /** Milliseconds since the epoch, for purging expired rows; injectable for tests. */
  readonly clock?: () => number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS refresh_families (
  family_id  TEXT    PRIMARY KEY NOT NULL,
  user_id    TEXT    NOT NULL,
  revoked    INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token_hash TEXT    PRIMARY KEY NOT NULL,
  family_id  TEXT    NOT NULL,
  expires_at INTEGER NOT NULL,
  spent      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens (family_id);
`;

interface TokenRow {
  family_id: string;
  expires_at: number;
  spent: number;
  user_id: string;
  revoked: number;
}

/** Expired rows are deleted at most this often, on a write. */
const PURGE_EVERY_MS = 60_000;

/**
 * Refresh tokens in a SQLite file (embedded mode; survives restarts). Each rotation is one
 * IMMEDIATE transaction, so two processes sharing the file cannot both spend a token.
 */
export const createSqliteRefreshTokenStore = (options: SqliteRefreshTokenStoreOptions): RefreshTokenStore => {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const clock = options.clock ?? Date.now;
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);

  const insertFamily = db.prepare('INSERT INTO refresh_families (family_id, user_id, expires_at) VALUES (?, ?, ?)');
  const insertToken = db.prepare('INSERT INTO refresh_tokens (token_hash, family_id, expires_at) VALUES (?, ?, ?)');
  const findToken = db.prepare<[string, string], TokenRow>(
    `SELECT t.family_id, t.expires_at, t.spent, f.user_id, f.revoked
       FROM refresh_tokens t JOIN refresh_families f ON f.family_id = t.family_id
      WHERE t.token_hash = ? AND t.family_id = ?`,
  );
  const spend = db.prepare('UPDATE refresh_tokens SET spent = 1 WHERE token_hash = ?');
  const revoke = db.prepare('UPDATE refresh_families SET revoked = 1 WHERE family_id = ?');
  const extendFamily = db.prepare('UPDATE refresh_families SET expires_at = max(expires_at, ?) WHERE family_id = ?');
  const purgeTokens = db.prepare('DELETE FROM refresh_tokens WHERE expires_at < ?');
  const purgeFamilies = db.prepare('DELETE FROM refresh_families WHERE expires_at < ?');

  let lastPurge = 0;
  const purgeExpired = () => {
    const now = clock();
    if (now - lastPurge < PURGE_EVERY_MS) return;
    lastPurge = now;
    purgeTokens.run(now);
    purgeFamilies.run(now);
  };

  const rotate = db.transaction((presented: { tokenHash: string; familyId: string }, next: { tokenHash: string; expiresAt: number }, now: number): RotationOutcome => {
    const row = findToken.get(presented.tokenHash, presented.familyId);
    if (!row) return { outcome: 'unknown' };
    if (row.revoked) return { outcome: 'revoked' };
    if (now >= row.expires_at) return { outcome: 'expired' };
    if (row.spent) {
      revoke.run(row.family_id);
      return { outcome: 'reused', userId: row.user_id, familyId: row.family_id };
    }
    spend.run(presented.tokenHash);
    insertToken.run(next.tokenHash, row.family_id, next.expiresAt);
    extendFamily.run(next.expiresAt, row.family_id);
    return { outcome: 'rotated', userId: row.user_id, familyId: row.family_id };
  });

  const issue = db.transaction((record: RefreshTokenRecord) => {
    insertFamily.run(record.familyId, record.userId, record.expiresAt);
    insertToken.run(record.tokenHash, record.familyId, record.expiresAt);
  });

  return {
    async issue(record) {
      purgeExpired();
      issue.immediate(record);
    },
    async rotate(presented, next, now) {
      return rotate.immediate(presented, next, now);
    },
    async revokeFamily(presented) {
      const row = findToken.get(presented.tokenHash, presented.familyId);
      if (!row) return false;
      revoke.run(row.family_id);
      return true;
    },
    async close() {
      if (db.open) db.close();
    },
  };
};

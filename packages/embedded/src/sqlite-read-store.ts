import { randomUUID } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { NationPulseError, validationError } from '@nationpulse/domain';
import {
  ReadStoreUnavailableError,
  type CheckpointWrite,
  type DocumentWrite,
  type FieldCondition,
  type FindQuery,
  type Position,
  type ReadStore,
  type Scalar,
  type StoredDocument,
} from '@nationpulse/ports';

export interface SqliteReadStoreOptions {
  /** Database file, or ':memory:' for tests. */
  readonly path: string;
  /**
   * 'normal' (default) is WAL's usual setting: it survives a process crash but may lose the last
   * commits on power loss, which a projection recovers by replaying from its checkpoint (the
   * checkpoint is in the same transaction, so it is lost with them). 'full' fsyncs every commit.
   */
  readonly synchronous?: 'full' | 'normal';
  /** How long a write waits for another process holding the write lock, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /**
   * Connections to one file from several threads of a process (a rebuild's shares in worker
   * threads) take turns at committing through this lock (4 bytes, shared by them all): a thread
   * that finds the file's write lock taken otherwise sleeps in SQLite's busy handler, in steps of
   * up to 100 ms, whereas here the next one wakes the moment a commit ends. Documents are
   * serialised before the turn is taken.
   */
  readonly writeTurns?: SharedArrayBuffer;
}

/** The turn holds its holder's thread id + 1 (0: free), so that a thread that died holding it can be told apart. */
const TURN_TOKEN = threadId + 1;

/** Runs `fn` while holding `turns` (see `SqliteReadStoreOptions.writeTurns`). */
const inTurn = <T>(turns: Int32Array | null, fn: () => T): T => {
  if (!turns) return fn();
  let holder: number;
  while ((holder = Atomics.compareExchange(turns, 0, 0, TURN_TOKEN)) !== 0) Atomics.wait(turns, 0, holder, 100);
  try {
    return fn();
  } finally {
    Atomics.store(turns, 0, 0);
    Atomics.notify(turns, 0, 1);
  }
};

/** Gives the write turn back if the thread `exitedThreadId` held it when it exited (a no-op otherwise). */
export const releaseWriteTurnOf = (writeTurns: SharedArrayBuffer, exitedThreadId: number): void => {
  const turns = new Int32Array(writeTurns);
  if (Atomics.compareExchange(turns, 0, exitedThreadId + 1, 0) === exitedThreadId + 1) Atomics.notify(turns, 0, 1);
};

/** Collection names: a letter or digit, then letters, digits, `_ . : -`. Names starting with `_` are the store's own. */
const COLLECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,119}$/;
/** Document fields usable in queries and indexes: plain top-level identifiers. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Collection tables carry this prefix, so they never clash with the store's own or SQLite's tables. */
const TABLE_PREFIX = 'c_';
const MAX_STATEMENTS = 500;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS _checkpoints (
  name     TEXT    PRIMARY KEY NOT NULL,
  position INTEGER NOT NULL
);
`;

interface DocumentRow {
  id: string;
  position: number;
  doc: string;
}

const checkCollection = (collection: string): string => {
  if (typeof collection !== 'string' || !COLLECTION_NAME.test(collection) || collection.startsWith('system.')) {
    throw validationError(`Invalid collection name ${JSON.stringify(collection)}: use letters, digits and _ . : - (starting with a letter or digit)`);
  }
  return collection;
};

const checkField = (field: string): string => {
  if (typeof field !== 'string' || !FIELD_NAME.test(field)) {
    throw validationError(`Invalid field name ${JSON.stringify(field)}: queries and indexes take top-level identifiers ([A-Za-z_][A-Za-z0-9_]*)`);
  }
  return field;
};

const checkPosition = (position: Position): Position => {
  if (!Number.isSafeInteger(position) || position < 0) throw validationError(`Invalid position ${String(position)}: a non-negative safe integer`);
  return position;
};

const checkCount = (name: string, value: number | undefined): number | undefined => {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) throw validationError(`Invalid ${name} ${String(value)}: a non-negative integer`);
  return value;
};

/** Identifiers are validated above and never contain a double quote; quoting keeps `-` and `.` legal. */
const tableOf = (collection: string): string => `"${TABLE_PREFIX}${checkCollection(collection)}"`;
/** A field's value as SQL: the same text in queries and index definitions, so the planner matches them. */
const extract = (field: string): string => `json_extract(doc, '$.${checkField(field)}')`;
const typeOf = (field: string): string => `json_type(doc, '$.${field}')`;

const NUMBER_TYPES = `IN ('integer', 'real')`;

/**
 * SQL for one condition, with `?` placeholders pushed onto `params`. json_extract maps JSON true
 * and false to 1 and 0, and objects and arrays to their JSON text, so json_type keeps each
 * comparison to values of the queried type (as MongoDB does), while the json_extract term stays
 * usable by an expression index.
 */
function conditionSql(field: string, condition: FieldCondition, params: (string | number)[]): string {
  const e = extract(field);
  const t = typeOf(field);
  const scalar = (value: Scalar): string => {
    if (value === null) return `${e} IS NULL`;
    switch (typeof value) {
      case 'string':
        params.push(value);
        return `(${e} = ? AND ${t} = 'text')`;
      case 'number':
        params.push(value);
        return `(${e} = ? AND ${t} ${NUMBER_TYPES})`;
      case 'boolean':
        return `(${e} = ${value ? 1 : 0} AND ${t} = '${value ? 'true' : 'false'}')`;
      default:
        throw validationError(`Invalid value for ${field}: a string, number, boolean or null`);
    }
  };
  if (condition === null || typeof condition !== 'object') return scalar(condition);
  if ('in' in condition) {
    if (!Array.isArray(condition.in)) throw validationError(`Invalid "in" for ${field}: a list of values`);
    // Strings and numbers each as one IN list (which an index serves), booleans and null apart.
    const strings = condition.in.filter((v): v is string => typeof v === 'string');
    const numbers = condition.in.filter((v): v is number => typeof v === 'number');
    const others = [...new Set(condition.in.filter((v) => typeof v !== 'string' && typeof v !== 'number'))];
    const terms: string[] = [];
    if (strings.length > 0) {
      terms.push(`(${e} IN (${strings.map(() => '?').join(', ')}) AND ${t} = 'text')`);
      params.push(...strings);
    }
    if (numbers.length > 0) {
      terms.push(`(${e} IN (${numbers.map(() => '?').join(', ')}) AND ${t} ${NUMBER_TYPES})`);
      params.push(...numbers);
    }
    terms.push(...others.map(scalar));
    if (terms.length === 0) return '0';
    return terms.length === 1 ? terms[0]! : `(${terms.join(' OR ')})`;
  }
  const terms: string[] = [];
  for (const [op, bound] of [
    ['>=', condition.gte],
    ['<=', condition.lte],
  ] as const) {
    if (bound === undefined) continue;
    if (typeof bound === 'number' && Number.isFinite(bound)) {
      terms.push(`${e} ${op} ? AND ${t} ${NUMBER_TYPES}`);
    } else if (typeof bound === 'string') {
      terms.push(`${e} ${op} ? AND ${t} = 'text'`);
    } else {
      throw validationError(`Invalid range bound for ${field}: a finite number or a string`);
    }
    params.push(bound);
  }
  if (terms.length === 0) throw validationError(`Invalid condition for ${field}: a value, { in: [...] } or { gte?, lte? } with at least one bound`);
  return `(${terms.join(' AND ')})`;
}

function whereSql(where: FindQuery['where'], params: (string | number)[]): string {
  const terms = ['deleted = 0'];
  for (const [field, condition] of Object.entries(where ?? {})) terms.push(conditionSql(field, condition, params));
  return terms.join(' AND ');
}

/** ORDER BY the given fields, then id in the direction of the last one: a total order an index on (fields..., id) serves. */
function orderSql(orderBy: FindQuery['orderBy']): string {
  const terms = (orderBy ?? []).map(({ field, direction }) => {
    if (direction !== 'asc' && direction !== 'desc') throw validationError(`Invalid direction for ${field}: asc or desc`);
    return `${extract(field)} ${direction === 'desc' ? 'DESC' : 'ASC'}`;
  });
  const last = orderBy?.at(-1)?.direction === 'desc' ? 'DESC' : 'ASC';
  return [...terms, `id ${last}`].join(', ');
}

const isSqliteError = (e: unknown, ...codes: string[]): boolean => e instanceof Database.SqliteError && codes.some((c) => e.code.startsWith(c));

/**
 * The embedded read store: one SQLite file in WAL mode, one table per collection
 * (`c_<collection>`: id, position, deleted, doc as JSONB) and a `_checkpoints` table.
 *
 * - `commit` is one IMMEDIATE transaction with the checkpoint, so it is truly atomic; the
 *   position guard (an upsert that only overwrites a row written at a lower position) still makes
 *   a replay a no-op. A delete keeps a tombstone row, so a replayed older put cannot resurrect it.
 * - Queries translate to SQL over `json_extract(doc, '$.field')` with bound parameters; field
 *   names are checked against a strict identifier pattern before they reach SQL. `ensureIndex`
 *   creates a partial expression index (`WHERE deleted = 0`) on the fields plus id, which serves
 *   equality, ranges and ORDER BY with the id tie-breaker.
 * - `swapCollection` drops the target and renames the source in one transaction: a reader (this
 *   or another process) sees the old or the new table, never a mix. Indexes move with the table.
 * - Several processes may share the file; SQLITE_BUSY past the busy timeout is reported as
 *   ReadStoreUnavailableError.
 */
export function createSqliteReadStore(options: SqliteReadStoreOptions): ReadStore {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  // ~40 MB of WAL between checkpoints instead of 4 MB: a projection batch rewrites whole documents,
  // and frequent checkpoints (each copying pages back and syncing) dominated rebuilds.
  db.pragma('wal_autocheckpoint = 10000');
  db.exec(SCHEMA);

  const turns = options.writeTurns ? new Int32Array(options.writeTurns) : null;
  const stmt = {
    tableExists: db.prepare<[string], { found: number }>(`SELECT 1 AS found FROM sqlite_schema WHERE type = 'table' AND name = ?`),
    tables: db.prepare<[], { name: string }>(`SELECT name FROM sqlite_schema WHERE type = 'table' AND substr(name, 1, ${TABLE_PREFIX.length}) = '${TABLE_PREFIX}'`),
    indexesOf: db.prepare<[string], { sql: string | null }>(`SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?`),
    checkpoint: db.prepare<[string], { position: number }>('SELECT position FROM _checkpoints WHERE name = ?'),
    moveCheckpoint: db.prepare(
      `INSERT INTO _checkpoints (name, position) VALUES (?, ?)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position WHERE excluded.position > _checkpoints.position`,
    ),
    deleteCheckpoint: db.prepare('DELETE FROM _checkpoints WHERE name = ?'),
  };

  /** Prepared statements by SQL text; a statement names its table, so after a swap it re-prepares against the new one. */
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let s = statements.get(sql);
    if (!s) {
      if (statements.size >= MAX_STATEMENTS) statements.clear();
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };

  const tableExists = (collection: string): boolean => stmt.tableExists.get(`${TABLE_PREFIX}${collection}`) !== undefined;

  const createTable = (table: string): void => {
    db.exec(`CREATE TABLE IF NOT EXISTS ${table} (
      id       TEXT    PRIMARY KEY NOT NULL,
      position INTEGER NOT NULL,
      deleted  INTEGER NOT NULL,
      doc      BLOB
    )`);
  };

  const upsertSql = (table: string): string =>
    `INSERT INTO ${table} (id, position, deleted, doc) VALUES (?, ?, ?, jsonb(?))
     ON CONFLICT (id) DO UPDATE SET position = excluded.position, deleted = excluded.deleted, doc = excluded.doc
     WHERE excluded.position > ${table}.position`;

  /** A write checked and serialised: done before the transaction, so the file's write lock is held only for the inserts. */
  type Row = readonly [table: string, id: string, position: Position, deleted: 0 | 1, json: string | null];
  const toRow = (w: DocumentWrite): Row => {
    const table = tableOf(w.collection);
    const position = checkPosition(w.position);
    if (typeof w.id !== 'string') throw validationError('A document id must be a string');
    if (w.op === 'put') {
      if (typeof w.doc !== 'object' || w.doc === null || Array.isArray(w.doc)) throw validationError(`Document ${w.id} must be an object`);
      return [table, w.id, position, 0, JSON.stringify(w.doc)];
    }
    if (w.op === 'delete') return [table, w.id, position, 1, null];
    throw validationError(`Unknown write op ${String((w as { op: unknown }).op)}`);
  };

  const commitTx = db.transaction((rows: readonly Row[], checkpoint: CheckpointWrite) => {
    const created = new Set<string>();
    for (const [table, id, position, deleted, json] of rows) {
      if (!created.has(table)) {
        createTable(table);
        created.add(table);
      }
      prepare(upsertSql(table)).run(id, position, deleted, json);
    }
    stmt.moveCheckpoint.run(checkpoint.name, checkPosition(checkpoint.position));
  });

  const ensureIndexTx = db.transaction((collection: string, fields: readonly string[]) => {
    const table = tableOf(collection);
    const columns = `(${[...fields.map(extract), 'id'].join(', ')}) WHERE deleted = 0`;
    createTable(table);
    const existing = stmt.indexesOf.all(`${TABLE_PREFIX}${collection}`);
    // The stored definition names the table (SQLite rewrites it on rename); compare what follows it.
    if (existing.some((i) => i.sql?.endsWith(columns))) return;
    // Index names are global in SQLite and stay with a table when it is renamed: make them unique.
    db.exec(`CREATE INDEX "ix_${randomUUID().replaceAll('-', '')}" ON ${table} ${columns}`);
  });

  const swapTx = db.transaction((source: string, target: string) => {
    db.exec(`DROP TABLE IF EXISTS ${tableOf(target)}`);
    if (tableExists(source)) db.exec(`ALTER TABLE ${tableOf(source)} RENAME TO ${tableOf(target)}`);
  });

  let closed = false;
  /** Runs a synchronous operation on an open database, reporting lock contention as unavailability. */
  const run = <T>(operation: string, fn: () => T): T => {
    if (closed) throw new ReadStoreUnavailableError('The SQLite read store is closed');
    try {
      return fn();
    } catch (e) {
      if (e instanceof NationPulseError) throw e;
      if (isSqliteError(e, 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_FULL')) {
        throw new ReadStoreUnavailableError(`SQLite read store ${operation} failed: ${(e as Error).message}`, { cause: e });
      }
      throw e;
    }
  };

  const toStored = <T>(row: DocumentRow): StoredDocument<T> => ({ id: row.id, position: row.position, doc: JSON.parse(row.doc) as T });

  const store: ReadStore = {
    async commit(writes, checkpoint) {
      run('commit', () => {
        const rows = writes.map(toRow);
        return inTurn(turns, () => commitTx.immediate(rows, checkpoint));
      });
    },

    async checkpoint(name) {
      return run('checkpoint', () => stmt.checkpoint.get(name)?.position ?? null);
    },

    async deleteCheckpoint(name) {
      run('deleteCheckpoint', () => stmt.deleteCheckpoint.run(name));
    },

    async get<T>(collection: string, id: string) {
      return run('get', () => {
        const table = tableOf(collection);
        if (!tableExists(collection)) return null;
        const row = prepare(`SELECT id, position, json(doc) AS doc FROM ${table} WHERE id = ? AND deleted = 0`).get(id) as DocumentRow | undefined;
        return row ? toStored<T>(row) : null;
      });
    },

    async getMany<T>(collection: string, ids: readonly string[]) {
      return run('getMany', () => {
        const table = tableOf(collection);
        if (ids.length === 0 || !tableExists(collection)) return [];
        if (ids.some((id) => typeof id !== 'string')) throw validationError('A document id must be a string');
        // One statement for any number of ids: they travel as one JSON array.
        const rows = prepare(`SELECT id, position, json(doc) AS doc FROM ${table} WHERE id IN (SELECT value FROM json_each(?)) AND deleted = 0`).all(
          JSON.stringify(ids),
        ) as DocumentRow[];
        const byId = new Map(rows.map((row) => [row.id, row]));
        const out: StoredDocument<T>[] = [];
        for (const id of new Set(ids)) {
          const row = byId.get(id);
          if (row) out.push(toStored<T>(row));
        }
        return out;
      });
    },

    async find<T>(collection: string, query: FindQuery = {}) {
      return run('find', () => {
        const table = tableOf(collection);
        const params: (string | number)[] = [];
        const where = whereSql(query.where, params);
        const order = orderSql(query.orderBy);
        const limit = checkCount('limit', query.limit) ?? -1;
        const offset = checkCount('offset', query.offset) ?? 0;
        if (!tableExists(collection) || limit === 0) return [];
        const sql = `SELECT id, position, json(doc) AS doc FROM ${table} WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`;
        const rows = prepare(sql).all(...params, limit, offset) as DocumentRow[];
        return rows.map((row) => toStored<T>(row));
      });
    },

    async count(collection, where) {
      return run('count', () => {
        const table = tableOf(collection);
        const params: (string | number)[] = [];
        const sql = `SELECT count(*) AS n FROM ${table} WHERE ${whereSql(where, params)}`;
        if (!tableExists(collection)) return 0;
        return (prepare(sql).get(...params) as { n: number }).n;
      });
    },

    async sum(collection, field, where) {
      return run('sum', () => {
        const table = tableOf(collection);
        const params: (string | number)[] = [];
        const sql = `SELECT total(CASE WHEN ${typeOf(checkField(field))} ${NUMBER_TYPES} THEN ${extract(field)} END) AS total FROM ${table} WHERE ${whereSql(where, params)}`;
        if (!tableExists(collection)) return 0;
        return (prepare(sql).get(...params) as { total: number }).total;
      });
    },

    async ensureIndex(collection, fields) {
      run('ensureIndex', () => {
        checkCollection(collection);
        if (fields.length === 0) throw validationError('An index needs at least one field');
        fields.forEach(checkField);
        ensureIndexTx.immediate(collection, fields);
      });
    },

    async swapCollection(source, target) {
      run('swapCollection', () => {
        checkCollection(source);
        checkCollection(target);
        if (source === target) throw validationError(`Cannot swap collection ${source} with itself`);
        swapTx.immediate(source, target);
      });
    },

    async dropCollection(collection) {
      run('dropCollection', () => db.exec(`DROP TABLE IF EXISTS ${tableOf(collection)}`));
    },

    async listCollections(prefix = '') {
      return run('listCollections', () =>
        stmt.tables
          .all()
          .map((r) => r.name.slice(TABLE_PREFIX.length))
          .filter((name) => name.startsWith(prefix))
          .sort(),
      );
    },

    async ping() {
      run('ping', () => db.prepare('SELECT 1').get());
    },

    async close() {
      if (closed) return;
      closed = true;
      statements.clear();
      db.close();
    },
  };
  return store;
}

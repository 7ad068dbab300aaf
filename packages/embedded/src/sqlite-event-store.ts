import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { NationPulseError } from '@nationpulse/domain';
import {
  EventStoreUnavailableError,
  inPartition,
  StreamRevisionConflictError,
  type AppendResult,
  type EventFilter,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '@nationpulse/ports';

export interface SqliteEventStoreOptions {
  /** Database file, or ':memory:' for tests. */
  readonly path: string;
  /**
   * 'full' fsyncs every commit (survives power loss); 'normal' is WAL's default and survives
   * a process crash but may lose the last commits on power loss.
   */
  readonly synchronous?: 'full' | 'normal';
  /**
   * How often a subscription checks for events appended by other processes sharing the file.
   * Appends through this instance wake subscribers at once.
   */
  readonly pollIntervalMs?: number;
  /** Page size for reads. */
  readonly pageSize?: number;
  /**
   * Page size for subscriptions, smaller: a subscriber (a projection) takes its events one by one
   * and slowly, so a big page would sit in memory long enough to be promoted to the old heap.
   */
  readonly subscriptionPageSize?: number;
  readonly clock?: () => Date;
  /**
   * How long a call waits for another process's write lock before failing with
   * EventStoreUnavailableError (SQLite calls block the event loop meanwhile). Default 5000.
   */
  readonly busyTimeoutMs?: number;
}

interface PendingAppend {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}
type Outcome = { readonly result: AppendResult } | { readonly error: unknown };

/** Taken at load: a test's fake timers must not hold appends back. */
const defer = setImmediate;

/** A row as an array (better-sqlite3 raw mode): cheaper than an object per row on long reads. */
type EventRow = [position: number, streamId: string, revision: number, type: string, data: string, metadata: string, recordedAt: string];
const COLUMNS = 'position, stream_id, revision, type, data, metadata, recorded_at';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id   TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  event_id    TEXT    NOT NULL,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  metadata    TEXT    NOT NULL,
  recorded_at TEXT    NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_stream_revision ON events (stream_id, revision);
CREATE UNIQUE INDEX IF NOT EXISTS events_event_id ON events (event_id);
`;

// A partition (share of the streams) is decided by a JavaScript function of the stream id, which
// SQLite calls through np_in_share (registered per connection): the rows of other shares are
// dropped before their data and metadata columns are read into strings, let alone parsed.
const FILTER_SQL = `
  (@types IS NULL OR type IN (SELECT value FROM json_each(@types)))
  AND (@prefixes IS NULL OR EXISTS (SELECT 1 FROM json_each(@prefixes) WHERE substr(stream_id, 1, length(value)) = value))
  AND (@share IS NULL OR np_in_share(@share, stream_id))`;

const toRecorded = (row: EventRow): RecordedEvent => ({
  streamId: row[1],
  revision: row[2],
  position: row[0],
  type: row[3],
  data: JSON.parse(row[4]) as unknown,
  metadata: JSON.parse(row[5]) as EventMetadata,
  recordedAt: row[6],
});

const filterParams = (filter: EventFilter | undefined): [string | null, string | null] => [
  filter?.eventTypes ? JSON.stringify(filter.eventTypes) : null,
  filter?.streamPrefixes ? JSON.stringify(filter.streamPrefixes) : null,
];

/** The partitions of the reads in progress, by the number their queries pass to np_in_share. */
interface Shares {
  /** A number for `filter`'s partition (null without one) and its release; the number is what @share takes. */
  open(filter: EventFilter | undefined): { readonly share: number | null; readonly close: () => void };
}

const createShares = (db: Database.Database): Shares => {
  const partitions = new Map<number, NonNullable<EventFilter['partition']>>();
  let next = 1;
  db.function('np_in_share', { deterministic: false }, (share: unknown, streamId: unknown) =>
    inPartition(partitions.get(share as number), streamId as string) ? 1 : 0,
  );
  return {
    open(filter) {
      const partition = filter?.partition;
      if (!partition || partition.count <= 1) return { share: null, close: () => {} };
      const share = next++;
      partitions.set(share, partition);
      return { share, close: () => partitions.delete(share) };
    },
  };
};

/** SQLite's answers for a file this process cannot use right now (as opposed to a bad call). */
const UNAVAILABLE_CODES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_FULL', 'SQLITE_READONLY'];

/** Runs a synchronous call on the file, reporting an unusable file as unavailability. */
const guarded = <T>(operation: string, fn: () => T): T => {
  try {
    return fn();
  } catch (e) {
    if (e instanceof NationPulseError) throw e;
    if (e instanceof Database.SqliteError && UNAVAILABLE_CODES.some((c) => e.code.startsWith(c))) {
      throw new EventStoreUnavailableError(`SQLite event store ${operation} failed: ${e.message}`, { cause: e });
    }
    throw e;
  }
};

/**
 * The embedded event store: one SQLite file in WAL mode. Appends are serialised by an
 * IMMEDIATE transaction, so positions are assigned in commit order and a reader never sees a
 * later position before an earlier one — the property catch-up subscriptions rely on. Several
 * processes may share the file (the distributed test topology does). A file that is locked past
 * the busy timeout, read-only, full or failing is reported as EventStoreUnavailableError (503
 * EVENT_STORE_UNAVAILABLE at the APIs), never as an unknown error.
 */
export function createSqliteEventStore(options: SqliteEventStoreOptions): EventStore {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  // First: processes opening a new file together wait for each other's WAL switch and schema.
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  // Checkpoint every ~40 MB of WAL (10,000 pages) rather than SQLite's default 4 MB. Event ids are
  // random, so every append dirties scattered index pages; a wider window copies each of them back
  // to the database file (and fsyncs it) far less often. Durability is unchanged: every commit is
  // still synced to the WAL as `synchronous` says; the WAL file just grows larger between checkpoints.
  db.pragma('wal_autocheckpoint = 10000');
  db.exec(SCHEMA);

  const pageSize = options.pageSize ?? 1000;
  const subscriptionPageSize = options.subscriptionPageSize ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const clock = options.clock ?? (() => new Date());
  const appended = new EventEmitter();
  appended.setMaxListeners(0);

  const shares = createShares(db);
  const stmt = {
    revision: db.prepare<[string], { revision: number | null }>('SELECT MAX(revision) AS revision FROM events WHERE stream_id = ?'),
    byEventId: db.prepare<[string], { stream_id: string; revision: number; position: number }>(
      'SELECT stream_id, revision, position FROM events WHERE event_id = ?',
    ),
    insert: db.prepare(
      'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    forwards: db
      .prepare<[string, number, number], EventRow>(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`)
      .raw(true),
    backwards: db
      .prepare<[string, number, number], EventRow>(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`)
      .raw(true),
    all: db
      .prepare<[{ types: string | null; prefixes: string | null; share: number | null; after: number; limit: number }], EventRow>(
        `SELECT ${COLUMNS} FROM events WHERE position > @after AND ${FILTER_SQL} ORDER BY position ASC LIMIT @limit`,
      )
      .raw(true),
    allUnfiltered: db
      .prepare<[number, number], EventRow>(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position ASC LIMIT ?`)
      .raw(true),
    upTo: db
      .prepare<[{ types: string | null; prefixes: string | null; share: number | null; after: number; head: number; limit: number }], EventRow>(
        `SELECT ${COLUMNS} FROM events WHERE position > @after AND position <= @head AND ${FILTER_SQL} ORDER BY position ASC LIMIT @limit`,
      )
      .raw(true),
    head: db.prepare<[], { head: number | null }>('SELECT MAX(position) AS head FROM events'),
  };

  const currentRevision = (streamId: string): number | null => guarded('read', () => stmt.revision.get(streamId)?.revision ?? null);

  /** A batch whose every id is already stored, in order, in this stream is a retry: answer as the first time. */
  const priorResult = (streamId: string, events: readonly NewEvent[]): AppendResult | null => {
    const first = stmt.byEventId.get(events[0]!.metadata.eventId);
    if (!first) return null;
    let last = first;
    for (let i = 0; i < events.length; i++) {
      const row = i === 0 ? first : stmt.byEventId.get(events[i]!.metadata.eventId);
      if (!row || row.stream_id !== streamId || row.revision !== first.revision + i) {
        throw new StreamRevisionConflictError(streamId, 'any', currentRevision(streamId));
      }
      last = row;
    }
    return { nextRevision: last.revision, position: last.position };
  };

  const appendTx = db.transaction((streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult => {
    const retried = priorResult(streamId, events);
    if (retried) return retried;
    const actual = currentRevision(streamId);
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && actual === null) ||
      (expected === 'stream_exists' && actual !== null) ||
      (typeof expected === 'number' && actual === expected);
    if (!ok) throw new StreamRevisionConflictError(streamId, expected, actual);

    const recordedAt = clock().toISOString();
    let revision = actual ?? -1;
    let position = 0;
    for (const e of events) {
      revision += 1;
      const info = stmt.insert.run(streamId, revision, e.metadata.eventId, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), recordedAt);
      position = Number(info.lastInsertRowid);
    }
    return { nextRevision: revision, position };
  });

  const isUniqueViolation = (e: unknown): boolean =>
    e instanceof Database.SqliteError && (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');

  /**
   * Group commit: the appends made in one turn of the event loop (a burst of concurrent commands,
   * an ingestion's series in flight) are written in one IMMEDIATE transaction, each in its own
   * savepoint, so they share one commit — one fsync with `synchronous = FULL`, which costs far
   * more than the inserts. Each append still succeeds or fails alone, in call order, and its
   * promise settles only once the commit is durable; a failed commit fails them all.
   */
  let group: PendingAppend[] = [];
  const groupTx = db.transaction((pending: readonly PendingAppend[]) =>
    pending.map(({ streamId, events, expected }): Outcome => {
      try {
        return { result: appendTx(streamId, events, expected) };
      } catch (e) {
        // A concurrent writer in another process won the race for this revision or event id.
        if (isUniqueViolation(e)) return { error: new StreamRevisionConflictError(streamId, expected, currentRevision(streamId), { cause: e }) };
        // A storage failure (locked, full, I/O) fails the whole group's commit, translated below.
        if (e instanceof Database.SqliteError) throw e;
        return { error: e };
      }
    }),
  );
  const commitGroup = () => {
    const pending = group;
    group = [];
    if (pending.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = guarded('append', () => groupTx.immediate(pending));
    } catch (e) {
      for (const p of pending) p.reject(e);
      return;
    }
    if (outcomes.some((o) => 'result' in o)) appended.emit('appended');
    outcomes.forEach((o, i) => ('result' in o ? pending[i]!.resolve(o.result) : pending[i]!.reject(o.error)));
  };

  async function* pages(next: (after: number) => EventRow[], after: number, limit: number): AsyncGenerator<RecordedEvent> {
    let cursor = after;
    let remaining = limit;
    while (remaining > 0) {
      const rows = next(cursor);
      for (const row of rows) {
        yield toRecorded(row);
        cursor = row[0];
        if (--remaining === 0) return;
      }
      if (rows.length < pageSize) return;
    }
  }

  const readPage = (filter: EventFilter | undefined, share: number | null, after: number, limit: number): EventRow[] =>
    guarded('read', () => {
      if (!filter) return stmt.allUnfiltered.all(after, limit);
      const [types, prefixes] = filterParams(filter);
      return stmt.all.all({ types, prefixes, share, after, limit });
    });

  let closed = false;

  const store: EventStore = {
    async append(streamId, events, expectedRevision) {
      if (events.length === 0) {
        const actual = currentRevision(streamId);
        return { nextRevision: actual ?? -1, position: 0 };
      }
      return new Promise<AppendResult>((resolve, reject) => {
        if (group.length === 0) defer(commitGroup);
        group.push({ streamId, events, expected: expectedRevision, resolve, reject });
      });
    },

    async *readStream(streamId, opts: ReadStreamOptions = {}) {
      const backwards = opts.direction === 'backwards';
      let remaining = opts.maxCount ?? Number.MAX_SAFE_INTEGER;
      let cursor = opts.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
      while (remaining > 0) {
        const limit = Math.min(pageSize, remaining);
        const rows = guarded('read', () => (backwards ? stmt.backwards.all(streamId, cursor, limit) : stmt.forwards.all(streamId, cursor, limit)));
        for (const row of rows) yield toRecorded(row);
        remaining -= rows.length;
        if (rows.length < limit) return;
        cursor = backwards ? rows[rows.length - 1]![2] - 1 : rows[rows.length - 1]![2] + 1;
      }
    },

    async streamRevision(streamId) {
      return currentRevision(streamId);
    },

    async *readAll(opts: ReadAllOptions = {}) {
      const limit = opts.maxCount ?? Number.MAX_SAFE_INTEGER;
      const { share, close } = shares.open(opts.filter);
      try {
        yield* pages((after) => readPage(opts.filter, share, after, Math.min(pageSize, limit)), opts.after ?? 0, limit);
      } finally {
        close();
      }
    },

    subscribeToAll(opts: SubscribeOptions = {}): Subscription {
      let stopped = false;
      let wake: (() => void) | null = null;
      const onAppend = () => wake?.();
      appended.on('appended', onAppend);
      const stop = () => {
        stopped = true;
        appended.off('appended', onAppend);
        wake?.();
      };
      const waitForMore = () =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(done, pollIntervalMs);
          function done() {
            clearTimeout(timer);
            wake = null;
            resolve();
          }
          wake = done;
        });

      // A filtered page is read up to the head as it was just before: once a short page says no
      // matching event lies below that head, the cursor moves up to it, so the next wake scans only
      // what was appended since — not every other event since the last match (a subscription to
      // rare events would otherwise rescan the whole tail of the log at each append). Positions
      // are assigned in commit order, so no event at or below that head can still appear.
      const [types, prefixes] = filterParams(opts.filter);
      async function* run(): AsyncGenerator<RecordedEvent> {
        let cursor: Position = opts.after ?? 0;
        const { share, close } = shares.open(opts.filter);
        try {
          while (!stopped && !closed) {
            const head = opts.filter ? (stmt.head.get()?.head ?? 0) : 0;
            const rows = opts.filter
              ? stmt.upTo.all({ types, prefixes, share, after: cursor, head, limit: subscriptionPageSize })
              : stmt.allUnfiltered.all(cursor, subscriptionPageSize);
            for (const row of rows) {
              if (stopped) return;
              cursor = row[0];
              yield toRecorded(row);
            }
            if (rows.length < subscriptionPageSize) {
              if (opts.filter && head > cursor) cursor = head;
              await waitForMore();
            }
          }
        } finally {
          close();
          stop();
        }
      }
      const iterator = run();
      return {
        [Symbol.asyncIterator]: () => iterator,
        async close() {
          stop();
        },
      };
    },

    async headPosition() {
      return guarded('read', () => stmt.head.get()?.head ?? 0);
    },

    async close() {
      if (closed) return;
      commitGroup();
      closed = true;
      appended.emit('appended');
      db.close();
    },
  };
  return store;
}

import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import {
  MessageBusUnavailableError,
  type BusConsumer,
  type ConsumeOptions,
  type DeliveredMessage,
  type MessageBus,
  type OutgoingMessage,
  type TopicSpec,
} from '@nationpulse/ports';

export interface SqliteMessageBusOptions {
  /** Database file shared by every process using the bus (WAL mode), or ':memory:' for one process. */
  readonly path: string;
  /** Partitions of a topic created implicitly by a publish or a subscription (default 3). */
  readonly defaultPartitions?: number;
  /** How often an idle member looks for new messages written by other processes (default 50 ms). */
  readonly pollIntervalMs?: number;
  /**
   * A member that has not sent a heartbeat for this long is considered dead and its partitions go
   * to the others (default 6 s). Heartbeats run on a timer, so a long handler keeps its partitions.
   */
  readonly sessionTimeoutMs?: number;
  /** Messages fetched from a partition at a time (default 100). */
  readonly batchSize?: number;
  readonly now?: () => number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS bus_topics (name TEXT PRIMARY KEY, partitions INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bus_messages (
  topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL,
  key TEXT, value TEXT NOT NULL, headers TEXT NOT NULL, ts TEXT NOT NULL,
  PRIMARY KEY (topic, partition, offset)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bus_offsets (
  group_id TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
  PRIMARY KEY (group_id, topic, partition)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bus_members (
  group_id TEXT NOT NULL, member_id TEXT NOT NULL, heartbeat_at INTEGER NOT NULL,
  PRIMARY KEY (group_id, member_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bus_leases (
  group_id TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, member_id TEXT NOT NULL, expires_at INTEGER NOT NULL,
  PRIMARY KEY (group_id, topic, partition)
) WITHOUT ROWID;
`;

type MessageRow = { topic: string; partition: number; offset: number; key: string | null; value: string; headers: string; ts: string };
type Lease = { topic: string; partition: number };

/** Same key, same partition, in every process: a stable hash of the key's bytes. */
export const partitionOf = (key: string, partitions: number): number =>
  createHash('sha1').update(key, 'utf8').digest().readUInt32BE(0) % partitions;

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * The embedded saga transport: a durable log in one SQLite file with Kafka's semantics — topics
 * of keyed partitions, consumer groups whose members share the partitions (leases renewed by
 * heartbeats; a silent member's partitions move after the session timeout), offsets committed
 * only after the handler succeeded, so whatever a crashed or stopped member held is delivered
 * again. Several processes may share the file.
 */
export function createSqliteMessageBus(options: SqliteMessageBusOptions): MessageBus {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);

  const defaultPartitions = options.defaultPartitions ?? 3;
  const pollIntervalMs = options.pollIntervalMs ?? 50;
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 6_000;
  const batchSize = options.batchSize ?? 100;
  const now = options.now ?? Date.now;
  const published = new EventEmitter();
  published.setMaxListeners(0);
  let closed = false;
  const consumers = new Set<BusConsumer>();

  const stmt = {
    topic: db.prepare<[string], { partitions: number }>('SELECT partitions FROM bus_topics WHERE name = ?'),
    createTopic: db.prepare('INSERT OR IGNORE INTO bus_topics (name, partitions) VALUES (?, ?)'),
    nextOffset: db.prepare<[string, number], { next: number }>('SELECT COALESCE(MAX(offset) + 1, 0) AS next FROM bus_messages WHERE topic = ? AND partition = ?'),
    insert: db.prepare('INSERT INTO bus_messages (topic, partition, offset, key, value, headers, ts) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    fetch: db.prepare<[string, number, number, number], MessageRow>(
      'SELECT topic, partition, offset, key, value, headers, ts FROM bus_messages WHERE topic = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT ?',
    ),
    committed: db.prepare<[string, string, number], { next_offset: number }>('SELECT next_offset FROM bus_offsets WHERE group_id = ? AND topic = ? AND partition = ?'),
    commit: db.prepare(
      `INSERT INTO bus_offsets (group_id, topic, partition, next_offset) VALUES (?, ?, ?, ?)
       ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = MAX(next_offset, excluded.next_offset)`,
    ),
    heartbeat: db.prepare('INSERT INTO bus_members (group_id, member_id, heartbeat_at) VALUES (?, ?, ?) ON CONFLICT (group_id, member_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at'),
    renewLeases: db.prepare('UPDATE bus_leases SET expires_at = ? WHERE group_id = ? AND member_id = ?'),
    dropDeadMembers: db.prepare('DELETE FROM bus_members WHERE group_id = ? AND heartbeat_at < ?'),
    liveMembers: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM bus_members WHERE group_id = ?'),
    leases: db.prepare<[string], { topic: string; partition: number; member_id: string; expires_at: number }>('SELECT topic, partition, member_id, expires_at FROM bus_leases WHERE group_id = ?'),
    claim: db.prepare(
      `INSERT INTO bus_leases (group_id, topic, partition, member_id, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (group_id, topic, partition) DO UPDATE SET member_id = excluded.member_id, expires_at = excluded.expires_at`,
    ),
    release: db.prepare('DELETE FROM bus_leases WHERE group_id = ? AND topic = ? AND partition = ? AND member_id = ?'),
    releaseAll: db.prepare('DELETE FROM bus_leases WHERE group_id = ? AND member_id = ?'),
    leave: db.prepare('DELETE FROM bus_members WHERE group_id = ? AND member_id = ?'),
  };

  const guard = <T>(what: string, fn: () => T): T => {
    if (closed) throw new MessageBusUnavailableError('The message bus is closed');
    try {
      return fn();
    } catch (e) {
      if (e instanceof Database.SqliteError && (e.code === 'SQLITE_BUSY' || e.code.startsWith('SQLITE_IOERR') || e.code === 'SQLITE_FULL')) {
        throw new MessageBusUnavailableError(`The message log could not ${what}: ${e.message}`, { cause: e });
      }
      throw e;
    }
  };

  const partitionsOf = (topic: string): number => {
    if (!TOPIC_NAME.test(topic)) throw new MessageBusUnavailableError(`Invalid topic name ${JSON.stringify(topic)}`);
    stmt.createTopic.run(topic, defaultPartitions);
    return stmt.topic.get(topic)!.partitions;
  };

  const publishTx = db.transaction((topic: string, messages: readonly OutgoingMessage[]) => {
    const partitions = partitionsOf(topic);
    const ts = new Date(now()).toISOString();
    const next = new Map<number, number>();
    for (const m of messages) {
      const partition = partitionOf(m.key, partitions);
      const offset = next.get(partition) ?? stmt.nextOffset.get(topic, partition)!.next;
      stmt.insert.run(topic, partition, offset, m.key, m.value, JSON.stringify(m.headers ?? {}), ts);
      next.set(partition, offset + 1);
    }
  });

  /**
   * Fair share: ceil(partitions / live members); take free or expired leases up to it, give back the excess.
   * `beat` also records a heartbeat and renews the leases: when joining. The polling loop leaves
   * that to the heartbeat timer, so an idle poll that changes no lease writes nothing (no commit
   * to sync, many times a second, on the thread every embedded service shares).
   */
  const rebalanceTx = db.transaction((groupId: string, memberId: string, topics: readonly string[], beat: boolean): Lease[] => {
    const t = now();
    if (beat) stmt.heartbeat.run(groupId, memberId, t);
    stmt.dropDeadMembers.run(groupId, t - sessionTimeoutMs);
    const live = Math.max(1, stmt.liveMembers.get(groupId)!.n);
    const all: Lease[] = topics.flatMap((topic) => Array.from({ length: partitionsOf(topic) }, (_, partition) => ({ topic, partition })));
    const fair = Math.ceil(all.length / live);
    const leases = new Map(stmt.leases.all(groupId).map((l) => [`${l.topic}\u0000${l.partition}`, l]));
    const mine: Lease[] = [];
    const free: Lease[] = [];
    for (const p of all) {
      const lease = leases.get(`${p.topic}\u0000${p.partition}`);
      if (lease?.member_id === memberId) mine.push(p);
      else if (!lease || lease.expires_at < t) free.push(p);
    }
    while (mine.length > fair) {
      const given = mine.pop()!;
      stmt.release.run(groupId, given.topic, given.partition, memberId);
    }
    for (const p of free) {
      if (mine.length >= fair) break;
      stmt.claim.run(groupId, p.topic, p.partition, memberId, t + sessionTimeoutMs);
      mine.push(p);
    }
    if (beat) stmt.renewLeases.run(t + sessionTimeoutMs, groupId, memberId);
    return mine;
  });

  const toDelivered = (row: MessageRow): DeliveredMessage => ({
    topic: row.topic,
    partition: row.partition,
    offset: String(row.offset),
    key: row.key,
    value: row.value,
    headers: JSON.parse(row.headers) as Record<string, string>,
    timestamp: row.ts,
  });

  const bus: MessageBus = {
    async ensureTopics(topics: readonly TopicSpec[]) {
      guard('create topics', () =>
        db.transaction(() => {
          for (const t of topics) {
            if (!TOPIC_NAME.test(t.name)) throw new MessageBusUnavailableError(`Invalid topic name ${JSON.stringify(t.name)}`);
            stmt.createTopic.run(t.name, t.partitions);
          }
        }).immediate(),
      );
    },

    async publish(topic, messages) {
      if (messages.length === 0) return;
      guard('append', () => publishTx.immediate(topic, messages));
      published.emit('published');
    },

    async subscribe({ groupId, topics, handler, onError, retryDelayMs = 500 }: ConsumeOptions) {
      const memberId = randomUUID();
      let stopped = false;
      let wake: (() => void) | null = null;
      const onPublish = () => wake?.();
      published.on('published', onPublish);
      const idle = () =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(done, pollIntervalMs);
          function done() {
            clearTimeout(timer);
            wake = null;
            resolve();
          }
          wake = done;
        });
      const beat = () => {
        if (!stopped && !closed) {
          try {
            const t = now();
            stmt.heartbeat.run(groupId, memberId, t);
            stmt.renewLeases.run(t + sessionTimeoutMs, groupId, memberId);
          } catch {
            // a busy file: the next beat or the loop's rebalance renews
          }
        }
      };
      const heartbeat = setInterval(beat, Math.max(50, Math.floor(sessionTimeoutMs / 3)));
      guard('join the group', () => rebalanceTx.immediate(groupId, memberId, topics, true));

      /** Delivers one message until its handler succeeds; false when the member stopped first (nothing committed). */
      const deliver = async (message: DeliveredMessage): Promise<boolean> => {
        for (;;) {
          try {
            await handler(message);
            return true;
          } catch (e) {
            onError?.(e, message);
            await sleep(retryDelayMs);
            if (stopped || closed) return false;
          }
        }
      };

      const loop = async () => {
        while (!stopped && !closed) {
          let delivered = 0;
          try {
            const mine = rebalanceTx.immediate(groupId, memberId, topics, false);
            for (const { topic, partition } of mine) {
              if (stopped) break;
              const from = stmt.committed.get(groupId, topic, partition)?.next_offset ?? 0;
              for (const row of stmt.fetch.all(topic, partition, from, batchSize)) {
                if (stopped || !(await deliver(toDelivered(row)))) break;
                if (closed) return;
                stmt.commit.run(groupId, topic, partition, row.offset + 1);
                delivered++;
              }
            }
          } catch (e) {
            if (closed) return;
            // A busy or failing file: back off and try again; nothing was committed past what was handled.
            onError?.(e, { topic: topics[0] ?? '', partition: -1, offset: '-1', key: null, value: '', headers: {}, timestamp: new Date(now()).toISOString() });
            await sleep(retryDelayMs);
          }
          if (delivered === 0 && !stopped) await idle();
        }
      };
      const running = loop();

      const consumer: BusConsumer = {
        async close() {
          if (stopped) return;
          stopped = true;
          wake?.();
          clearInterval(heartbeat);
          published.off('published', onPublish);
          await running;
          consumers.delete(consumer);
          if (!closed) {
            stmt.releaseAll.run(groupId, memberId);
            stmt.leave.run(groupId, memberId);
          }
        },
      };
      consumers.add(consumer);
      return consumer;
    },

    async consumerLag(groupId, topics) {
      return guard('read offsets', () =>
        topics.flatMap((topic) => {
          const partitions = stmt.topic.get(topic)?.partitions ?? 0;
          return Array.from({ length: partitions }, (_, partition) => {
            const end = stmt.nextOffset.get(topic, partition)!.next;
            const from = stmt.committed.get(groupId, topic, partition)?.next_offset ?? 0;
            return { topic, partition, lag: Math.max(0, end - from) };
          });
        }),
      );
    },

    async ping() {
      guard('answer', () => db.prepare('SELECT 1').get());
    },

    async close() {
      if (closed) return;
      for (const c of [...consumers]) await c.close();
      closed = true;
      db.close();
    },
  };
  return bus;
}

import {
  MongoBulkWriteError,
  MongoClient,
  MongoClientClosedError,
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  type AnyBulkWriteOperation,
  type Collection,
  type Db,
  type Filter,
  type Sort,
  type WriteError,
} from 'mongodb';
import { NationPulseError, validationError } from '@nationpulse/domain';
import {
  ReadStoreUnavailableError,
  type DocumentWrite,
  type FieldCondition,
  type FindQuery,
  type Position,
  type ReadStore,
  type StoredDocument,
} from '@nationpulse/ports';

export interface MongoReadStoreOptions {
  /** e.g. `mongodb://127.0.0.1:27017`; credentials, TLS and replica set options go here. */
  readonly url: string;
  readonly database: string;
  /**
   * Time limit of each operation in ms (default 10 s): sent as `maxTimeMS` to the server, and,
   * with a margin, the socket timeout, which also bounds a server that ignores `maxTimeMS`.
   */
  readonly timeoutMs?: number;
  /**
   * How long an operation waits to reach a usable server, in ms (default 2 s): server selection
   * and TCP connect. Past it the operation fails with ReadStoreUnavailableError, so callers
   * (a projector's retry loop, a 503 from the read API) decide instead of hanging.
   */
  readonly connectTimeoutMs?: number;
}

/**
 * How a read-model document is stored. The projection's fields stay under `doc`, so they can
 * never clash with the store's own, and queries address `doc.<field>`. A delete keeps the
 * document as a tombstone (`deleted: true`, `doc: null`) so that an older put replayed later
 * cannot bring it back.
 */
interface StoredShape {
  _id: string;
  position: number;
  deleted: boolean;
  doc: Record<string, unknown> | null;
}

interface CheckpointShape {
  _id: string;
  position: number;
}

/** Collection names: a letter or digit, then letters, digits, `_ . : -`. Names starting with `_` are the store's own. */
const COLLECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,119}$/;
/** Document fields usable in queries and indexes: plain top-level identifiers. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Cannot clash with a collection name, which starts with a letter or digit. */
const CHECKPOINTS = '_checkpoints';
/**
 * Ids per `{ _id: { $in } }` lookup of stored positions. mongo-java-server matches every
 * candidate against the whole list, so large lists are quadratic there.
 */
const LOOKUP_CHUNK = 500;

const DUPLICATE_KEY = 11000;
/** NamespaceNotFound; mongo-java-server sends no code, only the message. */
const NAMESPACE_NOT_FOUND = 26;
/**
 * Server errors that mean "not now" rather than "wrong request": shutdown, failover, network
 * trouble reported by the server, time limits.
 */
const TRANSIENT_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

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
  return `doc.${field}`;
};

const checkPosition = (position: Position): Position => {
  if (!Number.isSafeInteger(position) || position < 0) throw validationError(`Invalid position ${String(position)}: a non-negative safe integer`);
  return position;
};

const checkCount = (name: string, value: number | undefined): number | undefined => {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) throw validationError(`Invalid ${name} ${String(value)}: a non-negative integer`);
  return value;
};

const checkScalar = (field: string, value: unknown): void => {
  if (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw validationError(`Invalid value for ${field}: a string, number, boolean or null`);
  }
};

/**
 * Conditions in MongoDB's own terms, which already have the semantics the port's contract asks
 * for: equality on null matches null or missing, ranges are type-bracketed (a numeric bound never
 * matches a string), equality never confuses 1 with true.
 */
function toFilter(where: FindQuery['where']): Filter<StoredShape> {
  const filter: Record<string, unknown> = { deleted: false };
  for (const [field, condition] of Object.entries(where ?? {})) {
    const path = checkField(field);
    filter[path] = toCondition(field, condition);
  }
  return filter;
}

function toCondition(field: string, condition: FieldCondition): unknown {
  if (condition === null || typeof condition !== 'object') {
    checkScalar(field, condition);
    return condition;
  }
  if ('in' in condition) {
    if (!Array.isArray(condition.in)) throw validationError(`Invalid "in" for ${field}: a list of values`);
    condition.in.forEach((v) => checkScalar(field, v));
    return { $in: condition.in };
  }
  const range: Record<string, number | string> = {};
  for (const [op, bound] of [
    ['$gte', condition.gte],
    ['$lte', condition.lte],
  ] as const) {
    if (bound === undefined) continue;
    if (!(typeof bound === 'string' || (typeof bound === 'number' && Number.isFinite(bound)))) {
      throw validationError(`Invalid range bound for ${field}: a finite number or a string`);
    }
    range[op] = bound;
  }
  if (Object.keys(range).length === 0) throw validationError(`Invalid condition for ${field}: a value, { in: [...] } or { gte?, lte? } with at least one bound`);
  return range;
}

/** The given fields, then _id in the direction of the last one: a total order an index on (fields..., _id) serves. */
function toSort(orderBy: FindQuery['orderBy']): Sort {
  const sort: Record<string, 1 | -1> = {};
  for (const { field, direction } of orderBy ?? []) {
    if (direction !== 'asc' && direction !== 'desc') throw validationError(`Invalid direction for ${field}: asc or desc`);
    sort[checkField(field)] = direction === 'desc' ? -1 : 1;
  }
  sort._id = orderBy?.at(-1)?.direction === 'desc' ? -1 : 1;
  return sort;
}

const isNamespaceNotFound = (e: unknown): boolean =>
  e instanceof MongoServerError &&
  (e.code === NAMESPACE_NOT_FOUND || e.codeName === 'NamespaceNotFound' || /ns not found|namespace does not exist/i.test(e.message));

/**
 * What the driver's network errors say. A bulk write that could not be sent (the connection
 * closed, refused, timed out) reaches the caller wrapped in a MongoBulkWriteError without write
 * errors, a code or labels: only the message tells it from a write the server refused.
 */
const NETWORK_FAILURE = /\bconnection \d+ to \S+ (closed|timed out)|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up|server selection timed out|topology is closed|connection pool .*cleared/i;

/**
 * Socket errors the driver lets through unwrapped: a command written to a socket the server just
 * closed fails with Node's own EPIPE ("This socket has been ended by the other party").
 */
const SOCKET_ERROR_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ERR_STREAM_WRITE_AFTER_END', 'ERR_STREAM_DESTROYED']);
const isRawSocketError = (e: unknown): boolean =>
  e instanceof Error && !(e instanceof MongoError) && SOCKET_ERROR_CODES.has(String((e as { code?: unknown }).code));

const isUnsentBulkWrite = (e: unknown): boolean =>
  e instanceof MongoBulkWriteError && ([] as unknown[]).concat(e.writeErrors ?? []).length === 0 && e.code === undefined && NETWORK_FAILURE.test(e.message);

/** A failure a retry may cure: the server out of reach, a timeout, a transient server state. */
export const isUnavailable = (e: unknown): boolean =>
  isUnsentBulkWrite(e) ||
  isRawSocketError(e) ||
  e instanceof MongoServerSelectionError ||
  e instanceof MongoNetworkError || // includes MongoNetworkTimeoutError (socket timeout)
  e instanceof MongoTopologyClosedError ||
  e instanceof MongoNotConnectedError ||
  e instanceof MongoClientClosedError ||
  e instanceof MongoServerClosedError ||
  e instanceof MongoOperationTimeoutError ||
  (e instanceof MongoServerError && typeof e.code === 'number' && TRANSIENT_CODES.has(e.code)) ||
  (e instanceof MongoError && (e.hasErrorLabel('RetryableWriteError') || e.hasErrorLabel('ResetPool')));

/**
 * The driver closes its topology when the client's first connection fails (the server not up
 * yet, or too slow to answer in time) but keeps it, so every later operation fails with "Topology
 * is closed" for good. On that error this opens a new topology in the background (one at a time),
 * so a later call, when the server answers, succeeds.
 */
export const reconnectAfterClosedTopology = (client: MongoClient, isClosedByUs: () => boolean): ((e: unknown) => void) => {
  let reconnecting: Promise<unknown> | null = null;
  return (e) => {
    if (!(e instanceof MongoTopologyClosedError) || isClosedByUs() || reconnecting) return;
    reconnecting = client
      .connect()
      .catch(() => undefined)
      .finally(() => (reconnecting = null));
  };
};

/** Keeps, per document, the write an in-order application would leave: the highest position, the first of equals. */
function coalesce(writes: readonly DocumentWrite[]): Map<string, Map<string, DocumentWrite>> {
  const byCollection = new Map<string, Map<string, DocumentWrite>>();
  for (const w of writes) {
    checkCollection(w.collection);
    checkPosition(w.position);
    if (typeof w.id !== 'string') throw validationError('A document id must be a string');
    if (w.op === 'put') {
      if (typeof w.doc !== 'object' || w.doc === null || Array.isArray(w.doc)) throw validationError(`Document ${w.id} must be an object`);
    } else if (w.op !== 'delete') {
      throw validationError(`Unknown write op ${String((w as { op: unknown }).op)}`);
    }
    let docs = byCollection.get(w.collection);
    if (!docs) byCollection.set(w.collection, (docs = new Map<string, DocumentWrite>()));
    const current = docs.get(w.id);
    if (!current || w.position > current.position) docs.set(w.id, w);
  }
  return byCollection;
}

const fieldsOf = (w: DocumentWrite): Omit<StoredShape, '_id'> =>
  w.op === 'put' ? { position: w.position, deleted: false, doc: w.doc } : { position: w.position, deleted: true, doc: null };

/** The guarded write for a document that exists: applies only over a lower position, atomically. */
const guardedUpdate = (w: DocumentWrite): AnyBulkWriteOperation<StoredShape> => ({
  updateOne: { filter: { _id: w.id, position: { $lt: w.position } }, update: { $set: fieldsOf(w) } },
});

/**
 * The production read store: MongoDB via the official `mongodb` driver, without transactions
 * (mongo-java-server, the test peer, has none, and a sharded cluster would make them costly).
 *
 * - `commit` applies the writes, then moves the checkpoint with `$max`. A crash in between is
 *   harmless: every write is guarded by its position, so the replay that follows is a no-op.
 * - The guard: the stored positions of a batch's documents are read first (`_id: { $in }`);
 *   a write at or below the stored position is skipped, a new document is inserted, an existing
 *   one is updated with `{ _id, position: { $lt } }`. An insert that loses a race with another
 *   writer (E11000) is retried as the guarded update, so the highest position always wins. All
 *   in unordered `bulkWrite`s; only duplicate-key errors are tolerated.
 * - Reads and counts exclude tombstones; `ensureIndex` creates `{ doc.<f>: 1, ..., _id: 1 }`.
 * - `swapCollection` is `renameCollection` with `dropTarget` (atomic on one server or replica
 *   set; indexes move with the collection).
 * - Network, server-selection and time-limit failures become ReadStoreUnavailableError.
 */
export function createMongoReadStore(options: MongoReadStoreOptions): ReadStore {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
  for (const [name, value] of [
    ['timeoutMs', timeoutMs],
    ['connectTimeoutMs', connectTimeoutMs],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be positive, got ${value}`);
  }
  const client = new MongoClient(options.url, {
    serverSelectionTimeoutMS: connectTimeoutMs,
    connectTimeoutMS: connectTimeoutMs,
    // Past maxTimeMS, so the server's own time-limit error normally arrives first.
    socketTimeoutMS: timeoutMs + Math.max(1_000, timeoutMs / 2),
    // Like JSON: an undefined field is left out, not stored as null.
    ignoreUndefined: true,
    appName: 'nationpulse-read-store',
  });
  const db: Db = client.db(options.database);
  const limits = { maxTimeMS: timeoutMs };
  const documents = (collection: string): Collection<StoredShape> => db.collection<StoredShape>(checkCollection(collection));
  const checkpoints = db.collection<CheckpointShape>(CHECKPOINTS);

  let closed = false;
  const reconnect = reconnectAfterClosedTopology(client, () => closed);
  const call = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    if (closed) throw new ReadStoreUnavailableError('The MongoDB read store is closed');
    try {
      return await fn();
    } catch (e) {
      if (e instanceof NationPulseError) throw e;
      reconnect(e);
      if (isUnavailable(e)) {
        throw new ReadStoreUnavailableError(`MongoDB read store ${operation} failed: ${(e as Error).message}`, { cause: e });
      }
      throw e;
    }
  };

  /** Runs an unordered bulk write, returning the operations that failed with a duplicate key; anything else throws. */
  const bulk = async (collection: Collection<StoredShape>, ops: AnyBulkWriteOperation<StoredShape>[]): Promise<AnyBulkWriteOperation<StoredShape>[]> => {
    if (ops.length === 0) return [];
    try {
      await collection.bulkWrite(ops, { ordered: false, ...limits });
      return [];
    } catch (e) {
      if (!(e instanceof MongoBulkWriteError) || e.result.getWriteConcernError()) throw e;
      const errors = ([] as WriteError[]).concat(e.writeErrors);
      if (errors.length === 0 || errors.some((w) => w.code !== DUPLICATE_KEY)) throw e;
      return errors.map((w) => ops[w.index]!);
    }
  };

  const storedPositions = async (collection: Collection<StoredShape>, ids: string[]): Promise<Map<string, number>> => {
    const positions = new Map<string, number>();
    for (let i = 0; i < ids.length; i += LOOKUP_CHUNK) {
      const chunk = ids.slice(i, i + LOOKUP_CHUNK);
      const found = await collection.find({ _id: { $in: chunk } }, { projection: { position: 1 }, ...limits }).toArray();
      for (const d of found) positions.set(d._id, d.position);
    }
    return positions;
  };

  const applyWrites = async (collectionName: string, writes: Map<string, DocumentWrite>): Promise<void> => {
    const collection = documents(collectionName);
    const stored = await storedPositions(collection, [...writes.keys()]);
    const ops: AnyBulkWriteOperation<StoredShape>[] = [];
    const inserts = new Map<AnyBulkWriteOperation<StoredShape>, DocumentWrite>();
    for (const w of writes.values()) {
      const position = stored.get(w.id);
      if (position === undefined) {
        const op: AnyBulkWriteOperation<StoredShape> = { insertOne: { document: { _id: w.id, ...fieldsOf(w) } } };
        inserts.set(op, w);
        ops.push(op);
      } else if (position < w.position) {
        ops.push(guardedUpdate(w));
      } // else: already written at this position or later — skip
    }
    const duplicates = await bulk(collection, ops);
    // An insert that met a document written meanwhile: the guarded update decides (it exists now).
    const retries = duplicates.flatMap((op) => {
      const w = inserts.get(op);
      return w ? [guardedUpdate(w)] : [];
    });
    await bulk(collection, retries);
  };

  const moveCheckpoint = async (name: string, position: Position): Promise<void> => {
    const update = () => checkpoints.updateOne({ _id: name }, { $max: { position } }, { upsert: true, ...limits });
    try {
      await update();
    } catch (e) {
      // Two first upserts of the same checkpoint raced; the second attempt finds the document.
      if (e instanceof MongoServerError && e.code === DUPLICATE_KEY) await update();
      else throw e;
    }
  };

  const store: ReadStore = {
    commit: (writes, checkpoint) =>
      call('commit', async () => {
        if (typeof checkpoint.name !== 'string') throw validationError('A checkpoint name must be a string');
        checkPosition(checkpoint.position);
        for (const [collection, docs] of coalesce(writes)) await applyWrites(collection, docs);
        await moveCheckpoint(checkpoint.name, checkpoint.position);
      }),

    checkpoint: (name) =>
      call('checkpoint', async () => {
        const found = await checkpoints.findOne({ _id: name }, { projection: { position: 1 }, ...limits });
        return found ? found.position : null;
      }),

    deleteCheckpoint: (name) =>
      call('deleteCheckpoint', async () => {
        await checkpoints.deleteOne({ _id: name }, limits);
      }),

    get: <T>(collection: string, id: string) =>
      call('get', async () => {
        // By _id alone: the one filter every server (mongo-java-server too) answers from the _id index.
        const found = await documents(collection).findOne({ _id: id }, limits);
        if (!found || found.deleted || found.doc === null) return null;
        return { id: found._id, position: found.position, doc: found.doc as T } satisfies StoredDocument<T>;
      }),

    getMany: <T>(collection: string, ids: readonly string[]) =>
      call('getMany', async () => {
        const docs = documents(collection);
        if (ids.some((id) => typeof id !== 'string')) throw validationError('A document id must be a string');
        const unique = [...new Set(ids)];
        const byId = new Map<string, StoredDocument<T>>();
        for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) {
          const found = await docs.find({ _id: { $in: unique.slice(i, i + LOOKUP_CHUNK) } }, limits).toArray();
          for (const d of found) if (!d.deleted && d.doc !== null) byId.set(d._id, { id: d._id, position: d.position, doc: d.doc as T });
        }
        return unique.flatMap((id) => byId.get(id) ?? []);
      }),

    find: <T>(collection: string, query: FindQuery = {}) =>
      call('find', async () => {
        const filter = toFilter(query.where);
        const sort = toSort(query.orderBy);
        const limit = checkCount('limit', query.limit);
        const offset = checkCount('offset', query.offset) ?? 0;
        if (limit === 0) return []; // MongoDB reads limit 0 as "no limit"
        let cursor = documents(collection).find(filter, { projection: { position: 1, doc: 1 }, sort, skip: offset, ...limits });
        if (limit !== undefined) cursor = cursor.limit(limit);
        const found = await cursor.toArray();
        return found.map((d): StoredDocument<T> => ({ id: d._id, position: d.position, doc: d.doc as T }));
      }),

    count: (collection, where) =>
      call('count', async () => {
        const filter = toFilter(where);
        return documents(collection).countDocuments(filter, limits);
      }),

    sum: (collection, field, where) =>
      call('sum', async () => {
        const path = checkField(field);
        const filter = { $and: [toFilter(where), { [path]: { $type: 'number' } }] } as Filter<StoredShape>;
        const [result] = await documents(collection)
          .aggregate<{ total: number }>([{ $match: filter }, { $group: { _id: null, total: { $sum: `$${path}` } } }], limits)
          .toArray();
        return result?.total ?? 0;
      }),

    ensureIndex: (collection, fields) =>
      call('ensureIndex', async () => {
        if (fields.length === 0) throw validationError('An index needs at least one field');
        const keys: Record<string, 1> = {};
        for (const field of fields) keys[checkField(field)] = 1;
        keys._id = 1;
        // Same keys, same default name, same options: createIndex is then a no-op.
        await documents(collection).createIndex(keys, limits);
      }),

    swapCollection: (source, target) =>
      call('swapCollection', async () => {
        checkCollection(source);
        checkCollection(target);
        if (source === target) throw validationError(`Cannot swap collection ${source} with itself`);
        try {
          await db.renameCollection(source, target, { dropTarget: true, ...limits });
        } catch (e) {
          // A source that was never written is an empty collection: the target becomes empty.
          if (!isNamespaceNotFound(e)) throw e;
          await dropIfExists(target);
        }
      }),

    dropCollection: (collection) => call('dropCollection', () => dropIfExists(checkCollection(collection))),

    listCollections: (prefix = '') =>
      call('listCollections', async () => {
        // Filtered here: mongo-java-server ignores listCollections' filter.
        const found = await db.listCollections({}, { nameOnly: true, authorizedCollections: true, ...limits }).toArray();
        return found
          .map((c) => c.name)
          .filter((name) => COLLECTION_NAME.test(name) && !name.startsWith('system.') && name.startsWith(prefix))
          .sort();
      }),

    ping: () =>
      call('ping', async () => {
        await db.command({ ping: 1 }); // bounded by the socket timeout
      }),

    close: async () => {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };

  async function dropIfExists(collection: string): Promise<void> {
    try {
      await db.dropCollection(collection, limits);
    } catch (e) {
      if (!isNamespaceNotFound(e)) throw e;
    }
  }

  return store;
}

import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GridFSBucket, MongoClient, type ObjectId, type Db } from 'mongodb';
import {
  ArtifactNotFoundError,
  ArtifactStoreUnavailableError,
  assertArtifactKey,
  type ArtifactStore,
  type StoredArtifact,
} from '@nationpulse/ports';
import { isUnavailable, reconnectAfterClosedTopology } from './mongo-read-store.ts';

export interface GridFsArtifactStoreOptions {
  readonly url: string;
  readonly database: string;
  /** GridFS bucket name (default `reports`: collections reports.files and reports.chunks). */
  readonly bucket?: string;
  /** Time limit of each operation in ms (default 30 s, uploads stream many chunks). */
  readonly timeoutMs?: number;
  /** How long to wait for a usable server (default 2 s). */
  readonly connectTimeoutMs?: number;
}

interface FileMetadata {
  readonly key: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly sha256: string;
  /** Set once the bytes and the checksum are in: a file without it is an upload that did not finish. */
  readonly complete: true;
}

interface FileDoc {
  _id: ObjectId;
  filename: string;
  length: number;
  metadata?: Partial<FileMetadata>;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Artifacts in MongoDB GridFS (works on MongoDB and on mongo-java-server, no transactions
 * needed). An upload streams chunks, then its files document is marked complete with the
 * checksum; several complete files of one key resolve to the one with the lowest _id — every
 * client agrees on it — and a put that lost deletes its own copy, so one artifact per key remains.
 */
export function createGridFsArtifactStore(options: GridFsArtifactStoreOptions): ArtifactStore {
  const bucketName = options.bucket ?? 'reports';
  const timeoutMs = options.timeoutMs ?? 30_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
  const client = new MongoClient(options.url, {
    serverSelectionTimeoutMS: connectTimeoutMs,
    connectTimeoutMS: connectTimeoutMs,
    socketTimeoutMS: timeoutMs,
    appName: 'nationpulse-artifacts',
  });
  const db: Db = client.db(options.database);
  const bucket = new GridFSBucket(db, { bucketName });
  const files = db.collection<FileDoc>(`${bucketName}.files`);

  let closed = false;
  const reconnect = reconnectAfterClosedTopology(client, () => closed);
  const guarded = async <T>(what: string, op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (e) {
      reconnect(e);
      if (isUnavailable(e)) throw new ArtifactStoreUnavailableError(`GridFS ${what} failed: ${(e as Error).message}`, { cause: e });
      throw e;
    }
  };

  const toArtifact = (doc: FileDoc): StoredArtifact => ({
    key: doc.filename,
    uri: `gridfs://${bucketName}/${doc._id.toHexString()}`,
    fileName: doc.metadata?.fileName ?? doc.filename,
    contentType: doc.metadata?.contentType ?? 'application/octet-stream',
    sizeBytes: doc.length,
    sha256: doc.metadata?.sha256 ?? '',
  });

  const winner = async (key: string): Promise<FileDoc | null> =>
    files.findOne({ filename: key, 'metadata.complete': true }, { sort: { _id: 1 }, maxTimeMS: timeoutMs });

  return {
    async put(key, content, metadata) {
      assertArtifactKey(key);
      const existing = await guarded('lookup', () => winner(key));
      if (existing) return toArtifact(existing);

      const hash = createHash('sha256');
      const measure = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      });
      const upload = bucket.openUploadStream(key, { metadata: { key, fileName: metadata.fileName, contentType: metadata.contentType } });
      try {
        await pipeline(Readable.from(content, { objectMode: false }), measure, upload);
      } catch (e) {
        await upload.abort().catch(() => undefined);
        reconnect(e);
        throw isUnavailable(e) ? new ArtifactStoreUnavailableError(`GridFS upload failed: ${(e as Error).message}`, { cause: e }) : e;
      }
      const id = upload.id;
      return guarded('completion', async () => {
        await files.updateOne({ _id: id }, { $set: { 'metadata.sha256': hash.digest('hex'), 'metadata.complete': true } }, { maxTimeMS: timeoutMs });
        const first = (await winner(key))!;
        if (!first._id.equals(id)) await bucket.delete(id).catch(() => undefined);
        return toArtifact(first);
      });
    },

    async stat(key) {
      assertArtifactKey(key);
      const doc = await guarded('lookup', () => winner(key));
      return doc ? toArtifact(doc) : null;
    },

    async read(key) {
      assertArtifactKey(key);
      const doc = await guarded('lookup', () => winner(key));
      if (!doc) throw new ArtifactNotFoundError(key);
      return bucket.openDownloadStream(doc._id);
    },

    async list(prefix) {
      const docs = await guarded('list', () =>
        files.find({ filename: { $regex: `^${escapeRegex(prefix)}` }, 'metadata.complete': true }, { sort: { filename: 1, _id: 1 }, maxTimeMS: timeoutMs }).toArray(),
      );
      const seen = new Set<string>();
      return docs.filter((d) => !seen.has(d.filename) && seen.add(d.filename)).map(toArtifact);
    },

    async close() {
      closed = true;
      await client.close();
    },
  };
}

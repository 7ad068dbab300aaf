import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll } from 'vitest';
import { testArtifactStore } from '@nationpulse/ports/testing';
import { createGridFsArtifactStore } from './gridfs-artifact-store.ts';

/** Runs against MONGO_URL (mongo-java-server in CI: GridFS needs no transactions). Fails, never skips, when nothing answers. */
const url = process.env['MONGO_URL'] ?? 'mongodb://127.0.0.1:27017';
const database = `np_artifacts_test_${randomUUID().slice(0, 8)}`;

testArtifactStore('gridfs', {
  create: async () => {
    const probe = new MongoClient(url, { serverSelectionTimeoutMS: 2_000 });
    try {
      await probe.db(database).command({ ping: 1 });
    } catch (e) {
      throw new Error(`No MongoDB answers at ${url}: start one (scripts/servers/mongo.sh start) or set MONGO_URL`, { cause: e });
    } finally {
      await probe.close();
    }
    return createGridFsArtifactStore({ url, database });
  },
});

afterAll(async () => {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 2_000 });
  await client.db(database).dropDatabase().catch(() => undefined);
  await client.close();
});

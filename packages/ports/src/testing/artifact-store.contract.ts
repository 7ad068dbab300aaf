import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactNotFoundError, type ArtifactStore } from '../artifact-store.ts';

export interface ArtifactStoreFactory {
  /** A store to test against; keys are unique per run, so a shared server is fine. */
  create(): Promise<ArtifactStore>;
}

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  for (const p of parts) yield p;
}

const readAll = async (store: ArtifactStore, key: string): Promise<Buffer> => {
  const out: Buffer[] = [];
  for await (const c of await store.read(key)) out.push(Buffer.from(c));
  return Buffer.concat(out);
};

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The behaviour every ArtifactStore adapter must show. */
export function testArtifactStore(name: string, factory: ArtifactStoreFactory): void {
  describe(`ArtifactStore contract: ${name}`, () => {
    let store: ArtifactStore;
    const run = `contract-${randomUUID().slice(0, 8)}`;
    const meta = { fileName: 'report.csv', contentType: 'text/csv; charset=utf-8' };
    beforeAll(async () => {
      store = await factory.create();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('streams bytes in and answers size and sha256; reads them back intact', async () => {
      const key = `${run}/a/1.csv`;
      const big = 'x'.repeat(300_000);
      const stored = await store.put(key, chunks('country,value\n', Buffer.from('FRA,1.5\n'), 'ünï ✓\n', big), meta);
      const expected = Buffer.concat([Buffer.from('country,value\n'), Buffer.from('FRA,1.5\n'), Buffer.from('ünï ✓\n'), Buffer.from(big)]);
      expect(stored).toMatchObject({ key, ...meta, sizeBytes: expected.length, sha256: sha(expected) });
      expect(stored.uri.length).toBeGreaterThan(0);
      expect(await store.stat(key)).toEqual(stored);
      expect((await readAll(store, key)).equals(expected)).toBe(true);
    });

    it('keeps one artifact per key: a second put answers the first and stores nothing new', async () => {
      const key = `${run}/b/1.csv`;
      const first = await store.put(key, chunks('first\n'), meta);
      const second = await store.put(key, chunks('second, different\n'), { ...meta, fileName: 'other.csv' });
      expect(second).toEqual(first);
      expect((await readAll(store, key)).toString()).toBe('first\n');
      expect((await store.list(`${run}/b/`)).map((a) => a.key)).toEqual([key]);
    });

    it('keeps one artifact when the same key is put concurrently', async () => {
      const key = `${run}/c/1.csv`;
      const results = await Promise.all([1, 2, 3].map((i) => store.put(key, chunks(`copy ${i}\n`), meta)));
      const kept = await store.stat(key);
      expect(kept).not.toBeNull();
      expect((await store.list(`${run}/c/`)).length).toBe(1);
      expect((await readAll(store, key)).toString()).toMatch(/^copy [123]\n$/);
      // Every caller is told about the artifact that stayed.
      for (const r of results) expect(r.sha256).toBe(kept!.sha256);
    });

    it('leaves nothing under the key when the content stream fails mid-way', async () => {
      const key = `${run}/d/1.csv`;
      async function* failing(): AsyncGenerator<string> {
        yield 'partial\n';
        throw new Error('source failed');
      }
      await expect(store.put(key, failing(), meta)).rejects.toThrow('source failed');
      expect(await store.stat(key)).toBeNull();
      expect(await store.list(`${run}/d/`)).toEqual([]);
      const retried = await store.put(key, chunks('whole\n'), meta);
      expect(retried.sizeBytes).toBe(6);
    });

    it('reports unknown keys and lists by prefix in key order', async () => {
      expect(await store.stat(`${run}/none.csv`)).toBeNull();
      await expect(store.read(`${run}/none.csv`)).rejects.toBeInstanceOf(ArtifactNotFoundError);
      await store.put(`${run}/e/2.csv`, chunks('2'), meta);
      await store.put(`${run}/e/1.csv`, chunks('1'), meta);
      await store.put(`${run}/e-other/1.csv`, chunks('x'), meta);
      expect((await store.list(`${run}/e/`)).map((a) => a.key)).toEqual([`${run}/e/1.csv`, `${run}/e/2.csv`]);
    });

    it('refuses keys that could escape the store', async () => {
      for (const bad of ['../etc/passwd', '/abs.csv', 'a//b.csv', 'a/../b.csv', '']) {
        await expect(store.put(bad, chunks('x'), meta)).rejects.toMatchObject({ code: 'ARTIFACT_KEY_INVALID' });
      }
    });
  });
}

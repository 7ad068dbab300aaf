import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import {
  ArtifactNotFoundError,
  ArtifactStoreUnavailableError,
  assertArtifactKey,
  type ArtifactMetadata,
  type ArtifactStore,
  type StoredArtifact,
} from '@nationpulse/ports';

export interface LocalArtifactStoreOptions {
  /** The folder holding the artifacts, e.g. `<data dir>/reports`. */
  readonly root: string;
}

const META_SUFFIX = '.meta.json';
const TMP_DIR = '.incoming';

/**
 * Artifacts as files in a local folder: `<root>/<key>` plus `<key>.meta.json`. Bytes stream into
 * a temporary file while their size and SHA-256 are computed, are fsynced, then hard-linked to
 * the key — link() fails if the key exists, so the first completed put wins and a crash mid-way
 * leaves only a temporary file, never a partial artifact.
 */
export function createLocalArtifactStore({ root }: LocalArtifactStoreOptions): ArtifactStore {
  mkdirSync(join(root, TMP_DIR), { recursive: true });
  const pathOf = (key: string) => join(root, ...key.split('/'));

  const readMeta = async (key: string): Promise<StoredArtifact | null> => {
    try {
      return JSON.parse(await readFile(pathOf(key) + META_SUFFIX, 'utf8')) as StoredArtifact;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new ArtifactStoreUnavailableError(`Cannot read artifact ${key}: ${(e as Error).message}`, { cause: e });
    }
  };

  /** The artifact exists once its bytes are linked; the metadata is derived from them, so a crash before it is written is repaired here. */
  const statOf = async (key: string, metadata?: ArtifactMetadata): Promise<StoredArtifact | null> => {
    const meta = await readMeta(key);
    if (meta) return meta;
    let size: number;
    try {
      size = (await stat(pathOf(key))).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(pathOf(key))) hash.update(chunk as Buffer);
    const repaired: StoredArtifact = {
      key,
      uri: `file://${pathOf(key)}`,
      fileName: metadata?.fileName ?? key.split('/').at(-1)!,
      contentType: metadata?.contentType ?? 'application/octet-stream',
      sizeBytes: size,
      sha256: hash.digest('hex'),
    };
    await writeMeta(repaired);
    return repaired;
  };

  const writeMeta = async (artifact: StoredArtifact) => {
    const tmp = join(root, TMP_DIR, `${randomUUID()}.meta`);
    await writeFile(tmp, JSON.stringify(artifact), { flag: 'wx' });
    try {
      await link(tmp, pathOf(artifact.key) + META_SUFFIX);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  };

  return {
    async put(key, content, metadata) {
      assertArtifactKey(key);
      const existing = await statOf(key, metadata);
      if (existing) return existing;
      const tmp = join(root, TMP_DIR, randomUUID());
      const hash = createHash('sha256');
      let size = 0;
      const measure = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      try {
        await pipeline(Readable.from(content, { objectMode: false }), measure, createWriteStream(tmp, { flags: 'wx', flush: true }));
        await mkdir(dirname(pathOf(key)), { recursive: true });
        try {
          await link(tmp, pathOf(key));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EEXIST') return (await statOf(key, metadata))!;
          throw e;
        }
      } finally {
        await rm(tmp, { force: true });
      }
      const stored: StoredArtifact = { key, uri: `file://${pathOf(key)}`, ...metadata, sizeBytes: size, sha256: hash.digest('hex') };
      await writeMeta(stored);
      return (await readMeta(key)) ?? stored;
    },

    async stat(key) {
      assertArtifactKey(key);
      return statOf(key);
    },

    async read(key) {
      assertArtifactKey(key);
      if (!(await statOf(key))) throw new ArtifactNotFoundError(key);
      return createReadStream(pathOf(key));
    },

    async list(prefix) {
      const keys: string[] = [];
      const walk = async (dir: string): Promise<void> => {
        let entries;
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
          throw e;
        }
        for (const entry of entries) {
          const full = join(dir, entry.name);
          if (entry.isDirectory()) {
            if (dir === root && entry.name === TMP_DIR) continue;
            await walk(full);
          } else if (!entry.name.endsWith(META_SUFFIX)) {
            const key = relative(root, full).split(sep).join('/');
            if (key.startsWith(prefix)) keys.push(key);
          }
        }
      };
      await walk(root);
      keys.sort();
      const out: StoredArtifact[] = [];
      for (const key of keys) {
        const artifact = await statOf(key);
        if (artifact) out.push(artifact);
      }
      return out;
    },

    async close() {},
  };
}

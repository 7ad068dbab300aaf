import { chmod, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { abortableSleep } from './context.ts';
import { CliError } from './errors.ts';

const sessionSchema = z.object({
  username: z.string(),
  accessToken: z.string(),
  refreshToken: z.string(),
  /** When the access token expires (ISO-8601), as the server announced it. */
  expiresAt: z.string(),
});
export type Session = z.infer<typeof sessionSchema>;

/** One session per gateway URL: a token is only ever sent to the server that issued it. */
const fileSchema = z.object({ version: z.literal(1), sessions: z.record(z.string(), sessionSchema) });
type SessionFile = z.infer<typeof fileSchema>;

export interface SessionStore {
  readonly path: string;
  load(baseUrl: string): Promise<Session | null>;
  save(baseUrl: string, session: Session): Promise<void>;
  remove(baseUrl: string): Promise<boolean>;
  /**
   * Runs `fn` holding an exclusive lock on the session file, so two `nationpulse` processes
   * never refresh the same token at once (the gateway treats a reused refresh token as theft
   * and revokes the whole session).
   */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
}

const LOCK_WAIT_MS = 5_000;
/** A lock older than this was left by a killed process. */
const STALE_LOCK_MS = 30_000;

/** The session file `session.json` in `dir`, mode 0600 in a 0700 folder, replaced atomically. */
export const createFileSessionStore = (dir: string): SessionStore => {
  const path = join(dir, 'session.json');
  const lockPath = `${path}.lock`;

  const read = async (): Promise<SessionFile> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, sessions: {} };
      throw e;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    const parsed = fileSchema.safeParse(json);
    // An unreadable file holds no usable session; the next sign-in replaces it.
    return parsed.success ? parsed.data : { version: 1, sessions: {} };
  };

  const write = async (file: SessionFile): Promise<void> => {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  };

  const acquire = async (): Promise<void> => {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        await (await open(lockPath, 'wx', 0o600)).close();
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const age = await stat(lockPath).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > STALE_LOCK_MS) await rm(lockPath, { force: true });
      else if (Date.now() > deadline) throw new CliError('SESSION_LOCKED', `Another nationpulse process holds ${lockPath}; try again (or delete it if none is running)`);
      else await abortableSleep(50);
    }
  };

  return {
    path,
    async load(baseUrl) {
      return (await read()).sessions[baseUrl] ?? null;
    },
    async save(baseUrl, session) {
      const file = await read();
      await write({ version: 1, sessions: { ...file.sessions, [baseUrl]: session } });
    },
    async remove(baseUrl) {
      const file = await read();
      if (!(baseUrl in file.sessions)) return false;
      const { [baseUrl]: _removed, ...rest } = file.sessions;
      await write({ version: 1, sessions: rest });
      return true;
    },
    async withLock(fn) {
      await acquire();
      try {
        return await fn();
      } finally {
        await rm(lockPath, { force: true });
      }
    },
  };
};

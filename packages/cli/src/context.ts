import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** Everything a command touches outside itself, so tests run commands in-process. */
export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  /** Aborted on Ctrl-C: long waits and watch loops end cleanly. */
  readonly signal: AbortSignal;
  readonly now: () => Date;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** Where the session file lives: `$NATIONPULSE_CONFIG_DIR`, else `$XDG_CONFIG_HOME/nationpulse`, else `~/.config/nationpulse`. */
export const configDir = (env: CliContext['env']): string =>
  env['NATIONPULSE_CONFIG_DIR'] || join(env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'nationpulse');

/** Resolves after `ms`, or at once when the signal aborts (the caller checks `signal.aborted`). */
export const abortableSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

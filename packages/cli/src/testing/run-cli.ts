import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { runCli } from '../cli.ts';
import type { CliContext } from '../context.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const capture = () => {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
};

export interface TestClock {
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
}

/** A clock that only moves when the CLI sleeps: polling loops run instantly and deterministically. */
export const manualClock = (start = Date.parse('2026-05-01T12:00:00Z')): TestClock => {
  let t = start;
  return {
    now: () => new Date(t),
    sleep: async (ms) => {
      t += ms;
      await new Promise((r) => setImmediate(r));
    },
  };
};

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix));

/** Runs `nationpulse argv` in-process with captured output, like the bin does. */
export const runNationpulse = async (
  argv: readonly string[],
  options: { env?: Record<string, string | undefined>; stdin?: string; cwd?: string; clock?: TestClock; signal?: AbortSignal } = {},
): Promise<CliRun> => {
  const out = capture();
  const err = capture();
  const clock = options.clock ?? manualClock();
  const ctx: CliContext = {
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    stdout: out.stream,
    stderr: err.stream,
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    signal: options.signal ?? new AbortController().signal,
    now: clock.now,
    sleep: (ms) => clock.sleep(ms),
  };
  const code = await runCli(argv, ctx);
  return { code, stdout: out.text(), stderr: err.text() };
};

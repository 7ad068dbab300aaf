import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A TCP port free on 127.0.0.1 right now, for a service a test is about to start. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

/**
 * Polls `${url}/health` until it answers 200, or fails after the timeout — or at once when
 * `signal` aborts, so a poll nobody waits for any more does not keep the process alive.
 */
export const waitForHealth = async (url: string, timeoutMs = 30_000, options: { readonly signal?: AbortSignal } = {}): Promise<void> => {
  const { signal } = options;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    try {
      if ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not up yet
    }
    await sleep(100, undefined, signal ? { signal } : {}).catch(() => undefined);
  }
  signal?.throwIfAborted();
  throw new Error(`${url} did not become healthy within ${timeoutMs} ms`);
};

/**
 * Waits for a process's service to answer `/health`, failing with `onExit`'s error as soon as the
 * process exits first — and then stops polling: a poll left running after the process died kept
 * a benchmark alive for up to its whole timeout once its results were printed.
 */
export const waitForHealthWhileRunning = async <T>(url: string, timeoutMs: number, exited: Promise<T>, onExit: (exit: T) => Error): Promise<void> => {
  const polling = new AbortController();
  const died = exited.then((exit) => {
    throw onExit(exit);
  });
  try {
    await Promise.race([waitForHealth(url, timeoutMs, { signal: polling.signal }), died]);
  } finally {
    polling.abort();
    died.catch(() => undefined);
  }
};

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A service started as its own OS process by a test, with the tail of its output kept for failure messages. */
export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Settles when the process has exited. */
  readonly exited: Promise<ProcessExit>;
  /** The last `keepBytes` of its output (stderr and stdout, where its JSON logs go). */
  output(): string;
  /** Waits for the exit; a process still running after `timeoutMs` is SIGKILLed and reported as such (`killed`). */
  waitForExit(timeoutMs: number): Promise<ProcessExit & { readonly ms: number; readonly killed: boolean }>;
  /** Sends the signal, then waits for the exit as `waitForExit` does. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ProcessExit & { readonly ms: number; readonly killed: boolean }>;
}

/**
 * Starts `node --import tsx <entry>` — what the containers and `npm start` run — with exactly
 * `env` (plus PATH, HOME and TMPDIR): a service configured by its environment only.
 */
export const startServiceProcess = (name: string, entry: string, env: Readonly<Record<string, string>>, options: { cwd?: string; keepBytes?: number } = {}): ServiceProcess => {
  const keep = options.keepBytes ?? 16_384;
  const base = Object.fromEntries(['PATH', 'HOME', 'TMPDIR'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: options.cwd, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keepTail = (d: Buffer) => {
    tail += d.toString();
    if (tail.length > 2 * keep) tail = tail.slice(-keep);
  };
  child.stdout.on('data', keepTail);
  child.stderr.on('data', keepTail);
  const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const waitForExit = async (timeoutMs: number) => {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    const first = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (first === 'late') {
      child.kill('SIGKILL');
      return { ...(await exited), ms: Date.now() - started, killed: true };
    }
    return { ...first, ms: Date.now() - started, killed: false };
  };
  return {
    name,
    child,
    exited,
    output: () => tail.slice(-keep),
    waitForExit,
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return waitForExit(timeoutMs);
    },
  };
};

/** Each process's name, exit (if any) and output tail: the message of an assertion over several processes. */
export const describeProcesses = (processes: readonly ServiceProcess[], tailChars = 3_000): string =>
  processes
    .map((p) => {
      const state = p.child.exitCode !== null || p.child.signalCode !== null ? `exited ${p.child.exitCode ?? p.child.signalCode}` : 'running';
      return `--- ${p.name} (pid ${p.child.pid}, ${state}) output tail:\n${p.output().slice(-tailChars) || '(empty)'}`;
    })
    .join('\n');

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './processes.ts';

const run = promisify(execFile);
const serversDir = resolve(import.meta.dirname, '..', '..', '..', '..', 'scripts', 'servers');

export type PrivateServerKind = 'kafka' | 'mongo';

/**
 * A Kafka broker or mongo-java-server of the test's own, on free ports, with its state in a
 * temporary directory: a test may stop and start it without touching the shared servers (9092,
 * 27017). Started with the same scripts as those (scripts/servers/kafka.sh, mongo.sh, through
 * SERVERS_RUN_DIR), so a missing Java or missing jars fail the test with the script's message.
 */
export interface PrivateServer {
  readonly kind: PrivateServerKind;
  readonly port: number;
  /** `127.0.0.1:port` for Kafka (KAFKA_BROKERS), `mongodb://127.0.0.1:port` for Mongo (MONGO_URL). */
  readonly url: string;
  /** Starts it (again) and waits until it answers; resolves with the milliseconds that took. */
  start(): Promise<number>;
  /** SIGTERM, then SIGKILL after the script's limit; resolves with the milliseconds that took. */
  stop(): Promise<number>;
  /** The server's log so far (for failure messages). */
  log(): string;
  /** Stops it and deletes its state. */
  close(): Promise<void>;
}

export const startPrivateServer = async (kind: PrivateServerKind): Promise<PrivateServer> => {
  const runDir = mkdtempSync(join(tmpdir(), `np-private-${kind}-`));
  const port = await freePort();
  const env: Record<string, string> = { ...(process.env as Record<string, string>), SERVERS_RUN_DIR: runDir };
  // C1 only: a short-lived test server starts in ~2/3 of the time on a busy 2-core machine
  // (Kafka 13–21 s instead of 27–29 s at load 15, both orders tried); its throughput does not matter.
  const fastStart = '-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1';
  if (kind === 'kafka') Object.assign(env, { KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_HEAP_OPTS: `-Xms128m -Xmx384m ${fastStart}` });
  else Object.assign(env, { MONGO_PORT: String(port), MONGO_BACKEND: 'memory', MONGO_HEAP_OPTS: `-Xms32m -Xmx256m ${fastStart}` });
  const logFile = join(runDir, kind, `${kind}.log`);
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4_000) : '(no log)');
  const script = async (command: 'start' | 'stop') => {
    const t0 = Date.now();
    try {
      await run('bash', [join(serversDir, `${kind}.sh`), command], { env, timeout: 180_000 });
    } catch (e) {
      const { stdout = '', stderr = '', message } = e as { stdout?: string; stderr?: string; message: string };
      throw new Error(`scripts/servers/${kind}.sh ${command} (private instance on port ${port}) failed: ${message}\n${stdout}${stderr}\n--- ${kind} log:\n${log()}`);
    }
    return Date.now() - t0;
  };
  const server: PrivateServer = {
    kind,
    port,
    url: kind === 'kafka' ? `127.0.0.1:${port}` : `mongodb://127.0.0.1:${port}`,
    start: () => script('start'),
    stop: () => script('stop'),
    log,
    async close() {
      await script('stop').catch(() => undefined);
      rmSync(runDir, { recursive: true, force: true });
    },
  };
  try {
    await server.start();
  } catch (e) {
    await server.close();
    throw e;
  }
  return server;
};

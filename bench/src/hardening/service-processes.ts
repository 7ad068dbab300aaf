import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForHealthWhileRunning } from '@nationpulse/platform/testing';

/** The repository root: service entry points are spawned from their sources, as `npx tsx <service>/src/main.ts`. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

export const serviceKinds = ['write-api', 'projectors', 'read-api', 'reporting-worker', 'reporting-saga', 'ingestion'] as const;
export type ServiceKind = (typeof serviceKinds)[number];

export const ADMIN = { username: 'admin', password: 'a long hardening password' } as const;

export interface ServiceProcess {
  readonly kind: ServiceKind;
  /** The HTTP base URL, or null for a process without one (a reporting worker). */
  readonly url: string | null;
  readonly running: boolean;
  /** Starts the process and waits until it is healthy (its /health answers 200). */
  start(): Promise<void>;
  /** Sends the signal and waits for the process to exit. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface Topology {
  readonly dataDir: string;
  readonly services: Readonly<Record<ServiceKind, ServiceProcess>>;
  startAll(): Promise<void>;
  /** SIGTERM to every running process (a clean stop), in reverse start order. */
  stopAll(): Promise<void>;
  /** SIGKILL to every running process: no cleanup (a test's afterAll). */
  killAll(): void;
}

export interface TopologyOptions {
  readonly dataDir: string;
  /** Extra environment for every service (e.g. timeouts shortened for a test). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The platform as separate processes sharing one data folder (SQLite event store, read store and
 * message log, several processes per file, as in the embedded adapters' multi-process mode): each
 * service can be SIGKILLed and restarted on its own. Logs go to `<dataDir>/logs/<service>.log`.
 */
export const createTopology = async (options: TopologyOptions): Promise<Topology> => {
  const { dataDir } = options;
  const ports = {
    writeHttp: await freePort(),
    writeGrpc: await freePort(),
    projectors: await freePort(),
    readHttp: await freePort(),
    readGrpc: await freePort(),
    reporting: await freePort(),
    ingestionHttp: await freePort(),
    ingestionGrpc: await freePort(),
  };
  const base: Record<string, string> = {
    NATIONPULSE_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    NATIONPULSE_SEED_DEMO: 'false',
    ...options.env,
  };
  const url = (port: number) => `http://127.0.0.1:${port}`;
  const specs: Record<ServiceKind, { entry: string; env: Record<string, string>; url: string | null }> = {
    'write-api': {
      entry: 'write-api/src/main.ts',
      env: { WRITE_API_HTTP_PORT: String(ports.writeHttp), WRITE_API_GRPC_PORT: String(ports.writeGrpc), NATIONPULSE_ADMIN_USER: ADMIN.username, NATIONPULSE_ADMIN_PASSWORD: ADMIN.password },
      url: url(ports.writeHttp),
    },
    projectors: { entry: 'projectors/src/main.ts', env: { PROJECTORS_HTTP_PORT: String(ports.projectors) }, url: url(ports.projectors) },
    'read-api': { entry: 'read-api/src/main.ts', env: { READ_API_HTTP_PORT: String(ports.readHttp), READ_API_GRPC_PORT: String(ports.readGrpc) }, url: url(ports.readHttp) },
    'reporting-worker': {
      entry: 'reporting/src/main.ts',
      env: { REPORTING_ROLES: 'worker', REPORTING_HTTP_PORT: '0', READ_API_GRPC_URL: `127.0.0.1:${ports.readGrpc}` },
      url: null,
    },
    'reporting-saga': {
      entry: 'reporting/src/main.ts',
      env: { REPORTING_ROLES: 'relay,saga,http', REPORTING_HTTP_PORT: String(ports.reporting), READ_API_GRPC_URL: `127.0.0.1:${ports.readGrpc}` },
      url: url(ports.reporting),
    },
    ingestion: {
      entry: 'ingestion/src/main.ts',
      env: { INGESTION_HTTP_PORT: String(ports.ingestionHttp), INGESTION_GRPC_PORT: String(ports.ingestionGrpc), INGESTION_FILE_ROOT: REPO_ROOT },
      url: url(ports.ingestionHttp),
    },
  };
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });

  const make = (kind: ServiceKind): ServiceProcess => {
    const spec = specs[kind];
    let child: ChildProcess | null = null;
    let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null = null;
    let log: WriteStream | null = null;
    return {
      kind,
      url: spec.url,
      get running() {
        return child !== null && child.exitCode === null && child.signalCode === null;
      },
      async start() {
        if (this.running) return;
        log ??= createWriteStream(join(logDir, `${kind}.log`), { flags: 'a' });
        log.write(`--- start ${new Date().toISOString()}\n`);
        const started = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, spec.entry)], {
          cwd: REPO_ROOT,
          env: { ...process.env, ...base, ...spec.env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child = started;
        started.stdout.pipe(log, { end: false });
        started.stderr.pipe(log, { end: false });
        exited = new Promise((resolve) => started.once('exit', (code, signal) => resolve({ code, signal })));
        if (spec.url) {
          // Fail early if it dies during start-up instead of polling a dead port.
          await waitForHealthWhileRunning(spec.url, 180_000, exited, ({ code, signal }) => new Error(`exited during start-up (code ${code}, signal ${signal})`)).catch((e: unknown) => {
            throw new Error(`${kind}: ${e instanceof Error ? e.message : String(e)}; see ${join(logDir, `${kind}.log`)}`);
          });
        }
      },
      async stop(signal) {
        if (!child || !exited) return { code: null, signal: null };
        if (this.running) child.kill(signal);
        const result = await exited;
        child = null;
        return result;
      },
    };
  };

  const services = Object.fromEntries(serviceKinds.map((k) => [k, make(k)])) as Record<ServiceKind, ServiceProcess>;
  // The write API first: it creates the signing secret the others read, and the first admin.
  const order: ServiceKind[] = ['write-api', 'read-api', 'projectors', 'reporting-saga', 'reporting-worker', 'ingestion'];
  return {
    dataDir,
    services,
    async startAll() {
      // One at a time: on a busy 2-core machine, six TypeScript start-ups at once take longer than in turn.
      for (const k of order) await services[k].start();
    },
    async stopAll() {
      for (const k of [...order].reverse()) await services[k].stop('SIGTERM');
    },
    killAll() {
      for (const k of order) if (services[k].running) void services[k].stop('SIGKILL');
    },
  };
};

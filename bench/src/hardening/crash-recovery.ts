import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createTokenService, newId, systemClock } from '@nationpulse/platform';
import { ADMIN, createTopology, type ServiceKind, type Topology } from './service-processes.ts';
import { compareWithCleanRebuild, readAllEvents, unfinished, type ReadModelDiff } from './verify.ts';

/** The services the scenario kills: every kind that writes or reacts (the read API is stateless). */
export const killedKinds: readonly ServiceKind[] = ['write-api', 'projectors', 'reporting-worker', 'reporting-saga', 'ingestion'];

export interface CrashRecoveryOptions {
  /** How long the load and the kills go on. */
  readonly seconds: number;
  /** Mean pause between two kills (each is followed by a restart). */
  readonly killEveryMs: number;
  /** Concurrent command senders. */
  readonly senders: number;
  /** A World Bank CSV folder (relative to the repository) ingested repeatedly while the kills go on. */
  readonly ingestionPath: string;
  readonly log: (message: string) => void;
  /** Called with the topology once it runs, so a test can kill it if the scenario throws. */
  readonly onTopology?: (topology: Topology) => void;
}

export interface CrashRecoveryResult {
  readonly kills: Readonly<Record<string, number>>;
  readonly commands: { readonly acknowledged: number; readonly unacknowledged: number; readonly retries: number };
  readonly reports: { readonly requested: number; readonly outcomes: Readonly<Record<string, number>> };
  readonly ingestions: { readonly triggered: number; readonly runs: number };
  readonly events: number;
  readonly documentsCompared: number;
  readonly settleSeconds: number;
  /** Every broken guarantee, in words; empty when the platform kept all of them. */
  readonly failures: readonly string[];
  readonly diffs: readonly ReadModelDiff[];
  readonly dataDir: string;
}

const COUNTRIES = ['FRA', 'DEU', 'ITA', 'ESP', 'PRT', 'NLD', 'BEL', 'POL', 'SWE', 'NOR', 'AUT', 'IRL'];

/** Population series for the corrections and reports to work on, appended before the services start. */
const seed = async (dataDir: string) => {
  const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
  try {
    for (const [i, country] of COUNTRIES.entries()) {
      const changes = Array.from({ length: 21 }, (_, k) => ({ year: 2000 + k, value: (i + 1) * 1_000_000 + k, previous: null }));
      await store.append(
        `series-${country}-SP.POP.TOTL`,
        [{
          type: 'ObservationsRecorded',
          data: { country, indicator: 'SP.POP.TOTL', source: 'file', runId: 'seed', changes },
          metadata: { eventId: newId(), correlationId: 'seed', causationId: null, actor: 'system:seed', occurredAt: new Date().toISOString(), traceparent: null, source: 'test', schemaVersion: 1 },
        }],
        'no_stream',
      );
    }
  } finally {
    await store.close();
  }
};

type Command =
  | { readonly kind: 'correction'; readonly key: string; readonly value: number; readonly body: unknown; readonly path: string }
  | { readonly kind: 'report'; readonly key: string; readonly body: unknown; readonly path: string }
  | { readonly kind: 'user'; readonly key: string; readonly username: string; readonly body: unknown; readonly path: string };

interface Sent {
  readonly command: Command;
  acknowledged: boolean;
  /** What the 2xx answer said (reportId for reports). */
  answer: Record<string, unknown> | null;
  attempts: number;
}

/**
 * SIGKILLs each kind of service process at random moments while commands, report requests and
 * ingestions keep coming, restarting each right after; then lets the platform settle and checks
 * what must hold: every acknowledged command is stored exactly once (and no command twice), every
 * report ends generated or failed, every ingestion run ends, and every read model equals a clean
 * rebuild from the events.
 */
export const runCrashRecovery = async (options: CrashRecoveryOptions): Promise<CrashRecoveryResult> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'np-crash-recovery-'));
  await seed(dataDir);
  const topology = await createTopology({
    dataDir,
    env: {
      // Short enough that a command lost with a killed worker is re-sent (and, at worst, failed) within the settle time.
      REPORT_TIMEOUT_MS: '3000',
      REPORT_MAX_ATTEMPTS: '3',
      REPORT_WORKER_RETRY_MS: '200',
      // Small batches: more commits, so kills land between them.
      PROJECTORS_BATCH_SIZE: '50',
      INGESTION_LOCK_TTL_MS: '3000',
    },
  });
  options.onTopology?.(topology);
  try {
    return await exercise(topology, options);
  } finally {
    topology.killAll();
  }
};

const exercise = async (topology: Topology, options: CrashRecoveryOptions): Promise<CrashRecoveryResult> => {
  const { log } = options;
  const { services, dataDir } = topology;
  log(`data folder ${dataDir}; starting ${Object.keys(services).length} service processes`);
  await topology.startAll();

  const tokens = createTokenService({ secret: readFileSync(join(dataDir, 'secrets', 'jwt.key'), 'utf8'), issuer: 'nationpulse', accessTtlSeconds: 3600, clock: systemClock });
  const adminId = (await readAllEvents(dataDir)).filter((e) => e.type === 'UserRegistered').map((e) => (e.data as { userId: string }).userId)[0];
  if (!adminId) throw new Error('the write API did not register the first admin');
  const token = await tokens.issueAccessToken({ sub: adminId, username: ADMIN.username });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  const failures: string[] = [];
  const sent: Sent[] = [];
  let counter = 0;
  let retries = 0;
  let stopping = false;
  const nextCommand = (): Command => {
    const n = ++counter;
    const roll = Math.random();
    if (roll < 0.6) {
      const value = 5_000_000_000 + n;
      return { kind: 'correction', key: `crash-correction-${n}`, value, path: '/api/v1/corrections', body: { country: COUNTRIES[n % COUNTRIES.length], indicator: 'SP.POP.TOTL', year: 2000 + (n % 21), value, reason: `crash test ${n}` } };
    }
    if (roll < 0.95) {
      return { kind: 'report', key: `crash-report-${n}`, path: '/api/v1/reports', body: { spec: { kind: 'ranking', indicator: 'SP.POP.TOTL', year: 2000 + (n % 21), order: 'desc' }, format: n % 2 ? 'csv' : 'xlsx' } };
    }
    const username = `crash-user-${n}`;
    return { kind: 'user', key: `crash-user-${n}`, username, path: '/api/v1/users', body: { username, password: 'a long crash-test password' } };
  };

  /** Sends one command until it is acknowledged, retrying with the same idempotency key after a dropped connection or a 5xx. */
  const send = async (command: Command) => {
    const entry: Sent = { command, acknowledged: false, answer: null, attempts: 0 };
    sent.push(entry);
    const giveUpAt = Date.now() + 60_000;
    while (Date.now() < giveUpAt) {
      entry.attempts++;
      try {
        const res = await fetch(`${services['write-api'].url}${command.path}`, {
          method: 'POST',
          headers: { ...headers, 'idempotency-key': command.key },
          body: JSON.stringify(command.body),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        if (res.ok) {
          entry.acknowledged = true;
          entry.answer = JSON.parse(text) as Record<string, unknown>;
          return;
        }
        if (res.status < 500) {
          failures.push(`${command.kind} ${command.key} refused with ${res.status}: ${text.slice(0, 200)}`);
          return;
        }
      } catch {
        // connection refused or reset: the write API is down or was killed mid-request
      }
      retries++;
      await sleep(100 + Math.random() * 200);
    }
  };

  const senders = Array.from({ length: options.senders }, async () => {
    while (!stopping) {
      await send(nextCommand());
      await sleep(Math.random() * 30);
    }
  });

  let triggered = 0;
  const triggerIngestion = async (): Promise<boolean> => {
    try {
      const res = await fetch(`${services.ingestion.url}/api/v1/ingestions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ kind: 'world-bank-csv', path: options.ingestionPath }),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status === 202) triggered++;
      else if (res.status !== 409 && res.status < 500) failures.push(`ingestion trigger refused with ${res.status}: ${await res.text()}`);
      return res.status === 202;
    } catch {
      return false;
    }
  };

  // The kills: every kind in turn (shuffled each round), at a random moment, then a restart.
  const kills: Record<string, number> = Object.fromEntries(killedKinds.map((k) => [k, 0]));
  const deadline = Date.now() + options.seconds * 1000;
  let round: ServiceKind[] = [];
  // At least one kill of every kind, however slowly the processes restart on a busy machine.
  while (Date.now() < deadline || Object.values(kills).some((n) => n === 0)) {
    await sleep(options.killEveryMs * (0.5 + Math.random()));
    if (round.length === 0) round = [...killedKinds].sort(() => Math.random() - 0.5);
    const kind = round.pop()!;
    // An ingestion is killed mid-run: trigger one, let it get going, then kill.
    if (kind === 'ingestion' && (await triggerIngestion())) await sleep(Math.random() * 400);
    const { signal } = await services[kind].stop('SIGKILL');
    if (signal === 'SIGKILL') kills[kind]!++;
    await sleep(Math.random() * 300);
    const t0 = Date.now();
    await services[kind].start();
    log(`killed and restarted ${kind} (up again in ${Date.now() - t0} ms)`);
    // And sometimes a full run that is left alone.
    if (Math.random() < 0.2) void triggerIngestion();
  }
  stopping = true;
  log(`load stopped; kills ${JSON.stringify(kills)}; waiting for ${sent.filter((s) => !s.acknowledged).length} commands in flight`);
  await Promise.all(senders);

  // Settle: every report has an outcome, every run has ended, every projection has reached the head.
  const settleStart = Date.now();
  const projectionsAtHead = async (head: number) => {
    try {
      const res = await fetch(`${services.projectors.url}/api/v1/ops/projections`, { signal: AbortSignal.timeout(5_000) });
      const body = (await res.json()) as { projections: { status: string; position: number }[] };
      return body.projections.every((p) => p.status === 'live' && p.position >= head);
    } catch {
      return false;
    }
  };
  let open = unfinished(await readAllEvents(dataDir));
  while (Date.now() - settleStart < 90_000) {
    const events = await readAllEvents(dataDir);
    open = unfinished(events);
    const head = events.at(-1)?.position ?? 0;
    if (open.reports.length === 0 && open.runs.length === 0 && (await projectionsAtHead(head))) break;
    await sleep(500);
  }
  const settleSeconds = (Date.now() - settleStart) / 1000;
  if (open.reports.length > 0) failures.push(`${open.reports.length} reports never reached an outcome: ${open.reports.slice(0, 5).join(', ')}`);
  if (open.runs.length > 0) failures.push(`${open.runs.length} ingestion runs never ended: ${open.runs.slice(0, 5).join(', ')}`);
  // The dataset is not stuck: a new run of it is accepted once the killed one's lease is gone.
  if (!(await triggerIngestion())) failures.push('a new ingestion of the dataset was not accepted after the kills (stuck lock?)');
  else {
    const until = Date.now() + 60_000;
    while (Date.now() < until && unfinished(await readAllEvents(dataDir)).runs.length > 0) await sleep(300);
  }
  log(`settled in ${settleSeconds.toFixed(1)} s; stopping the services`);
  await topology.stopAll();

  // Exactly once: every acknowledged command's effect is in the store once; none twice.
  const events = await readAllEvents(dataDir);
  const corrections = new Map<number, number>();
  const reportRequests = new Map<string, number>();
  const registrations = new Map<string, number>();
  const bump = <K>(m: Map<K, number>, k: K) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const e of events) {
    if (e.type === 'ObservationCorrected') bump(corrections, (e.data as { value: number }).value);
    if (e.type === 'ReportRequested') bump(reportRequests, (e.data as { reportId: string }).reportId);
    if (e.type === 'UserRegistered') bump(registrations, (e.data as { username: string }).username);
  }
  for (const s of sent) {
    const c = s.command;
    const times =
      c.kind === 'correction' ? (corrections.get(c.value) ?? 0)
      : c.kind === 'user' ? (registrations.get(c.username) ?? 0)
      : s.answer ? (reportRequests.get(String(s.answer['reportId'])) ?? 0)
      : -1;
    if (s.acknowledged && times !== 1) failures.push(`acknowledged ${c.kind} ${c.key} is stored ${times} times (after ${s.attempts} attempts)`);
    if (times > 1) failures.push(`${c.kind} ${c.key} is stored ${times} times`);
  }
  for (const [id, n] of reportRequests) if (n > 1) failures.push(`report ${id} requested ${n} times`);
  const final = unfinished(events);

  log('comparing every read model with a clean rebuild from the events');
  const { diffs, documents } = await compareWithCleanRebuild(dataDir);
  for (const d of diffs) failures.push(`read model ${d.collection} differs from a clean rebuild (${d.live} vs ${d.clean} documents; e.g. ${d.differing.join(', ')})`);

  return {
    kills,
    commands: { acknowledged: sent.filter((s) => s.acknowledged).length, unacknowledged: sent.filter((s) => !s.acknowledged).length, retries },
    reports: { requested: reportRequests.size, outcomes: final.reportOutcomes },
    ingestions: { triggered, runs: new Set(events.filter((e) => e.type === 'IngestionRunStarted').map((e) => e.streamId)).size },
    events: events.length,
    documentsCompared: documents,
    settleSeconds,
    failures,
    diffs,
    dataDir,
  };
};

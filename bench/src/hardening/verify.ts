import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import type { RecordedEvent } from '@nationpulse/ports';
import { projections } from '@nationpulse/read-models';
import { REPO_ROOT } from './service-processes.ts';

/** Every event of the data folder's store, in order. */
export const readAllEvents = async (dataDir: string): Promise<RecordedEvent[]> => {
  const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
  try {
    const out: RecordedEvent[] = [];
    for await (const e of store.readAll()) out.push(e);
    return out;
  } finally {
    await store.close();
  }
};

const runProjectorsCli = (dataDir: string, args: string[]) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'projectors/src/cli.ts'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NATIONPULSE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`projections ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`))));
  });

export interface ReadModelDiff {
  readonly collection: string;
  readonly live: number;
  readonly clean: number;
  /** Ids whose document (or position) differs, or that only one side has; the first few. */
  readonly differing: readonly string[];
}

/**
 * Builds every projection from scratch out of a copy of the data folder's events (the
 * projections CLI, `catch-up`, on an empty read store) and compares each collection, document by
 * document (id, position and content), with the read store the services left. The services must
 * be stopped. Returns the collections that differ (none when the read models are exactly what a
 * clean rebuild gives) and the number of documents compared.
 */
export const compareWithCleanRebuild = async (dataDir: string): Promise<{ diffs: ReadModelDiff[]; documents: number; collections: number }> => {
  const clean = mkdtempSync(join(tmpdir(), 'np-clean-rebuild-'));
  for (const suffix of ['', '-wal', '-shm']) {
    const file = join(dataDir, `events.db${suffix}`);
    if (existsSync(file)) copyFileSync(file, join(clean, `events.db${suffix}`));
  }
  await runProjectorsCli(clean, ['catch-up']);
  const [live, rebuilt] = [createSqliteReadStore({ path: join(dataDir, 'read.db') }), createSqliteReadStore({ path: join(clean, 'read.db') })];
  try {
    const diffs: ReadModelDiff[] = [];
    let documents = 0;
    const collections = projections.flatMap((p) => p.collections.map((c) => c.name));
    for (const collection of collections) {
      const dump = async (store: typeof live) => new Map((await store.find(collection)).map((d) => [d.id, JSON.stringify({ position: d.position, doc: d.doc })]));
      const [a, b] = [await dump(live), await dump(rebuilt)];
      documents += b.size;
      const differing = [...new Set([...a.keys(), ...b.keys()])].filter((id) => a.get(id) !== b.get(id));
      if (differing.length > 0) diffs.push({ collection, live: a.size, clean: b.size, differing: differing.slice(0, 5) });
    }
    return { diffs, documents, collections: collections.length };
  } finally {
    await Promise.all([live.close(), rebuilt.close()]);
  }
};

const TERMINAL_REPORT = new Set(['ReportGenerated', 'ReportFailed']);
const TERMINAL_RUN = new Set(['IngestionRunCompleted', 'IngestionRunFailed']);

/** Report and ingestion-run streams that have not reached an outcome. */
export const unfinished = (events: readonly RecordedEvent[]): { reports: string[]; runs: string[]; reportOutcomes: Record<string, number> } => {
  const reports = new Map<string, boolean>();
  const runs = new Map<string, boolean>();
  const reportOutcomes: Record<string, number> = {};
  for (const e of events) {
    if (e.streamId.startsWith('report-')) {
      reports.set(e.streamId, (reports.get(e.streamId) ?? false) || TERMINAL_REPORT.has(e.type));
      if (TERMINAL_REPORT.has(e.type)) reportOutcomes[e.type] = (reportOutcomes[e.type] ?? 0) + 1;
    }
    if (e.streamId.startsWith('ingestion-')) runs.set(e.streamId, (runs.get(e.streamId) ?? false) || TERMINAL_RUN.has(e.type));
  }
  const open = (m: Map<string, boolean>) => [...m].filter(([, done]) => !done).map(([s]) => s);
  return { reports: open(reports), runs: open(runs), reportOutcomes };
};

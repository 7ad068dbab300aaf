import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  decideIngestionRun,
  eventCatalogue,
  evolveIngestionRun,
  ingestionRunStreamId,
  initialIngestionRunState,
  MAX_REJECTED_ROWS_KEPT,
  type IngestionRunCommand,
  type ingestionTriggers,
} from '@nationpulse/domain';
import { newId, type Clock } from '@nationpulse/platform';
import type { EventStore, ExpectedRevision } from '@nationpulse/ports';
import { checkFileHeader, CsvStructureError, indicatorFor, parseWorldBankCsvFile } from '../sources/world-bank-csv/world-bank-csv.parser.ts';
import { createSeriesWriter } from './series-writer.ts';

/** `source` of the run and of each ObservationsRecorded it writes. */
export const FILE_SOURCE = 'file';
export const DEFAULT_ACTOR = 'system:ingestion';

export interface IngestionProgress {
  readonly file: string;
  readonly rowsRead: number;
  readonly rowsRejected: number;
  readonly seriesDone: number;
  readonly bytesRead: number;
  readonly bytesTotal: number;
}

export interface IngestWorldBankCsvOptions {
  readonly eventStore: EventStore;
  readonly clock: Clock;
  /** A World Bank `data.csv`, a folder holding one, or a folder of `<indicator>/data.csv`. */
  readonly path: string;
  /** The indicator code; by default the folder name of each file. Only for a single file. */
  readonly indicator?: string;
  readonly trigger: (typeof ingestionTriggers)[number];
  /** metadata.actor of every event, e.g. 'system:ingestion' or a user id. */
  readonly actor?: string;
  readonly runId?: string;
  /** Series written at once (each is load, decide, append on its own stream). */
  readonly concurrency?: number;
  readonly onProgress?: (progress: IngestionProgress) => void;
}

export interface IngestionRejectedRow {
  readonly row: number;
  readonly reason: string;
  readonly raw?: string;
}

export interface IngestionSummary {
  readonly runId: string;
  readonly status: 'completed' | 'failed';
  /** Why the run failed. */
  readonly reason?: string;
  readonly files: readonly string[];
  readonly rowsRead: number;
  readonly rowsChanged: number;
  readonly rowsUnchanged: number;
  readonly rowsRejected: number;
  readonly seriesChanged: number;
  /** ObservationsRecorded events appended (the run's own lifecycle events excluded). */
  readonly seriesEvents: number;
  /** The first MAX_REJECTED_ROWS_KEPT rejected rows; rowsRejected is the exact count. */
  readonly rejected: readonly IngestionRejectedRow[];
  readonly durationMs: number;
  /** Position of the run's last event: a consistency token covering everything it wrote. */
  readonly position: number;
}

const DATA_FILE = 'data.csv';
const PROGRESS_EVERY_ROWS = 1000;

const exists = async (path: string): Promise<boolean> => stat(path).then((s) => s.isFile(), () => false);

/** The CSV files a path names: itself, its data.csv, or each sub-folder's data.csv (sorted). */
export const resolveCsvFiles = async (path: string): Promise<string[]> => {
  const info = await stat(path);
  if (info.isFile()) return [path];
  if (await exists(join(path, DATA_FILE))) return [join(path, DATA_FILE)];
  const files: string[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory() && (await exists(join(path, entry.name, DATA_FILE)))) files.push(join(path, entry.name, DATA_FILE));
  }
  if (files.length === 0) throw new CsvStructureError(path, `no ${DATA_FILE} in this folder or its sub-folders`);
  return files;
};

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)) || 'unknown error';

/**
 * One ingestion run over World Bank CSV files. Every file's header (and indicator) is checked
 * before any series is written, so a structurally wrong input fails the run with nothing
 * appended but the run's own events. Rows stream through; as the files are sorted by country
 * code, a series is complete when the code changes, and is then recorded through the series
 * aggregate — identical data appends nothing. Bad rows are counted and listed, good rows land.
 */
export const ingestWorldBankCsv = async (options: IngestWorldBankCsvOptions): Promise<IngestionSummary> => {
  const { eventStore, clock, path, trigger, onProgress } = options;
  const actor = options.actor ?? DEFAULT_ACTOR;
  const runId = options.runId ?? newId();
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const startedAt = clock.now().getTime();
  const runStream = ingestionRunStreamId(runId);

  let runRevision: ExpectedRevision = 'no_stream';
  let runState = initialIngestionRunState;
  const runCommand = async (command: IngestionRunCommand): Promise<number> => {
    const decided = decideIngestionRun(command, runState);
    const occurredAt = clock.now().toISOString();
    const events = decided.map((event) => {
      const { data, schemaVersion } = eventCatalogue.encode(event.type, event.data);
      const metadata = { eventId: newId(), correlationId: runId, causationId: null, actor, occurredAt, traceparent: null, source: 'ingestion', schemaVersion };
      return { type: event.type, data, metadata };
    });
    const appended = await eventStore.append(runStream, events, runRevision);
    runRevision = appended.nextRevision;
    runState = decided.reduce(evolveIngestionRun, runState);
    return appended.position;
  };

  const isFile = await stat(path).then((s) => s.isFile(), () => false);
  const dataset = options.indicator?.toUpperCase() ?? (isFile ? basename(dirname(path)) : basename(path)).toUpperCase();
  await runCommand({
    type: 'StartIngestionRun',
    runId,
    source: FILE_SOURCE,
    dataset: dataset || 'world-bank-csv',
    trigger,
    parameters: { path, format: 'world-bank-csv', ...(options.indicator ? { indicator: options.indicator.toUpperCase() } : {}) },
  });

  let files: string[] = [];
  let rowsRead = 0;
  let rowsChanged = 0;
  let rowsUnchanged = 0;
  let rowsRejected = 0;
  let seriesChanged = 0;
  let seriesDone = 0;
  const rejected: IngestionRejectedRow[] = [];
  const inFlight = new Set<Promise<void>>();
  const elapsed = () => Math.max(0, clock.now().getTime() - startedAt);
  const summary = (status: IngestionSummary['status'], position: number, reason?: string): IngestionSummary => ({
    runId,
    status,
    ...(reason ? { reason } : {}),
    files,
    rowsRead,
    rowsChanged,
    rowsUnchanged,
    rowsRejected,
    seriesChanged,
    seriesEvents: seriesChanged,
    rejected,
    durationMs: elapsed(),
    position,
  });

  try {
    // Structure first: every file and its indicator, before a single series is written.
    files = await resolveCsvFiles(path);
    if (options.indicator && files.length > 1) throw new CsvStructureError(path, 'an explicit indicator applies to a single file, not a folder of several');
    const plan: { file: string; indicator: string; size: number }[] = [];
    for (const file of files) {
      await checkFileHeader(file);
      plan.push({ file, indicator: indicatorFor(file, options.indicator), size: (await stat(file)).size });
    }
    const bytesTotal = plan.reduce((sum, p) => sum + p.size, 0);

    const writer = createSeriesWriter({ eventStore, clock, actor, source: FILE_SOURCE, correlationId: runId });
    let failure: { error: unknown } | null = null;
    const record = async (country: string, indicator: string, observations: { year: number; value: number }[]): Promise<void> => {
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      if (failure) throw failure.error;
      const task: Promise<void> = writer
        .record({ country, indicator, source: FILE_SOURCE, runId, observations })
        .then(
          ({ changed }) => {
            rowsChanged += changed;
            rowsUnchanged += observations.length - changed;
            if (changed > 0) seriesChanged++;
            seriesDone++;
          },
          (error: unknown) => {
            failure ??= { error };
          },
        )
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    };

    let bytesBefore = 0;
    for (const { file, indicator, size } of plan) {
      let bytesRead = 0;
      const progress = () => onProgress?.({ file, rowsRead, rowsRejected, seriesDone, bytesRead: bytesBefore + bytesRead, bytesTotal });
      let current: { country: string; observations: { year: number; value: number }[] } | null = null;
      for await (const line of parseWorldBankCsvFile(file, (n) => (bytesRead = n))) {
        rowsRead++;
        if (line.kind === 'rejected') {
          rowsRejected++;
          if (rejected.length < MAX_REJECTED_ROWS_KEPT) {
            rejected.push({ row: line.line, reason: plan.length > 1 ? `${indicator}: ${line.reason}` : line.reason, raw: line.raw });
          }
        } else {
          if (current && current.country !== line.countryCode) await record(current.country, indicator, current.observations);
          if (!current || current.country !== line.countryCode) current = { country: line.countryCode, observations: [] };
          current.observations.push({ year: line.year, value: line.value });
        }
        if (rowsRead % PROGRESS_EVERY_ROWS === 0) progress();
      }
      if (current) await record(current.country, indicator, current.observations);
      bytesBefore += size;
      bytesRead = 0;
      progress();
    }
    await Promise.all(inFlight);
    if (failure) throw (failure as { error: unknown }).error;

    const position = await runCommand({
      type: 'CompleteIngestionRun',
      runId,
      rowsRead,
      rowsChanged,
      rowsUnchanged,
      rowsRejected,
      seriesChanged,
      rejected,
      durationMs: elapsed(),
    });
    return summary('completed', position);
  } catch (e) {
    const reason = message(e);
    await Promise.allSettled(inFlight);
    const position = await runCommand({ type: 'FailIngestionRun', runId, reason, durationMs: elapsed() });
    return summary('failed', position, reason);
  }
};

import { isNationPulseError } from '@nationpulse/domain';
import type { Clock, Logger } from '@nationpulse/platform';
import type { ArtifactStore, BusConsumer, DeliveredMessage, MessageBus, StoredArtifact } from '@nationpulse/ports';
import { generateReportSchema, messageHeaders, type GenerateReport, type ReportOutcome } from '../messages.ts';
import type { ReportingMetrics } from '../metrics.ts';
import { csvLines } from './csv.ts';
import { XLSX_CONTENT_TYPE, xlsxFile } from './xlsx.ts';
import type { ReportDataSource } from './report-data.ts';
import { deadLetter } from '../dead-letter.ts';

export interface ReportWorkerOptions {
  readonly bus: MessageBus;
  readonly artifacts: ArtifactStore;
  readonly data: ReportDataSource;
  readonly topics: { readonly commands: string; readonly events: string; readonly dlq: string };
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: ReportingMetrics;
  readonly groupId?: string;
  /** Pause before a command whose generation failed transiently (read API or store down) is tried again. */
  readonly retryDelayMs?: number;
}

export interface ReportWorker {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const WORKER_GROUP = 'reporting-worker';

/** One artifact per report and attempt: a redelivered or duplicated command finds it and stores nothing new. */
export const artifactKey = (command: Pick<GenerateReport, 'reportId' | 'attempt' | 'format'>): string =>
  `${command.reportId}/attempt-${command.attempt}.${command.format}`;

const fileNameOf = (c: GenerateReport): string => {
  const s = c.spec;
  const base =
    s.kind === 'country-profile'
      ? `${s.country}-profile-${s.fromYear}-${s.toYear}`
      : s.kind === 'indicator-all-countries'
        ? `${s.indicator}-all-countries-${s.fromYear}-${s.toYear}`
        : `${s.indicator}-ranking-${s.year}-${s.order}`;
  return `${base}.${c.format}`;
};

const countRows = async (artifacts: ArtifactStore, key: string): Promise<number> => {
  let lines = 0;
  for await (const chunk of await artifacts.read(key)) for (const byte of chunk) if (byte === 0x0a) lines++;
  return Math.max(0, lines - 1);
};

/**
 * The reporting worker: a member of the worker group on the commands topic. For each command it
 * reads the data through the read API, streams the CSV into the artifact store under the
 * command's deterministic key (CSV, or an xlsx workbook), and publishes the outcome. The offset is committed only after the
 * outcome is published, so a crash mid-way means a redelivery — which finds the stored artifact
 * (or writes it, atomically, for the first time). Bad commands go to the DLQ and fail the report;
 * transient failures are retried in place.
 */
export const createReportWorker = (options: ReportWorkerOptions): ReportWorker => {
  const { bus, artifacts, data, topics, clock, logger, metrics } = options;
  const groupId = options.groupId ?? WORKER_GROUP;
  let consumer: BusConsumer | null = null;

  const publishOutcome = (outcome: ReportOutcome, source: DeliveredMessage) =>
    bus.publish(topics.events, [
      { key: outcome.reportId, value: JSON.stringify(outcome), headers: messageHeaders(outcome.type, source.headers['correlation-id'] ?? null, source.headers['traceparent'] ?? null) },
    ]);

  /** The row count of a stored spreadsheet, for a redelivered command: counted again from the data. */
  const countTableRows = async (command: GenerateReport): Promise<number> => {
    let n = 0;
    for await (const _ of data.table(command.spec, command.minPosition).rows) n++;
    return n;
  };

  const generate = async (command: GenerateReport): Promise<{ artifact: StoredArtifact; rows: number; reused: boolean }> => {
    const key = artifactKey(command);
    const existing = await artifacts.stat(key);
    if (existing) return { artifact: existing, rows: command.format === 'csv' ? await countRows(artifacts, key) : await countTableRows(command), reused: true };
    const table = data.table(command.spec, command.minPosition);
    let rows = 0;
    const count = () => rows++;
    const artifact =
      command.format === 'xlsx'
        ? await artifacts.put(key, xlsxFile(table.columns, table.rows, count), { fileName: fileNameOf(command), contentType: XLSX_CONTENT_TYPE })
        : await artifacts.put(key, csvLines(table.columns, table.rows, count), { fileName: fileNameOf(command), contentType: 'text/csv; charset=utf-8' });
    return { artifact, rows, reused: false };
  };

  const handle = async (message: DeliveredMessage): Promise<void> => {
    let raw: unknown;
    try {
      raw = JSON.parse(message.value);
    } catch (e) {
      return poison(message, null, 'MESSAGE_UNDECODABLE', `Not JSON: ${(e as Error).message}`);
    }
    const parsed = generateReportSchema.safeParse(raw);
    if (!parsed.success) {
      return poison(message, raw, 'MESSAGE_INVALID', 'Not a valid GenerateReport command', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    }
    const command = parsed.data;
    const started = clock.now().getTime();
    try {
      const { artifact, rows, reused } = await generate(command);
      await publishOutcome(
        { type: 'ReportGenerated', reportId: command.reportId, attempt: command.attempt, rows, artifact: { uri: artifact.uri, fileName: artifact.fileName, contentType: artifact.contentType, sizeBytes: artifact.sizeBytes, sha256: artifact.sha256 } },
        message,
      );
      metrics?.generated.inc({ format: command.format, kind: reused ? 'reused' : 'new' });
      metrics?.generationSeconds.observe({ kind: command.spec.kind }, (clock.now().getTime() - started) / 1000);
      logger.info({ reportId: command.reportId, attempt: command.attempt, rows, sizeBytes: artifact.sizeBytes, reused }, 'report generated');
    } catch (e) {
      const invalid = isNationPulseError(e) && (e.kind === 'validation' || e.kind === 'not_found');
      if (!invalid && (!isNationPulseError(e) || e.kind === 'unavailable' || e.kind === 'internal')) {
        // Read API, artifact store or bus out of reach: not committed, delivered again after a pause.
        throw e;
      }
      await publishOutcome({ type: 'ReportGenerationFailed', reportId: command.reportId, attempt: command.attempt, reason: invalid ? 'invalid' : 'error', message: (e as Error).message || 'generation failed' }, message);
      logger.warn({ reportId: command.reportId, err: e }, 'report cannot be generated');
    }
  };

  /** A command nobody can act on: to the DLQ with the error, and the report (when the key names one) fails cleanly. */
  const poison = async (message: DeliveredMessage, raw: unknown, code: string, text: string, details?: unknown): Promise<void> => {
    await deadLetter(bus, topics.dlq, message, groupId, { code, message: text, details }, clock);
    metrics?.deadLettered.inc({ consumer: groupId });
    logger.warn({ code, key: message.key, partition: message.partition, offset: message.offset }, 'poison command sent to the DLQ');
    if (message.key) {
      const attempt = raw !== null && typeof raw === 'object' && 'attempt' in raw && Number.isSafeInteger(raw.attempt) && Number(raw.attempt) >= 0 ? Number(raw.attempt) : 0;
      await publishOutcome({ type: 'ReportGenerationFailed', reportId: message.key, attempt, reason: 'invalid', message: `${code}: ${text}` }, message);
    }
  };

  return {
    async start() {
      consumer = await bus.subscribe({
        groupId,
        topics: [topics.commands],
        handler: handle,
        retryDelayMs: options.retryDelayMs ?? 1_000,
        onError: (err, m) => logger.warn({ err, key: m.key, offset: m.offset }, 'report generation failed; will retry'),
      });
    },
    async stop() {
      await consumer?.close();
      consumer = null;
    },
  };
};

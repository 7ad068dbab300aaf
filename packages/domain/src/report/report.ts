import { z } from 'zod';
import { countryCode, indicatorCode, observationYear } from '../codes.ts';
import { defineEvent, type DomainEventOf } from '../envelope.ts';
import { conflict, notFound } from '../errors.ts';

/** A report from request to its outcome. Stream: report-{reportId}. */
export const reportStreamId = (reportId: string): string => `report-${reportId}`;
export const REPORT_STREAM_PREFIX = 'report-';

const yearRange = { fromYear: observationYear, toYear: observationYear };
export const reportSpecSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('country-profile'), country: countryCode, ...yearRange }),
    z.object({ kind: z.literal('indicator-all-countries'), indicator: indicatorCode, ...yearRange }),
    z.object({ kind: z.literal('ranking'), indicator: indicatorCode, year: observationYear, order: z.enum(['desc', 'asc']).default('desc') }),
  ])
  .refine((s) => !('fromYear' in s) || s.fromYear <= s.toYear, { message: 'fromYear must not be after toYear', path: ['fromYear'] });
export type ReportSpec = z.infer<typeof reportSpecSchema>;
export const reportFormats = ['csv', 'xlsx'] as const;

export const ReportRequested = defineEvent(
  'ReportRequested',
  z.object({ reportId: z.string().min(1), requestedBy: z.string().min(1), spec: reportSpecSchema, format: z.enum(reportFormats) }),
);
export const ReportGenerated = defineEvent(
  'ReportGenerated',
  z.object({
    reportId: z.string().min(1),
    artifact: z.object({
      uri: z.string().min(1),
      fileName: z.string().min(1),
      contentType: z.string().min(1),
      sizeBytes: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
    rows: z.number().int().nonnegative(),
    attempt: z.number().int().positive(),
  }),
);
export const ReportFailed = defineEvent(
  'ReportFailed',
  z.object({
    reportId: z.string().min(1),
    reason: z.enum(['timeout', 'invalid', 'error']),
    message: z.string().min(1),
    attempts: z.number().int().nonnegative(),
  }),
);

/**
 * The reporting saga gave up waiting for an outcome and asks again: the relay publishes a new
 * GenerateReport command with this attempt number. Recorded in the stream so the saga's state
 * (attempts, when the last one started) survives restarts.
 */
export const ReportRetried = defineEvent(
  'ReportRetried',
  z.object({ reportId: z.string().min(1), attempt: z.number().int().min(2), reason: z.literal('timeout'), message: z.string().min(1) }),
);

export type ReportEvent =
  | DomainEventOf<typeof ReportRequested>
  | DomainEventOf<typeof ReportRetried>
  | DomainEventOf<typeof ReportGenerated>
  | DomainEventOf<typeof ReportFailed>;

export type ReportStatus = 'none' | 'requested' | 'generated' | 'failed';
export interface ReportState {
  readonly status: ReportStatus;
  readonly requestedBy: string | null;
  /** Generation attempts started so far (1 once requested). */
  readonly attempts: number;
}
export const initialReportState: ReportState = { status: 'none', requestedBy: null, attempts: 0 };

type Requested = DomainEventOf<typeof ReportRequested>['data'];
type Generated = DomainEventOf<typeof ReportGenerated>['data'];
type Failed = DomainEventOf<typeof ReportFailed>['data'];
type Retried = DomainEventOf<typeof ReportRetried>['data'];
export type ReportCommand =
  | ({ readonly type: 'RequestReport' } & Requested)
  | ({ readonly type: 'RetryReport' } & Retried)
  | ({ readonly type: 'RecordReportGenerated' } & Generated)
  | ({ readonly type: 'RecordReportFailed' } & Failed);

export const evolveReport = (state: ReportState, event: ReportEvent): ReportState => {
  switch (event.type) {
    case 'ReportRequested':
      return { status: 'requested', requestedBy: event.data.requestedBy, attempts: 1 };
    case 'ReportRetried':
      return { ...state, attempts: event.data.attempt };
    case 'ReportGenerated':
      return { ...state, status: 'generated' };
    case 'ReportFailed':
      return { ...state, status: 'failed' };
  }
};

/** An outcome for a report already finished decides nothing: duplicated or late outcomes are harmless. */
export const decideReport = (command: ReportCommand, state: ReportState): ReportEvent[] => {
  switch (command.type) {
    case 'RequestReport': {
      if (state.status !== 'none') throw conflict('REPORT_ALREADY_REQUESTED', `Report ${command.reportId} already exists`);
      const { reportId, requestedBy, spec, format } = command;
      return [{ type: 'ReportRequested', data: { reportId, requestedBy, spec, format } }];
    }
    case 'RetryReport': {
      if (state.status === 'none') throw notFound('REPORT_NOT_FOUND', `No report ${command.reportId}`);
      // Only the next attempt of a pending report: a duplicated or late timeout decides nothing.
      if (state.status !== 'requested' || command.attempt !== state.attempts + 1) return [];
      const { reportId, attempt, reason, message } = command;
      return [{ type: 'ReportRetried', data: { reportId, attempt, reason, message } }];
    }
    case 'RecordReportGenerated': {
      if (state.status === 'none') throw notFound('REPORT_NOT_FOUND', `No report ${command.reportId}`);
      if (state.status !== 'requested') return [];
      const { reportId, artifact, rows, attempt } = command;
      return [{ type: 'ReportGenerated', data: { reportId, artifact, rows, attempt } }];
    }
    case 'RecordReportFailed': {
      if (state.status === 'none') throw notFound('REPORT_NOT_FOUND', `No report ${command.reportId}`);
      if (state.status !== 'requested') return [];
      const { reportId, reason, message, attempts } = command;
      return [{ type: 'ReportFailed', data: { reportId, reason, message, attempts } }];
    }
  }
};

/** The report aggregate, as the executor runs it. */
export const reportAggregate = { initial: initialReportState, evolve: evolveReport, decide: decideReport };

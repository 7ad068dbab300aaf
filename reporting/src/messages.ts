import { reportFormats, reportSpecSchema } from '@nationpulse/domain';
import { z } from 'zod';

/**
 * The messages of the reporting saga. Every message is keyed by its report id, so a report's
 * commands and outcomes stay in order on one partition. JSON bodies, validated on receipt.
 */

/** reports.commands: generate this report (this attempt). Published by the relay from the event store. */
export const generateReportSchema = z.object({
  type: z.literal('GenerateReport'),
  reportId: z.string().min(1).max(200),
  attempt: z.number().int().positive(),
  requestedBy: z.string().min(1),
  spec: reportSpecSchema,
  format: z.enum(reportFormats),
  /** When it was requested (ISO-8601). */
  requestedAt: z.string().min(1),
  /** Position of the request in the event store: the worker reads the data as of at least this. */
  minPosition: z.number().int().nonnegative(),
});
export type GenerateReport = z.infer<typeof generateReportSchema>;

const artifactSchema = z.object({
  uri: z.string().min(1),
  fileName: z.string().min(1),
  contentType: z.string().min(1),
  sizeBytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/** reports.events: what a worker made of one attempt. Consumed by the saga. */
export const reportOutcomeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ReportGenerated'), reportId: z.string().min(1), attempt: z.number().int().positive(), artifact: artifactSchema, rows: z.number().int().nonnegative() }),
  z.object({
    type: z.literal('ReportGenerationFailed'),
    reportId: z.string().min(1),
    attempt: z.number().int().nonnegative(),
    reason: z.enum(['invalid', 'error']),
    message: z.string().min(1),
  }),
]);
export type ReportOutcome = z.infer<typeof reportOutcomeSchema>;

/** reports.dlq: a message no consumer could use, with why, and where it came from. */
export interface DeadLetter {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
  readonly source: { readonly topic: string; readonly partition: number; readonly offset: string; readonly consumer: string };
  readonly key: string | null;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly failedAt: string;
}

export const HEADERS = {
  type: 'message-type',
  contentType: 'content-type',
  correlationId: 'correlation-id',
  traceparent: 'traceparent',
} as const;

export const messageHeaders = (type: string, correlationId: string | null, traceparent: string | null): Record<string, string> => ({
  [HEADERS.type]: type,
  [HEADERS.contentType]: 'application/json',
  ...(correlationId ? { [HEADERS.correlationId]: correlationId } : {}),
  ...(traceparent ? { [HEADERS.traceparent]: traceparent } : {}),
});

import { z } from 'zod';
import { changeEntry } from './audit-fields.ts';

/*
 * The audit queries' answers: the schemas the read API validates its own answers with, exported
 * (`@nationpulse/read-api/audit-answers`) for the clients that read them, the nationpulse CLI, so
 * they parse exactly what the API promises. Zod only: importing this loads no query, store or
 * reference data.
 */

export { changeEntry, type ChangeEntry } from './audit-fields.ts';

export const auditSeriesEntry = changeEntry.omit({ country: true, indicator: true });
export const auditSeriesOutput = z.object({ country: z.string(), indicator: z.string(), entries: z.array(auditSeriesEntry) });
export type AuditSeriesOutput = z.infer<typeof auditSeriesOutput>;

const count = z.number().int().nullable();
export const runSummary = z.object({
  runId: z.string(),
  source: z.string(),
  dataset: z.string(),
  trigger: z.string(),
  actor: z.string(),
  status: z.enum(['running', 'completed', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: count,
  rowsRead: count,
  rowsChanged: count,
  rowsUnchanged: count,
  rowsRejected: count,
  seriesChanged: count,
  failureReason: z.string().nullable(),
});
export type RunSummary = z.infer<typeof runSummary>;

export const auditRunsOutput = z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), runs: z.array(runSummary) });
export type AuditRunsOutput = z.infer<typeof auditRunsOutput>;

export const auditRunOutput = runSummary.extend({
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  rejected: z.array(z.object({ row: z.number().int(), reason: z.string(), raw: z.string().optional() })),
  changesTotal: z.number().int(),
  changes: z.array(changeEntry),
});
export type AuditRunOutput = z.infer<typeof auditRunOutput>;

export const auditChangesOutput = z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), changes: z.array(changeEntry) });
export type AuditChangesOutput = z.infer<typeof auditChangesOutput>;

export const auditAsOfOutput = z.object({
  country: z.string(),
  at: z.string(),
  indicators: z.array(z.object({ indicator: z.string(), year: z.number().int(), value: z.number() })),
});
export type AuditAsOfOutput = z.infer<typeof auditAsOfOutput>;

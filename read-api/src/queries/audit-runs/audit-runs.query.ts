import { notFound, type NationPulseError } from '@nationpulse/domain';
import { collections, type IngestionRunDoc } from '@nationpulse/read-models';
import { z } from 'zod';
import { projections } from '../../query-handling/projections.ts';
import { defineQuery } from '../../query-handling/query-definition.ts';
import { fields } from '../fields.ts';
import { toChangeEntry } from '../audit-shared/audit-fields.ts';
import { countEntries, pageOfEntries } from '../audit-shared/change-sets.ts';
import { auditRunOutput, auditRunsOutput, type AuditRunOutput, type AuditRunsOutput, type RunSummary } from '../audit-shared/audit-answers.ts';

export { auditRunOutput, auditRunsOutput, type AuditRunOutput, type AuditRunsOutput, type RunSummary };

/** How many change-log entries a run's detail lists (changesTotal gives them all). */
export const RUN_CHANGES_SHOWN = 200;

export const runNotFound = (runId: string): NationPulseError => notFound('RUN_NOT_FOUND', `No ingestion run ${runId}`, { runId });

const summaryOf = (r: IngestionRunDoc): RunSummary => ({
  runId: r.runId,
  source: r.source,
  dataset: r.dataset,
  trigger: r.trigger,
  actor: r.actor,
  status: r.status,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
  durationMs: r.durationMs,
  rowsRead: r.rowsRead,
  rowsChanged: r.rowsChanged,
  rowsUnchanged: r.rowsUnchanged,
  rowsRejected: r.rowsRejected,
  seriesChanged: r.seriesChanged,
  failureReason: r.failureReason,
});

export const auditRunsInput = z.object({ limit: fields.limit.default(20), offset: fields.offset.default(0) });

/** Ingestion runs, newest first, with their counts and status. */
export const auditRunsQuery = defineQuery({
  name: 'audit-runs',
  input: auditRunsInput,
  reads: [projections.ingestionRuns],
  async run(input, { readStore }): Promise<AuditRunsOutput> {
    const [total, docs] = await Promise.all([
      readStore.count(collections.ingestionRuns),
      readStore.find<IngestionRunDoc>(collections.ingestionRuns, { orderBy: [{ field: 'startedAt', direction: 'desc' }], limit: input.limit, offset: input.offset }),
    ]);
    return { total, limit: input.limit, offset: input.offset, runs: docs.map((d) => summaryOf(d.doc)) };
  },
});

export const auditRunInput = z.object({ runId: z.string().min(1).max(200) });

/** One ingestion run: its counts, rejected rows and the first changes it made (by position); 404 RUN_NOT_FOUND. */
export const auditRunQuery = defineQuery({
  name: 'audit-run',
  input: auditRunInput,
  reads: [projections.ingestionRuns, projections.changeLog],
  async run(input, { readStore }): Promise<AuditRunOutput> {
    const run = await readStore.get<IngestionRunDoc>(collections.ingestionRuns, input.runId);
    if (!run) throw runNotFound(input.runId);
    const where = { runId: input.runId };
    const [changesTotal, changes] = await Promise.all([
      countEntries(readStore, where),
      pageOfEntries(readStore, { where, field: 'position', direction: 'asc', offset: 0, limit: RUN_CHANGES_SHOWN }),
    ]);
    return {
      ...summaryOf(run.doc),
      parameters: { ...run.doc.parameters },
      rejected: run.doc.rejected.map((r) => ({ ...r })),
      changesTotal,
      changes: changes.map(toChangeEntry),
    };
  },
});

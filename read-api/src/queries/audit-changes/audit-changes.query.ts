import type { FieldCondition } from '@nationpulse/ports';
import { z } from 'zod';
import { projections } from '../../query-handling/projections.ts';
import { defineQuery } from '../../query-handling/query-definition.ts';
import { fields } from '../fields.ts';
import { instant, instantNotAfter, toChangeEntry } from '../audit-shared/audit-fields.ts';
import { countEntries, pageOfEntries } from '../audit-shared/change-sets.ts';
import { auditChangesOutput, type AuditChangesOutput } from '../audit-shared/audit-answers.ts';

export { auditChangesOutput, type AuditChangesOutput };

export const auditChangesShape = {
  from: instant.optional(),
  to: instant.optional(),
  source: z.string().min(1).max(100).optional(),
  actor: z.string().min(1).max(200).optional(),
  limit: fields.limit.default(50),
  offset: fields.offset.default(0),
};
export const auditChangesInput = z.object(auditChangesShape).refine(...instantNotAfter);
export type AuditChangesInput = z.infer<typeof auditChangesInput>;

/** Data changes (ingested and corrected values) in a time window, newest first; access changes are not included. */
export const auditChangesQuery = defineQuery({
  name: 'audit-changes',
  input: auditChangesInput,
  reads: [projections.changeLog],
  async run(input, { readStore }): Promise<AuditChangesOutput> {
    const where: Record<string, FieldCondition> = {};
    if (input.from !== undefined || input.to !== undefined) {
      where.at = { ...(input.from === undefined ? {} : { gte: input.from }), ...(input.to === undefined ? {} : { lte: input.to }) };
    }
    if (input.source !== undefined) where.source = input.source;
    if (input.actor !== undefined) where.actor = input.actor;
    const [total, entries] = await Promise.all([
      countEntries(readStore, where),
      pageOfEntries(readStore, { where, field: 'at', direction: 'desc', offset: input.offset, limit: input.limit }),
    ]);
    return { total, limit: input.limit, offset: input.offset, changes: entries.map(toChangeEntry) };
  },
});

import { changeLogEntries, collections, type ChangeSetDoc } from '@nationpulse/read-models';
import { z } from 'zod';
import { projections } from '../../query-handling/projections.ts';
import { defineQuery } from '../../query-handling/query-definition.ts';
import { fields, requireIndicator } from '../fields.ts';
import { toChangeEntry } from '../audit-shared/audit-fields.ts';
import { auditSeriesOutput, type AuditSeriesOutput } from '../audit-shared/audit-answers.ts';

export { auditSeriesOutput, type AuditSeriesOutput };

export const auditSeriesInput = z.object({ country: fields.country, indicator: fields.indicator, year: fields.year.optional() });
export type AuditSeriesInput = z.infer<typeof auditSeriesInput>;

/** The history of a value (or of every year of a series): its change-log entries by year, then position. */
export const auditSeriesQuery = defineQuery({
  name: 'audit-series',
  input: auditSeriesInput,
  reads: [projections.changeLog],
  cacheScope: (input) => `${input.country}:${input.indicator}`,
  async run(input, { readStore }): Promise<AuditSeriesOutput> {
    const indicator = requireIndicator(input.indicator);
    const sets = await readStore.find<ChangeSetDoc>(collections.changeSets, { where: { country: input.country, indicator: indicator.code } });
    const entries = sets
      .flatMap((d) => changeLogEntries(d.doc))
      .filter((e) => input.year === undefined || e.year === input.year)
      .sort((a, b) => a.year - b.year || a.position - b.position);
    return {
      country: input.country,
      indicator: indicator.code,
      entries: entries.map((e) => {
        const { country: _c, indicator: _i, ...entry } = toChangeEntry(e);
        return entry;
      }),
    };
  },
});

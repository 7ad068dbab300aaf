import { collections, type ChangeLogDoc } from '@nationpulse/read-models';
import { z } from 'zod';
import { projections } from '../../query-handling/projections.ts';
import { defineQuery } from '../../query-handling/query-definition.ts';
import { fields, requireIndicator } from '../fields.ts';
import { changeEntry, toChangeEntry } from '../audit-shared/audit-fields.ts';

export const auditSeriesInput = z.object({ country: fields.country, indicator: fields.indicator, year: fields.year.optional() });
export type AuditSeriesInput = z.infer<typeof auditSeriesInput>;

export const auditSeriesEntry = changeEntry.omit({ country: true, indicator: true });
export const auditSeriesOutput = z.object({ country: z.string(), indicator: z.string(), entries: z.array(auditSeriesEntry) });
export type AuditSeriesOutput = z.infer<typeof auditSeriesOutput>;

/** The history of a value (or of every year of a series): its change-log entries by year, then position. */
export const auditSeriesQuery = defineQuery({
  name: 'audit-series',
  input: auditSeriesInput,
  reads: [projections.changeLog],
  async run(input, { readStore }): Promise<AuditSeriesOutput> {
    const indicator = requireIndicator(input.indicator);
    const where = { country: input.country, indicator: indicator.code, ...(input.year === undefined ? {} : { year: input.year }) };
    const docs = await readStore.find<ChangeLogDoc>(collections.changeLog, {
      where,
      orderBy: [
        { field: 'year', direction: 'asc' },
        { field: 'position', direction: 'asc' },
      ],
    });
    return {
      country: input.country,
      indicator: indicator.code,
      entries: docs.map((d) => {
        const { country: _c, indicator: _i, ...entry } = toChangeEntry(d.doc);
        return entry;
      }),
    };
  },
});

import { collections, type ChangeSetDoc } from '@nationpulse/read-models';
import { z } from 'zod';
import { projections } from '../../query-handling/projections.ts';
import { defineQuery } from '../../query-handling/query-definition.ts';
import { fields, requireArea } from '../fields.ts';
import { instant } from '../audit-shared/audit-fields.ts';
import { auditAsOfOutput, type AuditAsOfOutput } from '../audit-shared/audit-answers.ts';

export { auditAsOfOutput, type AuditAsOfOutput };

/** The most change sets of one country an as-of query reads (one per series and run: a few hundred at most). */
export const ASOF_MAX_SETS = 50_000;

export const auditAsOfInput = z.object({ country: fields.country, at: instant });
export type AuditAsOfInput = z.infer<typeof auditAsOfInput>;

/**
 * A country's indicators as they were known at an instant: per (indicator, year) the value of the
 * last change (highest position) made at or before it, then per indicator its latest year.
 * Indicators by code.
 */
export const auditAsOfQuery = defineQuery({
  name: 'audit-asof',
  input: auditAsOfInput,
  reads: [projections.changeLog],
  cacheScope: (input) => input.country,
  async run(input, { readStore }): Promise<AuditAsOfOutput> {
    const area = requireArea(input.country);
    const atMs = Date.parse(input.at);
    const sets = await readStore.find<ChangeSetDoc>(collections.changeSets, { where: { country: area.iso3 }, limit: ASOF_MAX_SETS });
    const known = new Map<string, { indicator: string; year: number; value: number; position: number }>();
    // Straight from each set's [year, value, previous] changes: a country has thousands of them,
    // and one entry object apiece (changeLogEntries) made this the slowest read under load.
    for (const { doc } of sets) {
      if (Date.parse(doc.at) > atMs) continue;
      const { indicator, position } = doc;
      for (const [year, value] of doc.changes) {
        const key = `${indicator}:${year}`;
        const current = known.get(key);
        if (!current || position > current.position) known.set(key, { indicator, year, value, position });
      }
    }
    const latest = new Map<string, { indicator: string; year: number; value: number }>();
    for (const { indicator, year, value } of known.values()) {
      const current = latest.get(indicator);
      if (!current || year > current.year) latest.set(indicator, { indicator, year, value });
    }
    const indicators = [...latest.values()].sort((a, b) => (a.indicator < b.indicator ? -1 : a.indicator > b.indicator ? 1 : 0));
    return { country: area.iso3, at: input.at, indicators };
  },
});

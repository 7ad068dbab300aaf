import type { ChangeLogEntry } from '@nationpulse/read-models';
import { z } from 'zod';

/** An ISO-8601 instant (with Z or an offset), normalised to UTC `toISOString()` form so it compares with stored `at` strings. */
export const instant = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s).toISOString())
  .describe('An ISO-8601 instant, e.g. 2024-05-01T12:00:00Z');

/** A from..to instant window, both optional: `from` must not come after `to`. */
export const instantNotAfter: [(range: { from?: string | undefined; to?: string | undefined }) => boolean, { message: string; path: string[] }] = [
  (range) => range.from === undefined || range.to === undefined || range.from <= range.to,
  { message: '"from" must not be after "to"', path: ['to'] },
];

/** One change-log entry as the audit queries answer it. */
export const changeEntry = z.object({
  country: z.string(),
  indicator: z.string(),
  year: z.number().int(),
  value: z.number(),
  previous: z.number().nullable(),
  kind: z.enum(['ingested', 'corrected']),
  source: z.string(),
  runId: z.string().nullable(),
  reason: z.string().nullable(),
  actor: z.string(),
  at: z.string(),
  position: z.number().int(),
});
export type ChangeEntry = z.infer<typeof changeEntry>;

export const toChangeEntry = (d: ChangeLogEntry): ChangeEntry => ({
  country: d.country,
  indicator: d.indicator,
  year: d.year,
  value: d.value,
  previous: d.previous,
  kind: d.kind,
  source: d.source,
  runId: d.runId,
  reason: d.reason,
  actor: d.actor,
  at: d.at,
  position: d.position,
});

import type { Observation, SeriesItem } from '../runs/source.ts';

/**
 * Gathers rows into series for sources whose rows come grouped by country and indicator (CSV
 * files sorted by country, API pages, SDMX series): a series is complete when the key changes,
 * so one series is held at a time. A year seen twice within a series is refused, so that the
 * caller can reject the row instead of letting one value silently overwrite the other.
 */
export const createSeriesAssembler = () => {
  let current: { country: string; indicator: string; observations: Observation[]; years: Set<number> } | null = null;

  const flush = (): SeriesItem | null => {
    const done = current;
    current = null;
    return done && done.observations.length > 0 ? { kind: 'series', country: done.country, indicator: done.indicator, observations: done.observations } : null;
  };

  return {
    /** Adds one observation; returns the series it completed (if the key changed) and whether the year was a duplicate. */
    add(country: string, indicator: string, year: number, value: number): { readonly completed: SeriesItem | null; readonly duplicate: boolean } {
      const completed = current && (current.country !== country || current.indicator !== indicator) ? flush() : null;
      current ??= { country, indicator, observations: [], years: new Set() };
      if (current.years.has(year)) return { completed, duplicate: true };
      current.years.add(year);
      current.observations.push({ year, value });
      return { completed, duplicate: false };
    },
    /** The series in progress, if any, at the end of the input. */
    flush,
  };
};
export type SeriesAssembler = ReturnType<typeof createSeriesAssembler>;

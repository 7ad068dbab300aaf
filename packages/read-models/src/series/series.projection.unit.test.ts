import { ReportRequested, UserDisabled } from '@nationpulse/domain';
import { describe, expect, it } from 'vitest';
import type { SeriesDoc } from '../documents.ts';
import { eventFactory } from '../testing/events.ts';
import { expectAtLeastOnceSafe, expectIgnoresOtherEvents } from '../testing/expectations.ts';
import { documentsOf, positionsOf, runProjection } from '../testing/projection-harness.ts';
import { repeatedYear, seriesHistory } from '../testing/scenarios.ts';
import { seriesPoints, seriesProjection as projection } from './series.projection.ts';

describe('series projection', () => {
  it('declares its name, version, event types and collection', () => {
    expect(projection.name).toBe('series');
    expect(projection.version).toBe(2);
    expect([...projection.eventTypes].sort()).toEqual(['ObservationCorrected', 'ObservationsRecorded']);
    expect(projection.collections.map((c) => c.name)).toEqual(['series']);
  });

  it('keeps every point, one per year, in year order, corrections applied', () => {
    const state = runProjection(projection, seriesHistory());
    expect(documentsOf(state, 'series')).toEqual({
      'FRA:SP.POP.TOTL': {
        country: 'FRA',
        indicator: 'SP.POP.TOTL',
        isAggregate: false,
        years: [2018, 2019, 2020, 2021, 2022],
        values: [66_900_000, 67_250_000, 67_600_000, 67_800_000, 68_000_000],
      },
      'WLD:SP.POP.TOTL': { country: 'WLD', indicator: 'SP.POP.TOTL', isAggregate: true, years: [2020, 2021], values: [7_820_206_000, 7_888_963_000] },
      'FRA:NY.GDP.MKTP.CD': { country: 'FRA', indicator: 'NY.GDP.MKTP.CD', isAggregate: false, years: [2021], values: [2_959_355_819_170.5] },
      'DEU:SP.POP.TOTL': { country: 'DEU', indicator: 'SP.POP.TOTL', isAggregate: false, years: [2021], values: [83_196_078] },
    });
    expect(positionsOf(state, 'series')).toEqual({ 'FRA:SP.POP.TOTL': 59, 'WLD:SP.POP.TOTL': 44, 'FRA:NY.GDP.MKTP.CD': 47, 'DEU:SP.POP.TOTL': 62 });
  });

  it('applies a correction to its year only', () => {
    const history = seriesHistory();
    const doc = documentsOf<SeriesDoc>(runProjection(projection, history.slice(0, 4)), 'series')['FRA:SP.POP.TOTL']!;
    expect(seriesPoints(doc)).toEqual([
      { year: 2019, value: 67_250_000 },
      { year: 2020, value: 67_571_107 },
      { year: 2021, value: 67_764_304 },
    ]);
  });

  it('takes the last value of a year an ingestion repeats', () => {
    const doc = documentsOf(runProjection(projection, [repeatedYear()]), 'series')['ITA:SP.POP.TOTL']!;
    expect(doc).toMatchObject({ years: [2020, 2021], values: [59_400_000, 59_100_000] });
  });

  it('reads both stored layouts as points in year order: version 2 arrays and the version 1 objects a live copy holds until the swap', () => {
    const v2 = { country: 'FRA', indicator: 'SP.POP.TOTL', isAggregate: false, years: [2019, 2020], values: [1.5, 2] };
    const v1 = { country: 'FRA', indicator: 'SP.POP.TOTL', isAggregate: false, points: [{ year: 2020, value: 2 }, { year: 2019, value: 1.5 }] };
    const want = [{ year: 2019, value: 1.5 }, { year: 2020, value: 2 }];
    expect(seriesPoints(v2)).toEqual(want);
    expect(seriesPoints(v1)).toEqual(want);
    expect(seriesPoints({ ...v2, years: [], values: [] })).toEqual([]);
  });

  it('gives identical state when events are delivered again, in full or resumed mid-way', () => {
    expect(expectAtLeastOnceSafe(projection, seriesHistory())).toBeGreaterThan(50);
  });

  it('ignores other event types', () => {
    const event = eventFactory();
    expectIgnoresOtherEvents(projection, [
      event(UserDisabled, { userId: 'u-1', reason: 'left' }),
      event(ReportRequested, { reportId: 'rep-1', requestedBy: 'u-1', spec: { kind: 'country-profile', country: 'FRA', fromYear: 2000, toYear: 2020 }, format: 'csv' }),
    ]);
  });
});

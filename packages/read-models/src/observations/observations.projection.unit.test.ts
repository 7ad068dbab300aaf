import { IngestionRunCompleted, ObservationsRecorded, RoleGranted } from '@nationpulse/domain';
import { describe, expect, it } from 'vitest';
import { eventFactory } from '../testing/events.ts';
import { expectAtLeastOnceSafe, expectIgnoresOtherEvents } from '../testing/expectations.ts';
import { documentsOf, positionsOf, runProjection } from '../testing/projection-harness.ts';
import { repeatedYear, seriesHistory } from '../testing/scenarios.ts';
import { observationsProjection as projection } from './observations.projection.ts';

describe('observations projection', () => {
  it('declares its name, version, event types, collection, indexes and the collection v1 wrote', () => {
    expect(projection.name).toBe('observations');
    expect(projection.version).toBe(2);
    expect([...projection.eventTypes].sort()).toEqual(['ObservationCorrected', 'ObservationsRecorded']);
    expect(projection.collections).toEqual([{ name: 'indicator_years', indexes: [['indicator', 'year']] }]);
    expect(projection.retiredCollections).toEqual(['observations']);
  });

  it("keeps one document per indicator and year with every area's value, countries apart from aggregates, corrections applied", () => {
    const state = runProjection(projection, seriesHistory());
    expect(documentsOf(state, 'indicator_years')).toEqual({
      'SP.POP.TOTL:2018': { indicator: 'SP.POP.TOTL', year: 2018, countries: { FRA: 66_900_000 }, aggregates: {}, countryCount: 1 },
      'SP.POP.TOTL:2019': { indicator: 'SP.POP.TOTL', year: 2019, countries: { FRA: 67_250_000 }, aggregates: {}, countryCount: 1 },
      'SP.POP.TOTL:2020': { indicator: 'SP.POP.TOTL', year: 2020, countries: { FRA: 67_600_000 }, aggregates: { WLD: 7_820_206_000 }, countryCount: 1 },
      'SP.POP.TOTL:2021': {
        indicator: 'SP.POP.TOTL',
        year: 2021,
        countries: { FRA: 67_800_000, DEU: 83_196_078 },
        aggregates: { WLD: 7_888_963_000 },
        countryCount: 2,
      },
      'SP.POP.TOTL:2022': { indicator: 'SP.POP.TOTL', year: 2022, countries: { FRA: 68_000_000 }, aggregates: {}, countryCount: 1 },
      'NY.GDP.MKTP.CD:2021': { indicator: 'NY.GDP.MKTP.CD', year: 2021, countries: { FRA: 2_959_355_819_170.5 }, aggregates: {}, countryCount: 1 },
    });
    // Each document was last written by the last event that changed one of its values.
    expect(positionsOf(state, 'indicator_years')).toEqual({
      'SP.POP.TOTL:2018': 56,
      'SP.POP.TOTL:2019': 50,
      'SP.POP.TOTL:2020': 59,
      'SP.POP.TOTL:2021': 62,
      'SP.POP.TOTL:2022': 56,
      'NY.GDP.MKTP.CD:2021': 47,
    });
  });

  it('touches the indicator-year of every value an event sets, loading it (the other areas are kept)', () => {
    const [first, , , correction] = seriesHistory();
    expect(projection.touches(first!)).toEqual([
      { collection: 'indicator_years', id: 'SP.POP.TOTL:2019' },
      { collection: 'indicator_years', id: 'SP.POP.TOTL:2020' },
      { collection: 'indicator_years', id: 'SP.POP.TOTL:2021' },
    ]);
    expect(projection.touches(correction!)).toEqual([{ collection: 'indicator_years', id: 'SP.POP.TOTL:2019' }]);
  });

  it('writes a repeated year once, with its last value', () => {
    const event = repeatedYear();
    expect(projection.touches(event)).toHaveLength(2);
    expect(documentsOf(runProjection(projection, [event]), 'indicator_years')).toEqual({
      'SP.POP.TOTL:2020': { indicator: 'SP.POP.TOTL', year: 2020, countries: { ITA: 59_400_000 }, aggregates: {}, countryCount: 1 },
      'SP.POP.TOTL:2021': { indicator: 'SP.POP.TOTL', year: 2021, countries: { ITA: 59_100_000 }, aggregates: {}, countryCount: 1 },
    });
  });

  it("counts a country once however often its value changes, and leaves the stored document's other values alone", () => {
    const event = eventFactory({ firstPosition: 500 });
    const recorded = (country: string, value: number) =>
      event(ObservationsRecorded, { country, indicator: 'SP.POP.TOTL', source: 'file', runId: 'run-1', changes: [{ year: 2020, value, previous: null }] });
    const state = runProjection(projection, [recorded('FRA', 1), recorded('DEU', 2), recorded('FRA', 3), recorded('EUU', 4), recorded('EUU', 5)]);
    expect(documentsOf(state, 'indicator_years')).toEqual({
      'SP.POP.TOTL:2020': { indicator: 'SP.POP.TOTL', year: 2020, countries: { FRA: 3, DEU: 2 }, aggregates: { EUU: 5 }, countryCount: 2 },
    });
  });

  it('gives identical state when events are delivered again, in full or resumed mid-way', () => {
    expect(expectAtLeastOnceSafe(projection, seriesHistory())).toBeGreaterThan(50);
  });

  it('ignores other event types', () => {
    const event = eventFactory();
    expectIgnoresOtherEvents(projection, [
      event(RoleGranted, { userId: 'u-1', role: 'analyst' }),
      event(IngestionRunCompleted, {
        runId: 'run-1',
        rowsRead: 1,
        rowsChanged: 1,
        rowsUnchanged: 0,
        rowsRejected: 0,
        seriesChanged: 1,
        rejected: [],
        durationMs: 10,
      }),
    ]);
  });
});

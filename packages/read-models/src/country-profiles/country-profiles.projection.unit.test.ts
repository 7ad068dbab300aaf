import { IngestionRunStarted, UserRegistered } from '@nationpulse/domain';
import { describe, expect, it } from 'vitest';
import type { CountryProfileDoc } from '../documents.ts';
import { eventFactory } from '../testing/events.ts';
import { expectAtLeastOnceSafe, expectIgnoresOtherEvents } from '../testing/expectations.ts';
import { documentsOf, positionsOf, runProjection } from '../testing/projection-harness.ts';
import { repeatedYear, seriesHistory } from '../testing/scenarios.ts';
import { countryProfilesProjection as projection } from './country-profiles.projection.ts';

const profiles = (events: Parameters<typeof runProjection>[1]) => documentsOf<CountryProfileDoc>(runProjection(projection, events), 'country_profiles');

describe('country-profiles projection', () => {
  it('declares its name, version, event types and collection', () => {
    expect(projection.name).toBe('country-profiles');
    expect(projection.version).toBe(1);
    expect([...projection.eventTypes].sort()).toEqual(['ObservationCorrected', 'ObservationsRecorded']);
    expect(projection.collections.map((c) => c.name)).toEqual(['country_profiles']);
  });

  it('keeps the latest year and value of every indicator, countries and aggregates apart', () => {
    const state = runProjection(projection, seriesHistory());
    expect(documentsOf(state, 'country_profiles')).toEqual({
      FRA: {
        country: 'FRA',
        isAggregate: false,
        latest: {
          'NY.GDP.MKTP.CD': { year: 2021, value: 2_959_355_819_170.5 },
          'SP.POP.TOTL': { year: 2022, value: 68_000_000 },
        },
      },
      WLD: { country: 'WLD', isAggregate: true, latest: { 'SP.POP.TOTL': { year: 2021, value: 7_888_963_000 } } },
      DEU: { country: 'DEU', isAggregate: false, latest: { 'SP.POP.TOTL': { year: 2021, value: 83_196_078 } } },
    });
    // the correction of 2019 and the change to 2020 (older than the latest) wrote nothing
    expect(positionsOf(state, 'country_profiles')).toEqual({ FRA: 56, WLD: 44, DEU: 62 });
  });

  it('leaves latest alone for an older year, updates it for the latest year, replaces it for a newer one', () => {
    const history = seriesHistory();
    expect(profiles(history.slice(0, 3)).FRA!.latest).toEqual({
      'NY.GDP.MKTP.CD': { year: 2021, value: 2_959_355_819_170.5 },
      'SP.POP.TOTL': { year: 2021, value: 67_764_304 },
    });
    expect(profiles(history.slice(0, 4)).FRA!.latest['SP.POP.TOTL']).toEqual({ year: 2021, value: 67_764_304 }); // 2019 corrected
    expect(profiles(history.slice(0, 5)).FRA!.latest['SP.POP.TOTL']).toEqual({ year: 2021, value: 67_800_000 }); // 2021 corrected
    expect(profiles(history.slice(0, 6)).FRA!.latest['SP.POP.TOTL']).toEqual({ year: 2022, value: 68_000_000 }); // 2022 added
    expect(profiles(history.slice(0, 7)).FRA!.latest['SP.POP.TOTL']).toEqual({ year: 2022, value: 68_000_000 }); // 2020 changed
  });

  it('takes the last value of a year an ingestion repeats', () => {
    expect(profiles([repeatedYear()]).ITA).toEqual({ country: 'ITA', isAggregate: false, latest: { 'SP.POP.TOTL': { year: 2021, value: 59_100_000 } } });
  });

  it('gives identical state when events are delivered again, in full or resumed mid-way', () => {
    expect(expectAtLeastOnceSafe(projection, seriesHistory())).toBeGreaterThan(50);
  });

  it('ignores other event types', () => {
    const event = eventFactory();
    expectIgnoresOtherEvents(projection, [
      event(UserRegistered, { userId: 'u-1', username: 'ada', displayName: 'Ada' }),
      event(IngestionRunStarted, { runId: 'run-1', source: 'worldbank-api', dataset: 'wdi', trigger: 'manual', parameters: {} }),
    ]);
  });
});

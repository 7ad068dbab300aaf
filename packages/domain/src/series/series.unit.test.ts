import { describe, it } from 'vitest';
import { specification } from '../testing/specification.ts';
import { decideSeries, evolveSeries, initialSeriesState, type SeriesEvent } from './series.ts';

const { given } = specification(decideSeries, evolveSeries, initialSeriesState);
const key = { country: 'FRA', indicator: 'SP.POP.TOTL' };
const recorded = (changes: { year: number; value: number; previous: number | null }[], runId = 'run-1'): SeriesEvent => ({
  type: 'ObservationsRecorded',
  data: { ...key, source: 'file', runId, changes },
});
const record = (observations: { year: number; value: number }[], runId = 'run-2') =>
  ({ type: 'RecordObservations', ...key, source: 'file', runId, observations }) as const;

describe('data series', () => {
  it('records every observation of a new series, with no previous value', () => {
    given()
      .when(record([{ year: 2001, value: 2 }, { year: 2000, value: 1 }], 'run-1'))
      .then(recorded([{ year: 2000, value: 1, previous: null }, { year: 2001, value: 2, previous: null }]));
  });

  it('records only what changed, with the value it replaces', () => {
    given(recorded([{ year: 2000, value: 1, previous: null }, { year: 2001, value: 2, previous: null }]))
      .when(record([{ year: 2000, value: 1 }, { year: 2001, value: 2.5 }, { year: 2002, value: 3 }]))
      .then(recorded([{ year: 2001, value: 2.5, previous: 2 }, { year: 2002, value: 3, previous: null }], 'run-2'));
  });

  it('decides nothing when identical data is recorded again', () => {
    given(recorded([{ year: 2000, value: 1, previous: null }]))
      .when(record([{ year: 2000, value: 1 }]))
      .thenNothing();
  });

  it('keeps the last row when a file repeats a year', () => {
    given()
      .when(record([{ year: 2000, value: 1 }, { year: 2000, value: 7 }], 'run-1'))
      .then(recorded([{ year: 2000, value: 7, previous: null }]));
  });

  it('corrects a value with its reason and the value it replaces', () => {
    given(recorded([{ year: 2000, value: 1, previous: null }]))
      .when({ type: 'CorrectObservation', ...key, year: 2000, value: 1.5, reason: 'census revision' })
      .then({ type: 'ObservationCorrected', data: { ...key, year: 2000, value: 1.5, previous: 1, reason: 'census revision' } });
  });

  it('refuses to correct a series that does not exist', () => {
    given()
      .when({ type: 'CorrectObservation', ...key, year: 2000, value: 1.5, reason: 'census revision' })
      .thenFails('SERIES_NOT_FOUND');
  });

  it('decides nothing when a correction repeats the current value', () => {
    given(recorded([{ year: 2000, value: 1, previous: null }]))
      .when({ type: 'CorrectObservation', ...key, year: 2000, value: 1, reason: 'no-op' })
      .thenNothing();
  });
});

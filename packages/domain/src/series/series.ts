import { z } from 'zod';
import { countryCode, indicatorCode, observationValue, observationYear } from '../codes.ts';
import { defineEvent, type DomainEventOf } from '../envelope.ts';
import { notFound } from '../errors.ts';

/** A data series: one indicator for one country (or aggregate). Stream: series-{COUNTRY}-{INDICATOR}. */
export const seriesStreamId = (country: string, indicator: string): string => `series-${country}-${indicator}`;
export const SERIES_STREAM_PREFIX = 'series-';

/** A series stream's country (country codes are three letters); another stream's whole id. */
export const seriesStreamCountry = (streamId: string): string => (streamId.startsWith(SERIES_STREAM_PREFIX) ? streamId.slice(7, 10) : streamId);
/** A series stream's indicator; another stream's whole id. */
export const seriesStreamIndicator = (streamId: string): string => (streamId.startsWith(SERIES_STREAM_PREFIX) ? streamId.slice(11) : streamId);

const change = z.object({ year: observationYear, value: observationValue, previous: observationValue.nullable() });

export const ObservationsRecorded = defineEvent(
  'ObservationsRecorded',
  z.object({
    country: countryCode,
    indicator: indicatorCode,
    source: z.string().min(1),
    runId: z.string().min(1),
    /** Only the years whose value is new or changed, each with the value it replaces. */
    changes: z.array(change).min(1),
  }),
);

export const ObservationCorrected = defineEvent(
  'ObservationCorrected',
  z.object({
    country: countryCode,
    indicator: indicatorCode,
    year: observationYear,
    value: observationValue,
    previous: observationValue.nullable(),
    reason: z.string().min(3).max(500),
  }),
);

export type SeriesEvent = DomainEventOf<typeof ObservationsRecorded> | DomainEventOf<typeof ObservationCorrected>;

export interface SeriesState {
  readonly exists: boolean;
  readonly values: ReadonlyMap<number, number>;
}
export const initialSeriesState: SeriesState = { exists: false, values: new Map() };

export type SeriesCommand =
  | {
      readonly type: 'RecordObservations';
      readonly country: string;
      readonly indicator: string;
      readonly source: string;
      readonly runId: string;
      readonly observations: readonly { readonly year: number; readonly value: number }[];
    }
  | {
      readonly type: 'CorrectObservation';
      readonly country: string;
      readonly indicator: string;
      readonly year: number;
      readonly value: number;
      readonly reason: string;
    };

export const evolveSeries = (state: SeriesState, event: SeriesEvent): SeriesState => {
  const values = new Map(state.values);
  if (event.type === 'ObservationsRecorded') for (const c of event.data.changes) values.set(c.year, c.value);
  else values.set(event.data.year, event.data.value);
  return { exists: true, values };
};

/** Only what changed becomes an event: re-recording identical values decides nothing. */
export const decideSeries = (command: SeriesCommand, state: SeriesState): SeriesEvent[] => {
  switch (command.type) {
    case 'RecordObservations': {
      const latest = new Map<number, number>();
      for (const o of command.observations) latest.set(o.year, o.value); // the last row for a year wins
      const changes = [...latest]
        .filter(([year, value]) => !Object.is(state.values.get(year), value))
        .sort(([a], [b]) => a - b)
        .map(([year, value]) => ({ year, value, previous: state.values.get(year) ?? null }));
      if (changes.length === 0) return [];
      const { country, indicator, source, runId } = command;
      return [{ type: 'ObservationsRecorded', data: { country, indicator, source, runId, changes } }];
    }
    case 'CorrectObservation': {
      if (!state.exists) {
        throw notFound('SERIES_NOT_FOUND', `No data series ${command.indicator} for ${command.country}`, {
          country: command.country,
          indicator: command.indicator,
        });
      }
      const previous = state.values.get(command.year) ?? null;
      if (previous !== null && Object.is(previous, command.value)) return [];
      const { country, indicator, year, value, reason } = command;
      return [{ type: 'ObservationCorrected', data: { country, indicator, year, value, previous, reason } }];
    }
  }
};

/** The series aggregate, as the executor runs it. */
export const seriesAggregate = { initial: initialSeriesState, evolve: evolveSeries, decide: decideSeries };

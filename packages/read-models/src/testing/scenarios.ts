import { ObservationCorrected, ObservationsRecorded, seriesStreamId } from '@nationpulse/domain';
import { eventFactory } from './events.ts';

/**
 * A realistic history of three series (FRA population and GDP, the World aggregate, Germany):
 * a first ingestion, corrections of an older year and of the latest year, a later ingestion
 * adding a newer and an older year (changes out of order), another changing an older year.
 * Positions start at 41, three apart; occurredAt one minute apart from 2026-03-01T09:01:00Z.
 */
export const seriesHistory = () => {
  const event = eventFactory();
  const pop = 'SP.POP.TOTL';
  const gdp = 'NY.GDP.MKTP.CD';
  const ingestion = { actor: 'scheduler' };
  return [
    /* 0 @41 */ event(
      ObservationsRecorded,
      {
        country: 'FRA',
        indicator: pop,
        source: 'worldbank-api',
        runId: 'run-1',
        changes: [
          { year: 2019, value: 67_248_926, previous: null },
          { year: 2020, value: 67_571_107, previous: null },
          { year: 2021, value: 67_764_304, previous: null },
        ],
      },
      { ...ingestion, streamId: seriesStreamId('FRA', pop) },
    ),
    /* 1 @44 */ event(
      ObservationsRecorded,
      {
        country: 'WLD',
        indicator: pop,
        source: 'worldbank-api',
        runId: 'run-1',
        changes: [
          { year: 2020, value: 7_820_206_000, previous: null },
          { year: 2021, value: 7_888_963_000, previous: null },
        ],
      },
      { ...ingestion, streamId: seriesStreamId('WLD', pop) },
    ),
    /* 2 @47 */ event(
      ObservationsRecorded,
      { country: 'FRA', indicator: gdp, source: 'worldbank-api', runId: 'run-1', changes: [{ year: 2021, value: 2_959_355_819_170.5, previous: null }] },
      { ...ingestion, streamId: seriesStreamId('FRA', gdp) },
    ),
    /* 3 @50 */ event(
      ObservationCorrected,
      { country: 'FRA', indicator: pop, year: 2019, value: 67_250_000, previous: 67_248_926, reason: 'INSEE revised estimate' },
      { actor: 'u-analyst', streamId: seriesStreamId('FRA', pop) },
    ),
    /* 4 @53 */ event(
      ObservationCorrected,
      { country: 'FRA', indicator: pop, year: 2021, value: 67_800_000, previous: 67_764_304, reason: 'Census 2021 final figure' },
      { actor: 'u-admin', streamId: seriesStreamId('FRA', pop) },
    ),
    /* 5 @56 */ event(
      ObservationsRecorded,
      {
        country: 'FRA',
        indicator: pop,
        source: 'oecd-sdmx',
        runId: 'run-2',
        changes: [
          { year: 2022, value: 68_000_000, previous: null },
          { year: 2018, value: 66_900_000, previous: null },
        ],
      },
      { ...ingestion, streamId: seriesStreamId('FRA', pop) },
    ),
    /* 6 @59 */ event(
      ObservationsRecorded,
      { country: 'FRA', indicator: pop, source: 'worldbank-api', runId: 'run-3', changes: [{ year: 2020, value: 67_600_000, previous: 67_571_107 }] },
      { ...ingestion, streamId: seriesStreamId('FRA', pop) },
    ),
    /* 7 @62 */ event(
      ObservationsRecorded,
      { country: 'DEU', indicator: pop, source: 'worldbank-api', runId: 'run-3', changes: [{ year: 2021, value: 83_196_078, previous: null }] },
      { ...ingestion, streamId: seriesStreamId('DEU', pop) },
    ),
  ];
};

/** An ingestion whose changes repeat a year (decide never does it; the last value for a year wins, as in evolveSeries). */
export const repeatedYear = () =>
  eventFactory({ firstPosition: 900 })(
    ObservationsRecorded,
    {
      country: 'ITA',
      indicator: 'SP.POP.TOTL',
      source: 'file',
      runId: 'run-9',
      changes: [
        { year: 2021, value: 59_000_000, previous: null },
        { year: 2020, value: 59_400_000, previous: null },
        { year: 2021, value: 59_100_000, previous: null },
      ],
    },
    { streamId: seriesStreamId('ITA', 'SP.POP.TOTL') },
  );

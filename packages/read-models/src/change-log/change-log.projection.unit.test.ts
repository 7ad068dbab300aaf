import { PermissionGranted, ReportGenerated } from '@nationpulse/domain';
import { describe, expect, it } from 'vitest';
import type { ChangeLogDoc } from '../documents.ts';
import { eventFactory } from '../testing/events.ts';
import { expectAtLeastOnceSafe, expectIgnoresOtherEvents } from '../testing/expectations.ts';
import { documentsOf, runProjection } from '../testing/projection-harness.ts';
import { repeatedYear, seriesHistory } from '../testing/scenarios.ts';
import { changeLogProjection as projection } from './change-log.projection.ts';

const id = (n: number) => `0195a1b2-c3d4-4e5f-8a6b-${n.toString(16).padStart(12, '0')}`;
const at = (n: number) => `2026-03-01T09:${String(n).padStart(2, '0')}:00.000Z`;

describe('change-log projection', () => {
  it('declares its name, version, event types, collection and indexes', () => {
    expect(projection.name).toBe('change-log');
    expect(projection.version).toBe(1);
    expect([...projection.eventTypes].sort()).toEqual(['ObservationCorrected', 'ObservationsRecorded']);
    expect(projection.collections).toEqual([
      { name: 'change_log', indexes: [['country', 'indicator', 'year'], ['runId'], ['at']] },
    ]);
  });

  it('keeps one entry per changed value, ingested or corrected, with what it replaced, who, when and where', () => {
    const docs = documentsOf(runProjection(projection, seriesHistory()), 'change_log');
    const ingested = { kind: 'ingested', reason: null, actor: 'scheduler' } as const;
    const pop = { indicator: 'SP.POP.TOTL' } as const;
    expect(docs).toEqual({
      [`${id(1)}:2019`]: { country: 'FRA', ...pop, year: 2019, value: 67_248_926, previous: null, ...ingested, source: 'worldbank-api', runId: 'run-1', at: at(1), eventId: id(1), position: 41 },
      [`${id(1)}:2020`]: { country: 'FRA', ...pop, year: 2020, value: 67_571_107, previous: null, ...ingested, source: 'worldbank-api', runId: 'run-1', at: at(1), eventId: id(1), position: 41 },
      [`${id(1)}:2021`]: { country: 'FRA', ...pop, year: 2021, value: 67_764_304, previous: null, ...ingested, source: 'worldbank-api', runId: 'run-1', at: at(1), eventId: id(1), position: 41 },
      [`${id(2)}:2020`]: { country: 'WLD', ...pop, year: 2020, value: 7_820_206_000, previous: null, ...ingested, source: 'worldbank-api', runId: 'run-1', at: at(2), eventId: id(2), position: 44 },
      [`${id(2)}:2021`]: { country: 'WLD', ...pop, year: 2021, value: 7_888_963_000, previous: null, ...ingested, source: 'worldbank-api', runId: 'run-1', at: at(2), eventId: id(2), position: 44 },
      [`${id(3)}:2021`]: {
        country: 'FRA',
        indicator: 'NY.GDP.MKTP.CD',
        year: 2021,
        value: 2_959_355_819_170.5,
        previous: null,
        ...ingested,
        source: 'worldbank-api',
        runId: 'run-1',
        at: at(3),
        eventId: id(3),
        position: 47,
      },
      [`${id(4)}:2019`]: {
        country: 'FRA',
        ...pop,
        year: 2019,
        value: 67_250_000,
        previous: 67_248_926,
        kind: 'corrected',
        source: 'correction',
        runId: null,
        reason: 'INSEE revised estimate',
        actor: 'u-analyst',
        at: at(4),
        eventId: id(4),
        position: 50,
      },
      [`${id(5)}:2021`]: {
        country: 'FRA',
        ...pop,
        year: 2021,
        value: 67_800_000,
        previous: 67_764_304,
        kind: 'corrected',
        source: 'correction',
        runId: null,
        reason: 'Census 2021 final figure',
        actor: 'u-admin',
        at: at(5),
        eventId: id(5),
        position: 53,
      },
      [`${id(6)}:2018`]: { country: 'FRA', ...pop, year: 2018, value: 66_900_000, previous: null, ...ingested, source: 'oecd-sdmx', runId: 'run-2', at: at(6), eventId: id(6), position: 56 },
      [`${id(6)}:2022`]: { country: 'FRA', ...pop, year: 2022, value: 68_000_000, previous: null, ...ingested, source: 'oecd-sdmx', runId: 'run-2', at: at(6), eventId: id(6), position: 56 },
      [`${id(7)}:2020`]: { country: 'FRA', ...pop, year: 2020, value: 67_600_000, previous: 67_571_107, ...ingested, source: 'worldbank-api', runId: 'run-3', at: at(7), eventId: id(7), position: 59 },
      [`${id(8)}:2021`]: { country: 'DEU', ...pop, year: 2021, value: 83_196_078, previous: null, ...ingested, source: 'worldbank-api', runId: 'run-3', at: at(8), eventId: id(8), position: 62 },
    });
  });

  it('answers "as of": the last entry at or before a time gives the value then', () => {
    const docs = Object.values(documentsOf<ChangeLogDoc>(runProjection(projection, seriesHistory()), 'change_log'));
    const asOf = (time: string, year: number) =>
      docs.filter((d) => d.country === 'FRA' && d.indicator === 'SP.POP.TOTL' && d.year === year && d.at <= time).sort((a, b) => b.position - a.position)[0]?.value ?? null;
    expect(asOf(at(4), 2021)).toBe(67_764_304);
    expect(asOf(at(5), 2021)).toBe(67_800_000);
    expect(asOf(at(5), 2022)).toBeNull();
  });

  it('logs a repeated year once, with its last value', () => {
    const event = repeatedYear();
    const docs = documentsOf(runProjection(projection, [event]), 'change_log');
    expect(Object.keys(docs)).toEqual([`${event.metadata.eventId}:2020`, `${event.metadata.eventId}:2021`]);
    expect(docs[`${event.metadata.eventId}:2021`]).toMatchObject({ value: 59_100_000, previous: null, source: 'file', runId: 'run-9' });
  });

  it('gives identical state when events are delivered again, in full or resumed mid-way', () => {
    expect(expectAtLeastOnceSafe(projection, seriesHistory())).toBeGreaterThan(50);
  });

  it('ignores other event types', () => {
    const event = eventFactory();
    expectIgnoresOtherEvents(projection, [
      event(PermissionGranted, { userId: 'u-1', permission: 'data:correct' }),
      event(ReportGenerated, {
        reportId: 'rep-1',
        artifact: { uri: 'file:///r/rep-1.csv', fileName: 'rep-1.csv', contentType: 'text/csv', sizeBytes: 10, sha256: 'a'.repeat(64) },
        rows: 1,
        attempt: 1,
      }),
    ]);
  });
});

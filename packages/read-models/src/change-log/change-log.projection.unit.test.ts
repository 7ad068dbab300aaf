import { ObservationsRecorded, PermissionGranted, ReportGenerated } from '@nationpulse/domain';
import { describe, expect, it } from 'vitest';
import type { ChangeSetDoc } from '../documents.ts';
import { eventFactory } from '../testing/events.ts';
import { expectAtLeastOnceSafe, expectIgnoresOtherEvents } from '../testing/expectations.ts';
import { documentsOf, runProjection } from '../testing/projection-harness.ts';
import { repeatedYear, seriesHistory } from '../testing/scenarios.ts';
import { changeLogEntries, changeLogProjection as projection } from './change-log.projection.ts';

const id = (n: number) => `0195a1b2-c3d4-4e5f-8a6b-${n.toString(16).padStart(12, '0')}`;
const at = (n: number) => `2026-03-01T09:${String(n).padStart(2, '0')}:00.000Z`;

describe('change-log projection', () => {
  it('declares its name, version, event types, collection, indexes and the collection v1 wrote', () => {
    expect(projection.name).toBe('change-log');
    expect(projection.version).toBe(2);
    expect([...projection.eventTypes].sort()).toEqual(['ObservationCorrected', 'ObservationsRecorded']);
    expect(projection.collections).toEqual([{ name: 'change_sets', indexes: [['country', 'indicator'], ['runId', 'position'], ['at', 'position']] }]);
    expect(projection.retiredCollections).toEqual(['change_log']);
  });

  it('keeps one change set per event, ingested or corrected: its values by year with what they replaced, who, when and where', () => {
    const docs = documentsOf(runProjection(projection, seriesHistory()), 'change_sets');
    const ingested = { kind: 'ingested', reason: null, actor: 'scheduler' } as const;
    const pop = { indicator: 'SP.POP.TOTL' } as const;
    const context = (n: number, position: number) => ({ at: at(n), eventId: id(n), position });
    expect(docs).toEqual({
      [id(1)]: {
        country: 'FRA',
        ...pop,
        ...ingested,
        source: 'worldbank-api',
        runId: 'run-1',
        ...context(1, 41),
        changes: [
          [2019, 67_248_926, null],
          [2020, 67_571_107, null],
          [2021, 67_764_304, null],
        ],
        changeCount: 3,
      },
      [id(2)]: {
        country: 'WLD',
        ...pop,
        ...ingested,
        source: 'worldbank-api',
        runId: 'run-1',
        ...context(2, 44),
        changes: [
          [2020, 7_820_206_000, null],
          [2021, 7_888_963_000, null],
        ],
        changeCount: 2,
      },
      [id(3)]: {
        country: 'FRA',
        indicator: 'NY.GDP.MKTP.CD',
        ...ingested,
        source: 'worldbank-api',
        runId: 'run-1',
        ...context(3, 47),
        changes: [[2021, 2_959_355_819_170.5, null]],
        changeCount: 1,
      },
      [id(4)]: {
        country: 'FRA',
        ...pop,
        kind: 'corrected',
        source: 'correction',
        runId: null,
        reason: 'INSEE revised estimate',
        actor: 'u-analyst',
        ...context(4, 50),
        changes: [[2019, 67_250_000, 67_248_926]],
        changeCount: 1,
      },
      [id(5)]: {
        country: 'FRA',
        ...pop,
        kind: 'corrected',
        source: 'correction',
        runId: null,
        reason: 'Census 2021 final figure',
        actor: 'u-admin',
        ...context(5, 53),
        changes: [[2021, 67_800_000, 67_764_304]],
        changeCount: 1,
      },
      [id(6)]: {
        country: 'FRA',
        ...pop,
        ...ingested,
        source: 'oecd-sdmx',
        runId: 'run-2',
        ...context(6, 56),
        changes: [
          [2018, 66_900_000, null],
          [2022, 68_000_000, null],
        ],
        changeCount: 2,
      },
      [id(7)]: {
        country: 'FRA',
        ...pop,
        ...ingested,
        source: 'worldbank-api',
        runId: 'run-3',
        ...context(7, 59),
        changes: [[2020, 67_600_000, 67_571_107]],
        changeCount: 1,
      },
      [id(8)]: {
        country: 'DEU',
        ...pop,
        ...ingested,
        source: 'worldbank-api',
        runId: 'run-3',
        ...context(8, 62),
        changes: [[2021, 83_196_078, null]],
        changeCount: 1,
      },
    });
  });

  it('unwinds a change set into entries, one per value, each with its context', () => {
    const sets = Object.values(documentsOf<ChangeSetDoc>(runProjection(projection, seriesHistory()), 'change_sets'));
    const entries = sets.flatMap(changeLogEntries);
    expect(entries).toHaveLength(12);
    expect(entries[0]).toEqual({
      country: 'FRA',
      indicator: 'SP.POP.TOTL',
      year: 2019,
      value: 67_248_926,
      previous: null,
      kind: 'ingested',
      source: 'worldbank-api',
      runId: 'run-1',
      reason: null,
      actor: 'scheduler',
      at: at(1),
      eventId: id(1),
      position: 41,
    });
    // "As of": the last entry at or before a time gives the value then.
    const asOf = (time: string, year: number) =>
      entries.filter((e) => e.country === 'FRA' && e.indicator === 'SP.POP.TOTL' && e.year === year && e.at <= time).sort((a, b) => b.position - a.position)[0]?.value ?? null;
    expect(asOf(at(4), 2021)).toBe(67_764_304);
    expect(asOf(at(5), 2021)).toBe(67_800_000);
    expect(asOf(at(5), 2022)).toBeNull();
  });

  it('logs a repeated year once, with its last value, and nothing for an event without changes', () => {
    const event = repeatedYear();
    const docs = documentsOf<ChangeSetDoc>(runProjection(projection, [event]), 'change_sets');
    expect(Object.keys(docs)).toEqual([event.metadata.eventId]);
    expect(docs[event.metadata.eventId]).toMatchObject({
      source: 'file',
      runId: 'run-9',
      changes: [
        [2020, 59_400_000, null],
        [2021, 59_100_000, null],
      ],
      changeCount: 2,
    });
    const empty = eventFactory()(ObservationsRecorded, { country: 'FRA', indicator: 'SP.POP.TOTL', source: 'file', runId: 'run-9', changes: [] });
    expect(projection.touches(empty)).toEqual([]);
    expect(documentsOf(runProjection(projection, [empty]), 'change_sets')).toEqual({});
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

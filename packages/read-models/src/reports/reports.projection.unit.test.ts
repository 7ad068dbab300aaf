import { IngestionRunFailed, ReportFailed, ReportGenerated, ReportRequested, reportStreamId, UserRegistered } from '@nationpulse/domain';
import { describe, expect, it } from 'vitest';
import { eventFactory } from '../testing/events.ts';
import { expectAtLeastOnceSafe, expectIgnoresOtherEvents } from '../testing/expectations.ts';
import { documentsOf, positionsOf, runProjection } from '../testing/projection-harness.ts';
import { reportsProjection as projection } from './reports.projection.ts';

const at = (n: number) => `2026-03-01T09:${String(n).padStart(2, '0')}:00.000Z`;
const artifact = {
  uri: 'file:///var/nationpulse/reports/rep-1.csv',
  fileName: 'france-2000-2023.csv',
  contentType: 'text/csv; charset=utf-8',
  sizeBytes: 48_213,
  sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
};

const history = () => {
  const event = eventFactory();
  return [
    /* 1 @41 */ event(
      ReportRequested,
      { reportId: 'rep-1', requestedBy: 'u-ada', spec: { kind: 'country-profile', country: 'FRA', fromYear: 2000, toYear: 2023 }, format: 'csv' },
      { streamId: reportStreamId('rep-1'), actor: 'u-ada' },
    ),
    /* 2 @44 */ event(
      ReportRequested,
      { reportId: 'rep-2', requestedBy: 'u-bob', spec: { kind: 'ranking', indicator: 'SP.DYN.LE00.IN', year: 2021, order: 'desc' }, format: 'xlsx' },
      { streamId: reportStreamId('rep-2'), actor: 'u-bob' },
    ),
    /* 3 @47 */ event(ReportGenerated, { reportId: 'rep-1', artifact, rows: 24, attempt: 1 }, { streamId: reportStreamId('rep-1'), actor: 'reporting' }),
    /* 4 @50 */ event(ReportFailed, { reportId: 'rep-2', reason: 'timeout', message: 'Generation took longer than 60s', attempts: 3 }, { streamId: reportStreamId('rep-2'), actor: 'reporting' }),
    /* 5 @53 */ event(
      ReportRequested,
      { reportId: 'rep-3', requestedBy: 'u-ada', spec: { kind: 'indicator-all-countries', indicator: 'SP.POP.TOTL', fromYear: 2020, toYear: 2022 }, format: 'xlsx' },
      { streamId: reportStreamId('rep-3'), actor: 'u-ada' },
    ),
  ];
};

describe('reports projection', () => {
  it('declares its name, version, event types, collection and index', () => {
    expect(projection.name).toBe('reports');
    expect(projection.version).toBe(1);
    expect([...projection.eventTypes].sort()).toEqual(['ReportFailed', 'ReportGenerated', 'ReportRequested']);
    expect(projection.collections).toEqual([{ name: 'reports', indexes: [['requestedBy', 'requestedAt']] }]);
  });

  it('keeps every report from its request to its outcome', () => {
    const state = runProjection(projection, history());
    expect(documentsOf(state, 'reports')).toEqual({
      'rep-1': {
        reportId: 'rep-1',
        requestedBy: 'u-ada',
        spec: { kind: 'country-profile', country: 'FRA', fromYear: 2000, toYear: 2023 },
        format: 'csv',
        status: 'generated',
        requestedAt: at(1),
        updatedAt: at(3),
        artifact,
        rows: 24,
        failure: null,
      },
      'rep-2': {
        reportId: 'rep-2',
        requestedBy: 'u-bob',
        spec: { kind: 'ranking', indicator: 'SP.DYN.LE00.IN', year: 2021, order: 'desc' },
        format: 'xlsx',
        status: 'failed',
        requestedAt: at(2),
        updatedAt: at(4),
        artifact: null,
        rows: null,
        failure: { reason: 'timeout', message: 'Generation took longer than 60s', attempts: 3 },
      },
      'rep-3': {
        reportId: 'rep-3',
        requestedBy: 'u-ada',
        spec: { kind: 'indicator-all-countries', indicator: 'SP.POP.TOTL', fromYear: 2020, toYear: 2022 },
        format: 'xlsx',
        status: 'requested',
        requestedAt: at(5),
        updatedAt: at(5),
        artifact: null,
        rows: null,
        failure: null,
      },
    });
    expect(positionsOf(state, 'reports')).toEqual({ 'rep-1': 47, 'rep-2': 50, 'rep-3': 53 });
  });

  it('ignores an outcome without its request', () => {
    const [, , generated, failed] = history();
    expect(documentsOf(runProjection(projection, [generated!, failed!]), 'reports')).toEqual({});
  });

  it('gives identical state when events are delivered again, in full or resumed mid-way', () => {
    expect(expectAtLeastOnceSafe(projection, history())).toBeGreaterThan(20);
  });

  it('ignores other event types', () => {
    const event = eventFactory();
    expectIgnoresOtherEvents(projection, [
      event(UserRegistered, { userId: 'u-1', username: 'ada', displayName: 'Ada' }),
      event(IngestionRunFailed, { runId: 'run-1', reason: 'boom', durationMs: 1 }),
    ]);
  });
});

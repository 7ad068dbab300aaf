import { IngestionRunCompleted, IngestionRunFailed, IngestionRunStarted, ingestionRunStreamId, ObservationsRecorded, ReportFailed } from '@nationpulse/domain';
import { describe, expect, it } from 'vitest';
import { eventFactory } from '../testing/events.ts';
import { expectAtLeastOnceSafe, expectIgnoresOtherEvents } from '../testing/expectations.ts';
import { documentsOf, positionsOf, runProjection } from '../testing/projection-harness.ts';
import { ingestionRunsProjection as projection } from './ingestion-runs.projection.ts';

const at = (n: number) => `2026-03-01T09:${String(n).padStart(2, '0')}:00.000Z`;

const history = () => {
  const event = eventFactory();
  const one = { streamId: ingestionRunStreamId('run-1') };
  const two = { streamId: ingestionRunStreamId('run-2') };
  const three = { streamId: ingestionRunStreamId('run-3') };
  return [
    /* 1 @41 */ event(
      IngestionRunStarted,
      { runId: 'run-1', source: 'worldbank-api', dataset: 'wdi', trigger: 'schedule', parameters: { indicators: 'SP.POP.TOTL,SP.DYN.LE00.IN', fromYear: 2000, full: false } },
      { ...one, actor: 'scheduler' },
    ),
    /* 2 @44 */ event(IngestionRunStarted, { runId: 'run-2', source: 'file', dataset: 'upload.csv', trigger: 'manual', parameters: { path: '/data/upload.csv' } }, { ...two, actor: 'u-admin' }),
    /* 3 @47 */ event(
      IngestionRunCompleted,
      {
        runId: 'run-1',
        rowsRead: 26_000,
        rowsChanged: 1_200,
        rowsUnchanged: 24_798,
        rowsRejected: 2,
        seriesChanged: 40,
        rejected: [
          { row: 17, reason: 'unknown country XKX', raw: 'XKX,SP.POP.TOTL,2020,1775378' },
          { row: 905, reason: 'value is not a number' },
        ],
        durationMs: 8_412.5,
      },
      { ...one, actor: 'scheduler' },
    ),
    /* 4 @50 */ event(IngestionRunFailed, { runId: 'run-2', reason: 'header row missing column "year"', durationMs: 31 }, { ...two, actor: 'u-admin' }),
    /* 5 @53 */ event(IngestionRunStarted, { runId: 'run-3', source: 'oecd-sdmx', dataset: 'OECD.SDD.NAD', trigger: 'startup', parameters: {} }, { ...three, actor: 'system' }),
  ];
};

const pending = { finishedAt: null, rowsRead: null, rowsChanged: null, rowsUnchanged: null, rowsRejected: null, seriesChanged: null, rejected: [], failureReason: null, durationMs: null };

describe('ingestion-runs projection', () => {
  it('declares its name, version, event types, collection and index', () => {
    expect(projection.name).toBe('ingestion-runs');
    expect(projection.version).toBe(1);
    expect([...projection.eventTypes].sort()).toEqual(['IngestionRunCompleted', 'IngestionRunFailed', 'IngestionRunStarted']);
    expect(projection.collections).toEqual([{ name: 'ingestion_runs', indexes: [['startedAt']] }]);
  });

  it('keeps every run from its start to its outcome', () => {
    const state = runProjection(projection, history());
    expect(documentsOf(state, 'ingestion_runs')).toEqual({
      'run-1': {
        runId: 'run-1',
        source: 'worldbank-api',
        dataset: 'wdi',
        trigger: 'schedule',
        actor: 'scheduler',
        parameters: { indicators: 'SP.POP.TOTL,SP.DYN.LE00.IN', fromYear: 2000, full: false },
        status: 'completed',
        startedAt: at(1),
        finishedAt: at(3),
        rowsRead: 26_000,
        rowsChanged: 1_200,
        rowsUnchanged: 24_798,
        rowsRejected: 2,
        seriesChanged: 40,
        rejected: [
          { row: 17, reason: 'unknown country XKX', raw: 'XKX,SP.POP.TOTL,2020,1775378' },
          { row: 905, reason: 'value is not a number' },
        ],
        failureReason: null,
        durationMs: 8_412.5,
      },
      'run-2': {
        runId: 'run-2',
        source: 'file',
        dataset: 'upload.csv',
        trigger: 'manual',
        actor: 'u-admin',
        parameters: { path: '/data/upload.csv' },
        status: 'failed',
        startedAt: at(2),
        ...pending,
        finishedAt: at(4),
        failureReason: 'header row missing column "year"',
        durationMs: 31,
      },
      'run-3': { runId: 'run-3', source: 'oecd-sdmx', dataset: 'OECD.SDD.NAD', trigger: 'startup', actor: 'system', parameters: {}, status: 'running', startedAt: at(5), ...pending },
    });
    expect(positionsOf(state, 'ingestion_runs')).toEqual({ 'run-1': 47, 'run-2': 50, 'run-3': 53 });
  });

  it('shows a run as running until its outcome', () => {
    const docs = documentsOf(runProjection(projection, history().slice(0, 2)), 'ingestion_runs');
    expect(docs['run-1']).toMatchObject({ status: 'running', ...pending });
  });

  it('ignores an outcome without its start', () => {
    const [, , completed] = history();
    expect(documentsOf(runProjection(projection, [completed!]), 'ingestion_runs')).toEqual({});
  });

  it('gives identical state when events are delivered again, in full or resumed mid-way', () => {
    expect(expectAtLeastOnceSafe(projection, history())).toBeGreaterThan(20);
  });

  it('ignores other event types', () => {
    const event = eventFactory();
    expectIgnoresOtherEvents(projection, [
      event(ObservationsRecorded, { country: 'FRA', indicator: 'SP.POP.TOTL', source: 'file', runId: 'run-1', changes: [{ year: 2020, value: 1, previous: null }] }),
      event(ReportFailed, { reportId: 'rep-1', reason: 'timeout', message: 'took too long', attempts: 3 }),
    ]);
  });
});

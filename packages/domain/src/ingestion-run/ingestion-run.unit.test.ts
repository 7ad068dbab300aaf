import { describe, it } from 'vitest';
import { specification } from '../testing/specification.ts';
import { decideIngestionRun, evolveIngestionRun, initialIngestionRunState, type IngestionRunEvent } from './ingestion-run.ts';

const { given } = specification(decideIngestionRun, evolveIngestionRun, initialIngestionRunState);
const runId = 'r1';
const startedData = { runId, source: 'file' as const, dataset: 'wdi', trigger: 'manual' as const, parameters: { path: '/tmp/x.csv' } };
const started: IngestionRunEvent = { type: 'IngestionRunStarted', data: startedData };
const counts = { runId, rowsRead: 10, rowsChanged: 7, rowsUnchanged: 2, rowsRejected: 1, seriesChanged: 2, rejected: [{ row: 4, reason: 'value is not a number' }], durationMs: 12 };

describe('ingestion run', () => {
  it('starts once', () => {
    given().when({ type: 'StartIngestionRun', ...startedData }).then(started);
    given(started).when({ type: 'StartIngestionRun', ...startedData }).thenFails('RUN_ALREADY_STARTED');
  });

  it('completes a running run with its counts and rejected rows', () => {
    given(started).when({ type: 'CompleteIngestionRun', ...counts }).then({ type: 'IngestionRunCompleted', data: counts });
  });

  it('fails a running run with a reason', () => {
    given(started)
      .when({ type: 'FailIngestionRun', runId, reason: 'wrong header', durationMs: 3 })
      .then({ type: 'IngestionRunFailed', data: { runId, reason: 'wrong header', durationMs: 3 } });
  });

  it('refuses to finish a run twice or one never started', () => {
    given(started, { type: 'IngestionRunCompleted', data: counts }).when({ type: 'FailIngestionRun', runId, reason: 'late', durationMs: 1 }).thenFails('RUN_ALREADY_FINISHED');
    given().when({ type: 'CompleteIngestionRun', ...counts }).thenFails('RUN_NOT_FOUND');
  });
});

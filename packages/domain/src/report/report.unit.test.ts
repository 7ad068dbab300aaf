import { describe, it } from 'vitest';
import { specification } from '../testing/specification.ts';
import { decideReport, evolveReport, initialReportState, type ReportEvent } from './report.ts';

const { given } = specification(decideReport, evolveReport, initialReportState);
const reportId = 'rep-1';
const spec = { kind: 'ranking' as const, indicator: 'SP.POP.TOTL', year: 2020, order: 'desc' as const };
const requested: ReportEvent = { type: 'ReportRequested', data: { reportId, requestedBy: 'u1', spec, format: 'csv' } };
const artifact = { uri: 'file://reports/rep-1.csv', fileName: 'rep-1.csv', contentType: 'text/csv', sizeBytes: 10, sha256: 'a'.repeat(64) };
const generated: ReportEvent = { type: 'ReportGenerated', data: { reportId, artifact, rows: 3, attempt: 1 } };

describe('report', () => {
  it('is requested once', () => {
    given().when({ type: 'RequestReport', reportId, requestedBy: 'u1', spec, format: 'csv' }).then(requested);
    given(requested).when({ type: 'RequestReport', reportId, requestedBy: 'u1', spec, format: 'csv' }).thenFails('REPORT_ALREADY_REQUESTED');
  });

  it('records the generated artifact', () => {
    given(requested).when({ type: 'RecordReportGenerated', reportId, artifact, rows: 3, attempt: 1 }).then(generated);
  });

  it('ignores a duplicated or late outcome for a finished report', () => {
    given(requested, generated).when({ type: 'RecordReportGenerated', reportId, artifact, rows: 3, attempt: 1 }).thenNothing();
    given(requested, generated).when({ type: 'RecordReportFailed', reportId, reason: 'timeout', message: 'late', attempts: 3 }).thenNothing();
  });

  it('fails a pending report (compensation after the last attempt)', () => {
    given(requested)
      .when({ type: 'RecordReportFailed', reportId, reason: 'timeout', message: 'no outcome after 3 attempts', attempts: 3 })
      .then({ type: 'ReportFailed', data: { reportId, reason: 'timeout', message: 'no outcome after 3 attempts', attempts: 3 } });
  });

  it('retries a pending report once per attempt number (the saga\'s timeout)', () => {
    const retried: ReportEvent = { type: 'ReportRetried', data: { reportId, attempt: 2, reason: 'timeout', message: 'no outcome within 60000 ms' } };
    given(requested).when({ type: 'RetryReport', reportId, attempt: 2, reason: 'timeout', message: 'no outcome within 60000 ms' }).then(retried);
    given(requested, retried).when({ type: 'RetryReport', reportId, attempt: 2, reason: 'timeout', message: 'again' }).thenNothing();
    given(requested).when({ type: 'RetryReport', reportId, attempt: 3, reason: 'timeout', message: 'skips one' }).thenNothing();
    given(requested, generated).when({ type: 'RetryReport', reportId, attempt: 2, reason: 'timeout', message: 'late' }).thenNothing();
    given().when({ type: 'RetryReport', reportId, attempt: 2, reason: 'timeout', message: 'x' }).thenFails('REPORT_NOT_FOUND');
  });

  it('refuses outcomes for an unknown report', () => {
    given().when({ type: 'RecordReportFailed', reportId, reason: 'error', message: 'x', attempts: 1 }).thenFails('REPORT_NOT_FOUND');
  });
});

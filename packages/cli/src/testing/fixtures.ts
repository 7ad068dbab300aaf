/**
 * Answers recorded in the shapes the services define: the read API's audit queries
 * (read-api/src/queries/audit-*), the projectors' ProjectionStatus, the ingestion service's run
 * view, the write API's command receipt, the gateway's token pair and the reporting service's report answer.
 */
import { reportAnswer, type ReportAnswer } from '@nationpulse/reporting/report-answer';

export const tokenPair = (n: number) => ({ accessToken: `access-${n}`, refreshToken: `refresh-${n}`, tokenType: 'Bearer', expiresIn: 900 });

export const auditSeries = {
  country: 'FRA',
  indicator: 'SP.POP.TOTL',
  entries: [
    { year: 2020, value: 67_391_582, previous: null, kind: 'ingested', source: 'world-bank-csv', runId: '0190a1b2-run-1', reason: null, actor: 'user:admin', at: '2026-04-30T08:00:00.000Z', position: 12 },
    { year: 2020, value: 67_400_000, previous: 67_391_582, kind: 'corrected', source: 'correction', runId: null, reason: 'INSEE revision', actor: 'user:ana', at: '2026-04-30T09:15:30.000Z', position: 40 },
  ],
};

const run = {
  runId: '0190a1b2-run-1',
  source: 'world-bank-csv',
  dataset: 'SP.POP.TOTL',
  trigger: 'manual',
  actor: 'user:admin',
  status: 'completed',
  startedAt: '2026-04-30T08:00:00.000Z',
  finishedAt: '2026-04-30T08:00:01.250Z',
  durationMs: 1250,
  rowsRead: 16_758,
  rowsChanged: 16_758,
  rowsUnchanged: 0,
  rowsRejected: 1,
  seriesChanged: 266,
  failureReason: null,
};

export const auditRuns = {
  total: 2,
  limit: 20,
  offset: 0,
  runs: [
    { ...run, runId: '0190a1b2-run-2', status: 'failed', startedAt: '2026-04-30T10:00:00.000Z', finishedAt: '2026-04-30T10:00:00.100Z', durationMs: 100, rowsRead: 0, rowsChanged: 0, rowsUnchanged: 0, rowsRejected: 0, seriesChanged: 0, failureReason: 'bad header' },
    run,
  ],
};

export const auditRun = {
  ...run,
  parameters: { path: '/data/sp.pop.totl/data.csv', indicator: 'SP.POP.TOTL' },
  rejected: [{ row: 17, reason: 'value is not a number', raw: 'France,FRA,2021,n/a' }],
  changesTotal: 1,
  changes: [{ country: 'FRA', indicator: 'SP.POP.TOTL', ...auditSeries.entries[0]! }],
};

export const auditChanges = {
  total: 3,
  limit: 2,
  offset: 0,
  changes: [
    { country: 'FRA', indicator: 'SP.POP.TOTL', ...auditSeries.entries[1]! },
    { country: 'DEU', indicator: 'SP.POP.TOTL', year: 2020, value: 83_160_871, previous: null, kind: 'ingested', source: 'world-bank-csv', runId: '0190a1b2-run-1', reason: null, actor: 'user:admin', at: '2026-04-30T08:00:00.000Z', position: 11 },
  ],
};

export const asOf = {
  country: 'FRA',
  at: '2026-04-30T08:30:00.000Z',
  indicators: [
    { indicator: 'SP.DYN.LE00.IN', year: 2021, value: 82.32 },
    { indicator: 'SP.POP.TOTL', year: 2020, value: 67_391_582 },
  ],
};

export const projectionStatus = (overrides: Record<string, unknown> = {}) => ({
  name: 'series',
  version: 2,
  status: 'live',
  position: 100,
  head: 100,
  lag: 0,
  rebuild: null,
  error: null,
  ...overrides,
});

export const ingestionRun = (status: 'running' | 'completed' | 'failed', percent: number) => ({
  runId: '0190a1b2-run-3',
  dataset: 'world-bank-csv:SP.POP.TOTL',
  spec: { kind: 'world-bank-csv', path: '/data/wdi/sp.pop.totl', indicator: 'SP.POP.TOTL' },
  trigger: 'manual',
  actor: 'user:admin',
  status,
  startedAt: '2026-04-30T08:00:00.000Z',
  finishedAt: status === 'running' ? null : '2026-04-30T08:00:02.000Z',
  progress: { rowsRead: Math.round(16_758 * (percent / 100)), rowsRejected: 0, seriesDone: Math.round(266 * (percent / 100)), percent },
  position: status === 'running' ? 7 : 290,
  summary:
    status === 'completed'
      ? { rowsRead: 16_758, rowsChanged: 120, rowsUnchanged: 16_638, rowsRejected: 0, seriesChanged: 12, seriesEvents: 12, rejected: [], durationMs: 2000 }
      : null,
  reason: status === 'failed' ? 'The file header is not the World Bank one' : null,
});

/** The reporting service's answer, checked against its own schema: a fixture that drifts from it fails. */
export const reportStatus = (status: ReportAnswer['status'], artifact: { sizeBytes: number; sha256: string } | null = null): ReportAnswer =>
  reportAnswer.parse({
    reportId: '0190a1b2-report-1',
    requestedBy: 'user:ana',
    spec: { kind: 'ranking', indicator: 'SP.POP.TOTL', year: 2020, order: 'desc' },
    format: 'csv',
    status,
    attempts: status === 'failed' ? 3 : 1,
    requestedAt: '2026-04-30T08:00:00.000Z',
    updatedAt: '2026-04-30T08:00:03.000Z',
    artifact: artifact ? { fileName: 'ranking-SP.POP.TOTL-2020.csv', contentType: 'text/csv', ...artifact } : null,
    rows: artifact ? 217 : null,
    failure: status === 'failed' ? { reason: 'timeout', message: 'generation timed out' } : null,
    position: 42,
  });

export const pulse = (down: string[] = []) => ({
  status: down.length === 0 ? 'up' : 'degraded',
  checkedAt: '2026-04-30T08:00:00.000Z',
  services: ['write-api', 'read-api', 'projectors', 'ingestion', 'reporting', 'read-store', 'cache'].map((name, i) => ({
    name,
    status: down.includes(name) ? 'down' : 'up',
    latencyMs: 1 + i,
    details: down.includes(name) ? { error: 'connect ECONNREFUSED 127.0.0.1:8082' } : {},
  })),
});

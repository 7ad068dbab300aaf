import { ApiError, type ApiClient } from './client.ts';
import type {
  AccessChangeList,
  AsOf,
  ChangeList,
  CommandReceipt,
  Comparison,
  CountryList,
  CountryProfile,
  Dashboard,
  DashboardId,
  IndicatorList,
  IngestionSource,
  Me,
  ProjectionStatus,
  Rankings,
  Report,
  ReportFormat,
  ReportSpec,
  RunDetail,
  RunList,
  Series,
  SeriesHistory,
  User,
} from './types.ts';

const enc = encodeURIComponent;

/** The public API, one function per path (docs: ARCHITECTURE.md "Public API"). */
export const endpoints = (api: ApiClient) => ({
  me: () => api.get<Me>('/api/v1/auth/me'),

  countries: () => api.get<CountryList>('/api/v1/countries'),
  country: (iso3: string) => api.get<CountryProfile>(`/api/v1/countries/${enc(iso3)}`),
  indicators: () => api.get<IndicatorList>('/api/v1/indicators'),
  series: (iso3: string, indicator: string, range: { from?: number; to?: number } = {}) =>
    api.get<Series>(`/api/v1/series/${enc(iso3)}/${enc(indicator)}`, range),
  rankings: (indicator: string, q: { year?: number | null; limit?: number; order?: 'asc' | 'desc' } = {}) =>
    api.get<Rankings>(`/api/v1/rankings/${enc(indicator)}`, q),
  dashboard: (id: DashboardId, year?: number | null) => api.get<Dashboard>(`/api/v1/dashboard/${id}`, { year }),
  compare: (indicator: string, countries: readonly string[], range: { from?: number; to?: number } = {}) =>
    api.get<Comparison>(`/api/v1/compare/${enc(indicator)}`, { countries: countries.join(','), ...range }),

  auditSeries: (iso3: string, indicator: string, year?: number) =>
    api.get<SeriesHistory>(`/api/v1/audit/series/${enc(iso3)}/${enc(indicator)}`, { year }),
  auditRuns: (limit = 20, offset = 0) => api.get<RunList>('/api/v1/audit/runs', { limit, offset }),
  auditRun: (runId: string) => api.get<RunDetail>(`/api/v1/audit/runs/${enc(runId)}`),
  auditChanges: (q: { from?: string; to?: string; source?: string; actor?: string; limit?: number; offset?: number }) =>
    api.get<ChangeList>('/api/v1/audit/changes', q),
  asOf: (at: string, country: string) => api.get<AsOf>('/api/v1/asof', { at, country }),
  auditAccess: (q: { userId?: string; limit?: number; offset?: number } = {}) => api.get<AccessChangeList>('/api/v1/audit/access', q),

  requestReport: (spec: ReportSpec, format: ReportFormat) =>
    api.post<CommandReceipt & { reportId: string }>('/api/v1/reports', { spec, format }, { headers: { 'idempotency-key': crypto.randomUUID() } }),
  report: async (id: string): Promise<Report> => normalizeReport(await api.get<Report | ReportingReport>(`/api/v1/reports/${enc(id)}`)),
  /**
   * The signed-in user's reports, newest first (the reports read model). Null when the gateway
   * has no such path (404), and the page falls back to the reports this browser requested.
   */
  myReports: async (limit = 50): Promise<readonly Report[] | null> => {
    try {
      return (await api.get<{ reports: readonly (Report | ReportingReport)[] }>('/api/v1/reports', { limit })).reports.map(normalizeReport);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return null;
      throw error;
    }
  },
  reportFile: (id: string) => api.download(`/api/v1/reports/${enc(id)}/file`),

  /** The users read model; null when the gateway has no listing (404). */
  users: async (): Promise<readonly User[] | null> => {
    try {
      return (await api.get<{ users: readonly User[] }>('/api/v1/users')).users;
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return null;
      throw error;
    }
  },
  registerUser: (u: { username: string; password: string; displayName?: string; roles: readonly string[] }) =>
    api.post<CommandReceipt & { userId: string }>('/api/v1/users', u),
  grantRole: (userId: string, role: string) => api.post<CommandReceipt>(`/api/v1/users/${enc(userId)}/roles`, { role }),
  revokeRole: (userId: string, role: string) => api.delete<CommandReceipt>(`/api/v1/users/${enc(userId)}/roles/${enc(role)}`),
  grantPermission: (userId: string, permission: string) => api.post<CommandReceipt>(`/api/v1/users/${enc(userId)}/permissions`, { permission }),
  revokePermission: (userId: string, permission: string) =>
    api.delete<CommandReceipt>(`/api/v1/users/${enc(userId)}/permissions/${enc(permission)}`),

  triggerIngestion: (source: IngestionSource) => api.post<{ runId: string; position?: number }>('/api/v1/ingestions', source),
  ingestion: (runId: string) => api.get<IngestionProgress>(`/api/v1/ingestions/${enc(runId)}`),

  projections: () => api.get<{ projections: readonly ProjectionStatus[] }>('/api/v1/ops/projections', undefined, { minPosition: null }),
  rebuildProjection: (name: string) => api.post<{ projection: string; status: string }>(`/api/v1/ops/projections/${enc(name)}/rebuild`),
});

/** GET /api/v1/ingestions/{runId} (gateway): a run's progress; counts fill in as it goes. */
export interface IngestionProgress {
  readonly runId: string;
  readonly status: 'queued' | 'running' | 'completed' | 'failed';
  readonly rowsRead?: number | null;
  readonly rowsChanged?: number | null;
  readonly rowsRejected?: number | null;
  readonly totalRows?: number | null;
  /** Share of the input read so far, 0-100, when the source knows its size. */
  readonly percent?: number | null;
  readonly failureReason?: string | null;
}

export type Endpoints = ReturnType<typeof endpoints>;

/** The reporting service's vocabulary (pending / ready), which the gateway serves for GET /api/v1/reports/{id}. */
type ReportingReport = Omit<Report, 'status'> & { readonly status: 'pending' | 'ready' | 'failed' };
const REPORT_STATUS = { pending: 'requested', ready: 'generated' } as const;
const normalizeReport = (r: Report | ReportingReport): Report =>
  r.status === 'pending' || r.status === 'ready' ? { ...r, status: REPORT_STATUS[r.status] } : (r as Report);

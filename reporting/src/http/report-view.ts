import { eventCatalogue, evolveUser, forbidden, initialUserState, NationPulseError, notFound, reportStreamId, userStreamId, type ReportSpec } from '@nationpulse/domain';
import type { TokenService } from '@nationpulse/platform';
import type { EventStore } from '@nationpulse/ports';

export interface ReportView {
  readonly reportId: string;
  /** pending until an outcome; ready with an artifact; failed with the reason. */
  readonly status: 'pending' | 'ready' | 'failed';
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly spec: ReportSpec;
  readonly format: 'csv' | 'xlsx';
  readonly attempts: number;
  readonly artifact: { readonly fileName: string; readonly contentType: string; readonly sizeBytes: number; readonly sha256: string; readonly key: string; readonly uri: string } | null;
  readonly rows: number | null;
  readonly failure: { readonly reason: string; readonly message: string } | null;
  readonly updatedAt: string;
  /** Position of the report's last event: the consistency token. */
  readonly position: number;
}

/** A report as its own stream tells it — the source of truth, so a download never waits for a projection. */
export const loadReportView = async (eventStore: EventStore, reportId: string, artifactKeyOf: (reportId: string, attempt: number, format: string) => string): Promise<ReportView | null> => {
  let view: ReportView | null = null;
  for await (const recorded of eventStore.readStream(reportStreamId(reportId))) {
    const e = eventCatalogue.decode(recorded);
    if (!e) continue;
    const at = recorded.metadata.occurredAt;
    const data = e.data as Record<string, unknown>;
    if (e.type === 'ReportRequested') {
      view = {
        reportId,
        status: 'pending',
        requestedBy: data['requestedBy'] as string,
        requestedAt: at,
        spec: data['spec'] as ReportSpec,
        format: data['format'] as 'csv' | 'xlsx',
        attempts: 1,
        artifact: null,
        rows: null,
        failure: null,
        updatedAt: at,
        position: recorded.position,
      };
    } else if (view) {
      const current: ReportView = view;
      const position = recorded.position;
      if (e.type === 'ReportRetried') view = { ...current, attempts: data['attempt'] as number, updatedAt: at, position };
      if (e.type === 'ReportGenerated') {
        const artifact = data['artifact'] as { uri: string; fileName: string; contentType: string; sizeBytes: number; sha256: string };
        const key = artifactKeyOf(reportId, data['attempt'] as number, current.format);
        view = { ...current, status: 'ready', artifact: { ...artifact, key }, rows: data['rows'] as number, updatedAt: at, position };
      }
      if (e.type === 'ReportFailed') view = { ...current, status: 'failed', failure: { reason: data['reason'] as string, message: data['message'] as string }, updatedAt: at, position };
    }
  }
  return view;
};

export interface ReportAccess {
  /** The signed-in user's id, checked against the event store (exists, not disabled); admin or not. */
  authenticate(authorization: string | undefined): Promise<{ userId: string; admin: boolean }>;
}

export const createReportAccess = (tokens: TokenService, eventStore: EventStore): ReportAccess => ({
  async authenticate(authorization) {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const claims = await tokens.verifyAccessToken(token);
    let user = initialUserState;
    for await (const recorded of eventStore.readStream(userStreamId(claims.sub))) {
      const e = eventCatalogue.decode(recorded);
      if (e) user = evolveUser(user, { type: e.type, data: e.data } as Parameters<typeof evolveUser>[1]);
    }
    if (!user.exists) throw new NationPulseError('unauthenticated', 'USER_UNKNOWN', 'The token names no known user');
    if (user.disabled) throw forbidden('USER_DISABLED', 'This account is disabled');
    return { userId: claims.sub, admin: user.roles.has('admin') };
  },
});

/** Only the requester, or an admin, may see a report or download its file; others learn nothing more than 403. */
export const authorizeReport = (view: ReportView | null, who: { userId: string; admin: boolean }, reportId: string): ReportView => {
  if (view && (view.requestedBy === who.userId || who.admin)) return view;
  if (!view && who.admin) throw notFound('REPORT_NOT_FOUND', `No report ${reportId}`);
  throw forbidden('FORBIDDEN', 'Only the user who requested this report, or an admin, may access it');
};

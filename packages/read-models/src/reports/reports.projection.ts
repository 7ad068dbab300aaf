import { ReportFailed, ReportGenerated, ReportRequested } from '@nationpulse/domain';
import { collections, type ReportDoc } from '../documents.ts';
import { defineProjection, type ProjectedEvent } from '../projection.ts';
import { isEvent, put } from '../shared/events.ts';

const reportIdOf = (event: ProjectedEvent): string | null =>
  isEvent(event, ReportRequested) || isEvent(event, ReportGenerated) || isEvent(event, ReportFailed) ? event.data.reportId : null;

/** reports (id = reportId): a report from its request to its outcome (the artifact, or why it failed). */
export const reportsProjection = defineProjection({
  name: 'reports',
  version: 1,
  description: 'Reports: who asked for what, status, artifact or failure',
  eventTypes: [ReportRequested.type, ReportGenerated.type, ReportFailed.type],
  collections: [{ name: collections.reports, indexes: [['requestedBy', 'requestedAt']] }],
  touches(event) {
    const reportId = reportIdOf(event);
    return reportId === null ? [] : [{ collection: collections.reports, id: reportId }];
  },
  apply(event, view) {
    const at = event.metadata.occurredAt;
    if (isEvent(event, ReportRequested)) {
      const { reportId, requestedBy, spec, format } = event.data;
      return [
        put<ReportDoc>(collections.reports, reportId, {
          reportId,
          requestedBy,
          spec: { ...spec },
          format,
          status: 'requested',
          requestedAt: at,
          updatedAt: at,
          artifact: null,
          rows: null,
          failure: null,
        }),
      ];
    }
    const reportId = reportIdOf(event);
    const report = reportId === null ? null : view.get<ReportDoc>(collections.reports, reportId);
    if (!report) return []; // an outcome without its request: nothing to attach it to
    if (isEvent(event, ReportGenerated)) {
      const { artifact, rows } = event.data;
      return [put<ReportDoc>(collections.reports, report.reportId, { ...report, status: 'generated', updatedAt: at, artifact: { ...artifact }, rows, failure: null })];
    }
    if (isEvent(event, ReportFailed)) {
      const { reason, message, attempts } = event.data;
      return [put<ReportDoc>(collections.reports, report.reportId, { ...report, status: 'failed', updatedAt: at, failure: { reason, message, attempts } })];
    }
    return [];
  },
});

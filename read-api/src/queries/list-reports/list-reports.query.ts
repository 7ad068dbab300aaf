import { collections, type ReportDoc } from '@nationpulse/read-models';
import { z } from 'zod';
import { projections } from '../../query-handling/projections.ts';
import { defineQuery } from '../../query-handling/query-definition.ts';
import { fields } from '../fields.ts';

/** The statuses of GET /api/v1/reports/{id} (the reporting service's words), so a list and a report read alike. */
const STATUS = { requested: 'pending', generated: 'ready', failed: 'failed' } as const;

export const reportSummary = z.object({
  reportId: z.string(),
  status: z.enum(['pending', 'ready', 'failed']),
  requestedBy: z.string(),
  requestedAt: z.string(),
  updatedAt: z.string(),
  spec: z.record(z.string(), z.unknown()),
  format: z.string(),
  /** The file, once ready (download it from /api/v1/reports/{id}/file). */
  artifact: z.object({ fileName: z.string(), contentType: z.string(), sizeBytes: z.number().int(), sha256: z.string() }).nullable(),
  rows: z.number().int().nullable(),
  failure: z.object({ reason: z.string(), message: z.string(), attempts: z.number().int() }).nullable(),
});
export type ReportSummary = z.infer<typeof reportSummary>;

/** The artifact's storage URI stays inside the platform: clients download through the reporting service. */
const toReportSummary = (r: ReportDoc): ReportSummary => ({
  reportId: r.reportId,
  status: STATUS[r.status],
  requestedBy: r.requestedBy,
  requestedAt: r.requestedAt,
  updatedAt: r.updatedAt,
  spec: { ...r.spec },
  format: r.format,
  artifact: r.artifact ? { fileName: r.artifact.fileName, contentType: r.artifact.contentType, sizeBytes: r.artifact.sizeBytes, sha256: r.artifact.sha256 } : null,
  rows: r.rows,
  failure: r.failure ? { ...r.failure } : null,
});

export const listReportsInput = z.object({
  /** Whose reports: the HTTP route sets the signed-in user (an admin may name another). */
  requestedBy: z.string().min(1).max(200),
  limit: fields.limit.default(20),
  offset: fields.offset.default(0),
});
export const listReportsOutput = z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), reports: z.array(reportSummary) });
export type ListReportsOutput = z.infer<typeof listReportsOutput>;

/** A user's reports, newest first, from request to outcome. */
export const listReportsQuery = defineQuery({
  name: 'list-reports',
  input: listReportsInput,
  reads: [projections.reports],
  async run(input, { readStore }): Promise<ListReportsOutput> {
    const where = { requestedBy: input.requestedBy };
    const [total, docs] = await Promise.all([
      readStore.count(collections.reports, where),
      readStore.find<ReportDoc>(collections.reports, { where, orderBy: [{ field: 'requestedAt', direction: 'desc' }], limit: input.limit, offset: input.offset }),
    ]);
    return { total, limit: input.limit, offset: input.offset, reports: docs.map((d) => toReportSummary(d.doc)) };
  },
});

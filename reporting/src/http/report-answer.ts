import { z } from 'zod';

/**
 * GET /api/v1/reports/{id}: the reporting service's answer. Schemas only (zod, nothing else), so
 * clients such as the CLI check answers against the very schema the service answers with.
 */
export const reportAnswer = z.object({
  reportId: z.string(),
  status: z.enum(['pending', 'ready', 'failed']),
  requestedBy: z.string(),
  requestedAt: z.string(),
  spec: z.record(z.string(), z.unknown()),
  format: z.enum(['csv', 'xlsx']),
  attempts: z.number(),
  artifact: z.object({ fileName: z.string(), contentType: z.string(), sizeBytes: z.number(), sha256: z.string() }).nullable(),
  rows: z.number().nullable(),
  failure: z.object({ reason: z.string(), message: z.string() }).nullable(),
  updatedAt: z.string(),
  position: z.number(),
});
export type ReportAnswer = z.infer<typeof reportAnswer>;

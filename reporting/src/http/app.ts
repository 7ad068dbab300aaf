import { conflict, notFound } from '@nationpulse/domain';
import { createServiceApp, type Logger } from '@nationpulse/platform';
import type { ArtifactStore, EventStore } from '@nationpulse/ports';
import type { Registry } from 'prom-client';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { reportAnswer } from './report-answer.ts';
import { authorizeReport, loadReportView, type ReportAccess } from './report-view.ts';

export interface ReportingAppDependencies {
  readonly eventStore: EventStore;
  readonly artifacts: ArtifactStore;
  readonly access: ReportAccess;
  readonly artifactKey: (reportId: string, attempt: number, format: string) => string;
  readonly registry: Registry;
  readonly logger: Logger | false;
  readonly health: () => Promise<{ ok: boolean; details: Record<string, unknown> }>;
}

const params = z.object({ id: z.string().min(1).max(200).regex(/^[A-Za-z0-9-]+$/, 'a report id') });


/**
 * The reporting service's HTTP side: a report's status and its file, for the user who requested
 * it or an admin (403 FORBIDDEN for anyone else), read from the report's stream and the artifact
 * store. The gateway routes GET /api/v1/reports/{id} and /api/v1/reports/{id}/file here.
 */
export const buildReportingApp = async (deps: ReportingAppDependencies) => {
  const app = await createServiceApp({ title: 'NationPulse reporting', logger: deps.logger, health: deps.health });

  const authorized = async (authorization: string | undefined, reportId: string) => {
    const who = await deps.access.authenticate(authorization);
    return authorizeReport(await loadReportView(deps.eventStore, reportId, deps.artifactKey), who, reportId);
  };

  app.get(
    '/api/v1/reports/:id',
    { schema: { summary: "A report's status: pending, ready (with the file's size and SHA-256) or failed", params, response: { 200: reportAnswer } } },
    async (request, reply) => {
      const view = await authorized(request.headers.authorization, request.params.id);
      const { artifact, ...rest } = view;
      return reply
        .header('x-position', String(view.position))
        .send({ ...rest, artifact: artifact ? { fileName: artifact.fileName, contentType: artifact.contentType, sizeBytes: artifact.sizeBytes, sha256: artifact.sha256 } : null });
    },
  );

  app.get('/api/v1/reports/:id/file', { schema: { summary: "Downloads a ready report's file (the requester or an admin only)", params } }, async (request, reply) => {
    const view = await authorized(request.headers.authorization, request.params.id);
    if (view.status === 'failed') throw conflict('REPORT_FAILED', `Report ${view.reportId} failed: ${view.failure?.message ?? 'no file'}`);
    if (view.status !== 'ready' || !view.artifact) throw conflict('REPORT_NOT_READY', `Report ${view.reportId} is still being generated`);
    const stored = await deps.artifacts.stat(view.artifact.key);
    if (!stored) throw notFound('ARTIFACT_NOT_FOUND', `The file of report ${view.reportId} is no longer stored`);
    const body = Readable.from(await deps.artifacts.read(stored.key));
    return reply
      .header('content-type', stored.contentType)
      .header('content-length', String(stored.sizeBytes))
      .header('content-disposition', `attachment; filename="${stored.fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
      .header('x-checksum-sha256', stored.sha256)
      .header('etag', `"${stored.sha256}"`)
      .send(body);
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => reply.type(deps.registry.contentType).send(await deps.registry.metrics()));
  return app;
};

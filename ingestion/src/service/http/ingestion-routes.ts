import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TriggerAuthorizer } from '../access.ts';
import type { IngestionRunner } from '../ingestion-runner.ts';
import { sourceSpecSchema } from '../../sources/source-spec.ts';

export interface IngestionRoutesOptions {
  readonly runner: IngestionRunner;
  readonly authorize: TriggerAuthorizer;
}

const progress = z.object({ rowsRead: z.number(), rowsRejected: z.number(), seriesDone: z.number(), percent: z.number() });
const runView = z.object({
  runId: z.string(),
  dataset: z.string(),
  /** The spec as run (file paths resolved): its kind and that kind's parameters. */
  spec: z.looseObject({ kind: z.string() }),
  trigger: z.enum(['manual', 'schedule', 'startup']),
  actor: z.string(),
  status: z.enum(['running', 'completed', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  progress,
  position: z.number().nullable(),
  summary: z
    .object({
      rowsRead: z.number(),
      rowsChanged: z.number(),
      rowsUnchanged: z.number(),
      rowsRejected: z.number(),
      seriesChanged: z.number(),
      seriesEvents: z.number(),
      rejected: z.array(z.object({ row: z.number(), reason: z.string(), raw: z.string().optional() })).readonly(),
      durationMs: z.number(),
    })
    .nullable(),
  reason: z.string().nullable(),
});
const accepted = z.object({ runId: z.string(), dataset: z.string(), status: z.literal('running'), position: z.number() });

const authorization = (request: FastifyRequest): string | undefined => {
  const value = request.headers.authorization;
  return typeof value === 'string' ? value : undefined;
};

/** The admin API: trigger a run of a source spec, follow a run this instance started. */
export const ingestionRoutes: FastifyPluginAsyncZod<IngestionRoutesOptions> = async (app, { runner, authorize }) => {
  app.post(
    '/ingestions',
    { schema: { summary: 'Start an ingestion run (needs ingestion:trigger)', body: sourceSpecSchema, response: { 202: accepted } } },
    async (request, reply) => {
      const actor = await authorize(authorization(request));
      const { run } = await runner.trigger(request.body, { trigger: 'manual', actor });
      const position = run.position ?? 0;
      reply.header('x-position', String(position)).header('location', `${request.url.replace(/\/$/, '')}/${run.runId}`);
      return reply.status(202).send({ runId: run.runId, dataset: run.dataset, status: 'running' as const, position });
    },
  );

  app.get(
    '/ingestions/:runId',
    { schema: { summary: 'The live progress of a run started by this instance', params: z.object({ runId: z.string().min(1).max(100) }), response: { 200: runView } } },
    async (request, reply) => {
      await authorize(authorization(request));
      const run = runner.get(request.params.runId);
      if (run.position !== null) reply.header('x-position', String(run.position));
      return run;
    },
  );
};

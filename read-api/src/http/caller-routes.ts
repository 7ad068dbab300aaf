import { forbidden } from '@nationpulse/domain';
import { bearerToken, type Authenticator } from '@nationpulse/platform';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { QueryExecutor } from '../query-handling/query-executor.ts';
import { queries } from '../queries/catalogue.ts';
import { fields } from '../queries/fields.ts';
import { listReportsOutput } from '../queries/list-reports/list-reports.query.ts';
import { listUsersOutput } from '../queries/list-users/list-users.query.ts';
import { answerWith, consistency } from './answer.ts';

export interface CallerRoutesOptions {
  readonly executor: QueryExecutor;
  readonly callers: Authenticator;
}

const page = (defaultLimit: number) => ({
  limit: fields.limit.optional().describe(`1-300, default ${defaultLimit}`),
  offset: fields.offset.optional(),
});

/**
 * Queries whose answer depends on who asks: the caller is identified from the access token (401)
 * and checked against the users read model (403). Their answers are private: never kept by a
 * shared cache, nor by the micro-cache of the public queries (which keys on the URL alone).
 */
export const callerRoutes: FastifyPluginAsyncZod<CallerRoutesOptions> = async (app, { executor, callers }) => {
  const answer = answerWith(executor);
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'private, no-store');
    return payload;
  });

  app.get(
    '/users',
    {
      schema: {
        summary: 'Users with their roles, grants and effective permissions, by username (needs users:manage)',
        security: [{ bearerAuth: [] }],
        querystring: z.object({ ...page(100), ...consistency }),
        response: { 200: listUsersOutput },
      },
    },
    async (req, reply) => {
      callers.authorize(await callers.authenticate(bearerToken(req.headers.authorization)), 'users:manage');
      const { minPosition, ...rest } = req.query;
      return answer(reply, queries.listUsers, rest, minPosition);
    },
  );

  app.get(
    '/reports',
    {
      schema: {
        summary: "The signed-in user's reports, newest first, with their status and file (an admin may name another requester)",
        security: [{ bearerAuth: [] }],
        querystring: z.object({
          requestedBy: z.string().min(1).max(200).optional().describe('A user id; only an admin may name someone else. Default: the caller'),
          ...page(20),
          ...consistency,
        }),
        response: { 200: listReportsOutput },
      },
    },
    async (req, reply) => {
      const caller = await callers.authenticate(bearerToken(req.headers.authorization));
      const { minPosition, requestedBy = caller.userId, ...rest } = req.query;
      if (requestedBy !== caller.userId && !caller.roles.includes('admin')) {
        throw forbidden('FORBIDDEN', "Only an admin may list another user's reports");
      }
      return answer(reply, queries.listReports, { ...rest, requestedBy }, minPosition);
    },
  );
};

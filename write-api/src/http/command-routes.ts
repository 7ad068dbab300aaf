import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestTraceparent } from '@nationpulse/platform';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccessControl } from '../command-handling/access-control.ts';
import type { CommandContext } from '@nationpulse/event-sourcing';
import type { CommandDefinition } from '../command-handling/command-definition.ts';
import type { Dispatcher } from '../command-handling/dispatcher.ts';
import { commandContextFrom } from '../command-handling/request-context.ts';
import { commands } from '../commands/catalogue.ts';
import { registerUserInput } from '../commands/register-user/register-user.command.ts';
import { requestReportInput } from '../commands/request-report/request-report.command.ts';
import { roleSchema, permissionSchema } from '@nationpulse/domain';

export interface CommandRoutesOptions {
  readonly dispatcher: Dispatcher;
  readonly access: AccessControl;
}

const commandHeaders = z.object({
  'idempotency-key': z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'visible ASCII only').optional(),
  'if-match': z.string().regex(/^"?\d+"?$/, 'a stream revision, e.g. "3"').optional(),
});
const receipt = z.object({ streamId: z.string(), revision: z.number(), position: z.number(), replayed: z.boolean() }).loose();
const userIdParams = z.object({ userId: z.string() });

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
};

const context = (request: FastifyRequest, access: AccessControl): Promise<CommandContext> =>
  commandContextFrom(
    {
      authorization: header(request, 'authorization'),
      idempotencyKey: header(request, 'idempotency-key'),
      ifMatch: header(request, 'if-match'),
      correlationId: header(request, 'x-correlation-id'),
      traceparent: requestTraceparent(request) ?? undefined,
    },
    access,
    () => request.id,
  );

/**
 * The public command paths. Each route only gathers input from the path and body; the
 * dispatcher validates it against the command's own schema (the same one gRPC uses).
 */
export const commandRoutes: FastifyPluginAsyncZod<CommandRoutesOptions> = async (app, { dispatcher, access }) => {
  const send = async (command: CommandDefinition<unknown>, input: unknown, status: number, request: FastifyRequest, reply: FastifyReply) => {
    const result = await dispatcher.dispatch(command, input, await context(request, access));
    reply.header('x-position', String(result.position));
    if (result.replayed) reply.header('idempotent-replayed', 'true');
    return reply.status(result.replayed ? 200 : status).send(result);
  };
  const responses = { 200: receipt, 201: receipt, 202: receipt };

  app.post('/users', { schema: { body: registerUserInput, headers: commandHeaders, response: responses } }, (req, reply) =>
    send(commands.registerUser, req.body, 201, req, reply),
  );
  app.post('/users/:userId/roles', { schema: { params: userIdParams, body: z.object({ role: roleSchema }), headers: commandHeaders, response: responses } }, (req, reply) =>
    send(commands.grantRole, { ...req.body, ...req.params }, 200, req, reply),
  );
  app.delete('/users/:userId/roles/:role', { schema: { params: userIdParams.extend({ role: roleSchema }), headers: commandHeaders, response: responses } }, (req, reply) =>
    send(commands.revokeRole, req.params, 200, req, reply),
  );
  app.post('/users/:userId/permissions', { schema: { params: userIdParams, body: z.object({ permission: permissionSchema }), headers: commandHeaders, response: responses } }, (req, reply) =>
    send(commands.grantPermission, { ...req.body, ...req.params }, 200, req, reply),
  );
  app.delete('/users/:userId/permissions/:permission', { schema: { params: userIdParams.extend({ permission: permissionSchema }), headers: commandHeaders, response: responses } }, (req, reply) =>
    send(commands.revokePermission, req.params, 200, req, reply),
  );
  app.post('/users/:userId/disable', { schema: { params: userIdParams, body: z.object({ reason: z.string() }), headers: commandHeaders, response: responses } }, (req, reply) =>
    send(commands.disableUser, { ...req.body, ...req.params }, 200, req, reply),
  );
  app.post('/corrections', { schema: { body: commands.correctObservation.input, headers: commandHeaders, response: responses } }, (req, reply) =>
    send(commands.correctObservation, req.body, 201, req, reply),
  );
  app.post('/reports', { schema: { body: requestReportInput, headers: commandHeaders, response: responses } }, (req, reply) =>
    send(commands.requestReport, req.body, 202, req, reply),
  );
  app.get('/commands', async () => ({ commands: Object.values(commands).map((c) => ({ name: c.name, permission: c.permission })) }));
};

import { z } from 'zod';
import { connectionOf, globalOptionsHelp, parseCommandArgs, positionalsOf } from '../args.ts';
import type { Command } from '../command.ts';
import { CliError } from '../errors.ts';
import { formatTable, printJson } from '../output/table.ts';
import { apiClientFor } from '../remote.ts';

/**
 * GET /api/v1/ops/pulse: the gateway checks every service and dependency concurrently and
 * answers each one's status and latency (503 when one is down, with the same body).
 */
export const pulseSchema = z.object({
  status: z.enum(['up', 'degraded', 'down']),
  checkedAt: z.string(),
  services: z.array(
    z.object({
      name: z.string(),
      status: z.enum(['up', 'down']),
      latencyMs: z.number(),
      /** The service's own /health details when up; `error` says why when down. */
      details: z.record(z.string(), z.unknown()),
    }),
  ),
});
export type Pulse = z.infer<typeof pulseSchema>;

const usage = `Usage: nationpulse pulse

Asks the gateway for the health of every service and dependency (GET /api/v1/ops/pulse) and prints
each one with its status and latency. Exits 0 only when all are up, 1 when any is not, 69 when the
gateway cannot be reached.

${globalOptionsHelp}`;

export const pulseCommand: Command = {
  name: 'pulse',
  summary: 'health of every service and dependency (exit 0 only when all are up)',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, {}, usage);
    positionalsOf(positionals, [], usage);
    const connection = connectionOf(values, ctx, usage);
    const client = apiClientFor(connection, ctx);
    let pulse: Pulse;
    try {
      pulse = (await client.request('GET', '/api/v1/ops/pulse', { schema: pulseSchema, acceptStatuses: [503] })).body;
    } catch (e) {
      if (e instanceof CliError && e.code === 'UNREACHABLE') {
        throw new CliError(e.code, `The pulse is unreachable: ${e.message}`, { exitCode: e.exitCode });
      }
      throw e;
    }
    const down = pulse.services.filter((d) => d.status !== 'up');
    if (connection.json) printJson(ctx.stdout, pulse);
    else {
      ctx.stdout.write(
        formatTable(
          [{ header: 'DEPENDENCY' }, { header: 'STATUS' }, { header: 'LATENCY', align: 'right' }, { header: 'DETAIL' }],
          pulse.services.map((d) => [d.name, d.status, `${Math.round(d.latencyMs)} ms`, typeof d.details['error'] === 'string' ? d.details['error'] : '']),
        ),
      );
      ctx.stdout.write(down.length === 0 ? `all ${pulse.services.length} up\n` : `${down.length} of ${pulse.services.length} not up: ${down.map((d) => d.name).join(', ')}\n`);
    }
    return down.length === 0 && pulse.services.length > 0 ? 0 : 1;
  },
};

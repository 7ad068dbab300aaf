import { z } from 'zod';
import type { ApiClient } from '../api-client.ts';
import { connectionOf, globalOptionsHelp, intArg, parseCommandArgs, positionalsOf } from '../args.ts';
import type { Command } from '../command.ts';
import type { CliContext } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';
import { createProgressBar, formatEta } from '../output/progress.ts';
import { formatInstant, formatNumber, formatTable, printJson } from '../output/table.ts';
import { runPackageCli } from '../package-cli.ts';
import { pollUntil } from '../polling.ts';
import { apiClientFor } from '../remote.ts';

/** GET /api/v1/ops/projections (projectors' ProjectionStatus). */
const projectionStatus = z.object({
  name: z.string(),
  version: z.number(),
  status: z.string(),
  position: z.number(),
  head: z.number(),
  lag: z.number(),
  rebuild: z.object({ version: z.number(), position: z.number(), target: z.number(), eventsPerSecond: z.number(), etaSeconds: z.number().nullable() }).nullable(),
  error: z.string().nullable(),
});
export const projectionsSchema = z.object({ projections: z.array(projectionStatus) });
type ProjectionStatus = z.infer<typeof projectionStatus>;

const usage = `Usage: nationpulse projections status [--remote [--watch] [--interval S]]
       nationpulse projections rebuild NAME [--remote [--detach]]

  status          each projection's version, status, position, head and lag
  rebuild NAME    rebuild a projection into a shadow copy and swap it in, with a progress bar
                  (position/head, events/s, ETA) until it is live again

Local (default): works on the embedded data folder ($NATIONPULSE_DATA_DIR) with the projectors
package's own CLI (npm run projections); run it while the platform is stopped.
Remote (--remote): asks the running platform (GET /api/v1/ops/projections,
POST /api/v1/ops/projections/{name}/rebuild, needs ops:manage).
  --watch         refresh the status every --interval seconds (default 2) until Ctrl-C
  --detach        start the rebuild and return at once

${globalOptionsHelp}`;

/** A rebuild that finished between two polls never shows as rebuilding: after this long live, it is done. */
const SETTLE_MS = 2_000;

const statusTable = (projections: readonly ProjectionStatus[]) =>
  formatTable(
    [
      { header: 'PROJECTION' },
      { header: 'VERSION', align: 'right' },
      { header: 'STATUS' },
      { header: 'POSITION', align: 'right' },
      { header: 'HEAD', align: 'right' },
      { header: 'LAG', align: 'right' },
      { header: 'REBUILD' },
    ],
    projections.map((p) => [
      p.name,
      `v${p.version}`,
      p.status + (p.error ? ` (${p.error})` : ''),
      formatNumber(p.position),
      formatNumber(p.head),
      formatNumber(p.lag),
      p.rebuild ? `v${p.rebuild.version} ${formatNumber(p.rebuild.position)}/${formatNumber(p.rebuild.target)} ${formatNumber(Math.round(p.rebuild.eventsPerSecond))} ev/s ETA ${formatEta(p.rebuild.etaSeconds)}` : '',
    ]),
  );

const fetchStatus = async (client: ApiClient) => (await client.get('/api/v1/ops/projections', { schema: projectionsSchema })).projections;

const remoteStatus = async (ctx: CliContext, client: ApiClient, json: boolean, watchEveryMs: number | null): Promise<number> => {
  for (;;) {
    const projections = await fetchStatus(client);
    if (json) printJson(ctx.stdout, { projections });
    else {
      if (watchEveryMs !== null) ctx.stdout.write(`${ctx.stdout.isTTY ? '\x1b[2J\x1b[H' : ''}${formatInstant(ctx.now().toISOString())}\n`);
      ctx.stdout.write(statusTable(projections));
    }
    if (watchEveryMs === null) return projections.some((p) => p.status === 'failed') ? 1 : 0;
    await ctx.sleep(watchEveryMs, ctx.signal);
    if (ctx.signal.aborted) return 0;
  }
};

const remoteRebuild = async (ctx: CliContext, client: ApiClient, name: string, detach: boolean, pollMs: number): Promise<number> => {
  await client.post(`/api/v1/ops/projections/${encodeURIComponent(name)}/rebuild`, { schema: z.unknown() });
  if (detach) {
    ctx.stdout.write(`Rebuild of ${name} started; follow it with: nationpulse projections status --remote --watch\n`);
    return 0;
  }
  const startedAt = ctx.now().getTime();
  const bar = createProgressBar(ctx, ` rebuild ${name} |{bar}| {percentage}% | position {value}/{total} | {rate} ev/s | ETA {remaining}`);
  let seenRebuilding = false;
  let live: ProjectionStatus;
  try {
    live = await pollUntil(ctx, pollMs, `the rebuild of ${name} goes on in the platform`, async () => {
      const current = (await fetchStatus(client)).find((p) => p.name === name);
      if (!current) throw new CliError('PROJECTION_NOT_FOUND', `The projection ${name} disappeared while rebuilding`);
      if (current.status === 'failed') throw new CliError('REBUILD_FAILED', `The rebuild of ${name} failed: ${current.error ?? 'no reason given'}`);
      if (current.rebuild) {
        seenRebuilding = true;
        bar.update(current.rebuild.position, { rate: formatNumber(Math.round(current.rebuild.eventsPerSecond)), remaining: formatEta(current.rebuild.etaSeconds) }, current.rebuild.target);
        return undefined;
      }
      const done = current.status === 'live' && (seenRebuilding || ctx.now().getTime() - startedAt >= SETTLE_MS);
      if (done) bar.update(current.head, { rate: '-', remaining: '0 s' }, current.head);
      return done ? current : undefined;
    });
  } finally {
    bar.stop();
  }
  ctx.stdout.write(`${name} rebuilt and live at position ${formatNumber(live.position)} (v${live.version}, ${((ctx.now().getTime() - startedAt) / 1000).toFixed(1)} s)\n`);
  return 0;
};

export const projectionsCommand: Command = {
  name: 'projections',
  summary: 'projection status and rebuilds (locally, or --remote with a progress bar)',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, { remote: { type: 'boolean' }, watch: { type: 'boolean' }, detach: { type: 'boolean' }, interval: { type: 'string' } }, usage);
    const [sub, ...rest] = positionals;
    if (sub !== 'status' && sub !== 'rebuild') throw new UsageError(sub === undefined ? 'missing sub-command' : `unknown sub-command "${sub}"`, usage);
    const [name] = positionalsOf(rest, sub === 'rebuild' ? ['NAME'] : [], usage);
    if (sub === 'status' && values.detach) throw new UsageError('--detach goes with rebuild', usage);
    if (sub === 'rebuild' && (values.watch || values.interval)) throw new UsageError('--watch and --interval go with status', usage);
    if (!values.remote) {
      if (values.watch || values.detach || values.url || values.interval) throw new UsageError('--watch, --interval, --detach and --url need --remote', usage);
      return runPackageCli(ctx, '@nationpulse/projectors/cli', name === undefined ? [sub] : [sub, name]);
    }
    const intervalMs = 1000 * (values.interval === undefined ? 2 : intArg('--interval', values.interval, usage, { min: 1, max: 3600 }));
    const connection = connectionOf(values, ctx, usage);
    const client = apiClientFor(connection, ctx);
    if (sub === 'status') return remoteStatus(ctx, client, connection.json, values.watch ? intervalMs : null);
    return remoteRebuild(ctx, client, name!, values.detach === true, 500);
  },
};

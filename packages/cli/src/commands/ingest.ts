import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { ApiClient } from '../api-client.ts';
import { connectionOf, globalOptionsHelp, parseCommandArgs, positionalsOf } from '../args.ts';
import type { Command } from '../command.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { formatDuration, formatNumber, printJson } from '../output/table.ts';
import { createProgressBar } from '../output/progress.ts';
import { runPackageCli } from '../package-cli.ts';
import { pollUntil } from '../polling.ts';
import { apiClientFor } from '../remote.ts';

const usage = `Usage: nationpulse ingest --file PATH [--indicator CODE]
       nationpulse ingest --remote (--file PATH [--indicator CODE] | --spec JSON|@FILE) [--detach]

Local (default): ingests a World Bank CSV file or folder straight into the embedded data folder
($NATIONPULSE_DATA_DIR, default ./data), with the ingestion package's own CLI (npm run ingest).
Run it while the platform is stopped, or use --remote.

Remote: asks the running platform (POST /api/v1/ingestions, needs ingestion:trigger) and follows
the run with a progress bar until it ends (GET /api/v1/ingestions/{runId}).
  --file PATH        a path the ingestion service can read (relative to its INGESTION_FILE_ROOT)
  --spec JSON|@FILE  any source spec, e.g. '{"kind":"world-bank-csv","path":"wdi/sp.pop.totl"}'
  --detach           print the run id and return at once

Exits 1 when the run fails.

${globalOptionsHelp}`;

/** POST /api/v1/ingestions → 202. */
const accepted = z.object({ runId: z.string(), dataset: z.string(), status: z.string(), position: z.number() });
/** GET /api/v1/ingestions/{runId}: the run as the ingestion service sees it, live. */
export const ingestionRunSchema = z.object({
  runId: z.string(),
  dataset: z.string(),
  status: z.enum(['running', 'completed', 'failed']),
  progress: z.object({ rowsRead: z.number(), rowsRejected: z.number(), seriesDone: z.number(), percent: z.number() }),
  summary: z
    .object({ rowsRead: z.number(), rowsChanged: z.number(), rowsUnchanged: z.number(), rowsRejected: z.number(), seriesChanged: z.number(), durationMs: z.number() })
    .loose()
    .nullable(),
  reason: z.string().nullable(),
  position: z.number().nullable(),
});

const POLL_MS = 500;

const readSpec = async (raw: string, ctx: CliContext): Promise<unknown> => {
  const text = raw.startsWith('@') ? await readFile(resolve(ctx.cwd, raw.slice(1)), 'utf8') : raw;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`--spec is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, usage);
  }
};

const followRun = async (runId: string, ctx: CliContext, client: ApiClient, json: boolean): Promise<number> => {
  const bar = createProgressBar(ctx, ` ingest {dataset} |{bar}| {percentage}% | {rows} rows | {rejected} rejected`);
  let run: z.infer<typeof ingestionRunSchema>;
  try {
    run = await pollUntil(ctx, POLL_MS, `the run goes on: nationpulse audit run ${runId}`, async () => {
      const current = await client.get(`/api/v1/ingestions/${encodeURIComponent(runId)}`, { schema: ingestionRunSchema });
      const payload = { dataset: current.dataset, rows: formatNumber(current.progress.rowsRead), rejected: formatNumber(current.progress.rowsRejected) };
      bar.update(current.status === 'completed' ? 100 : Math.min(100, current.progress.percent), payload, 100);
      return current.status === 'running' ? undefined : current;
    });
  } finally {
    bar.stop();
  }
  if (json) printJson(ctx.stdout, run);
  else if (run.status === 'completed' && run.summary) {
    const s = run.summary;
    ctx.stdout.write(
      `run ${run.runId} completed in ${formatDuration(s.durationMs)}: ${formatNumber(s.rowsRead)} rows read, ${formatNumber(s.rowsChanged)} changed, ${formatNumber(s.rowsUnchanged)} unchanged, ${formatNumber(s.rowsRejected)} rejected; ${formatNumber(s.seriesChanged)} series changed; position ${run.position ?? '-'}\n`,
    );
  } else ctx.stdout.write(`run ${run.runId} ${run.status.toUpperCase()}${run.reason ? `: ${run.reason}` : ''}\n`);
  return run.status === 'completed' ? 0 : 1;
};

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'ingest a World Bank CSV file or folder (locally, or --remote through the platform)',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, { file: { type: 'string' }, indicator: { type: 'string' }, remote: { type: 'boolean' }, spec: { type: 'string' }, detach: { type: 'boolean' } }, usage);
    positionalsOf(positionals, [], usage);
    if (!values.file === !values.spec) throw new UsageError(values.file ? '--file and --spec exclude each other' : '--file (or --remote --spec) is required', usage);
    if (values.indicator !== undefined && !values.file) throw new UsageError('--indicator goes with --file', usage);
    if (!values.remote) {
      if (values.spec || values.detach || values.url) throw new UsageError('--spec, --detach and --url need --remote', usage);
      return runPackageCli(ctx, '@nationpulse/ingestion/cli', ['--file', values.file!, ...(values.indicator ? ['--indicator', values.indicator] : [])]);
    }
    const spec = values.spec
      ? await readSpec(values.spec, ctx)
      : { kind: 'world-bank-csv', path: values.file, ...(values.indicator ? { indicator: values.indicator.toUpperCase() } : {}) };
    const connection = connectionOf(values, ctx, usage);
    const client = apiClientFor(connection, ctx);
    const run = await client.post('/api/v1/ingestions', { body: spec, schema: accepted });
    if (values.detach) {
      if (connection.json) printJson(ctx.stdout, run);
      else ctx.stdout.write(`run ${run.runId} started (${run.dataset}); see it with: nationpulse audit run ${run.runId}\n`);
      return 0;
    }
    ctx.stderr.write(`run ${run.runId} started (${run.dataset})\n`);
    return followRun(run.runId, ctx, client, connection.json);
  },
};

import { parseArgs } from 'node:util';
import { isNationPulseError } from '@nationpulse/domain';
import cliProgress from 'cli-progress';
import { triggerRemote } from './remote/trigger-remote.ts';
import { parseSourceSpec } from './sources/source-spec.ts';
import { readSpecArgument } from './spec-argument.ts';

const usage = `Usage: ingest:remote (--file PATH [--indicator CODE] | --source-spec JSON|@FILE) [--server HOST:PORT]

Triggers a run on the ingestion service over gRPC and follows its progress.

  --file PATH         a World Bank CSV file or folder, relative to the service's INGESTION_FILE_ROOT
  --indicator CODE    the indicator of a single file (default: its folder name)
  --source-spec JSON  any source as a JSON spec (or @spec.json), e.g.
                      '{"kind":"world-bank-api","indicators":["SP.POP.TOTL"],"fromYear":2015}'
                      kinds: world-bank-csv, sdmx-csv, world-bank-api, oecd-sdmx (see the README)
  --server HOST:PORT  the service's gRPC endpoint (default: $INGESTION_GRPC_ADDRESS or 127.0.0.1:50054)

The access token (a user with ingestion:trigger) comes from $NATIONPULSE_TOKEN. Exits 0 when the
run completed, 1 when it failed, 2 when the service refused it (e.g. INGESTION_RUNNING), 64 for bad
arguments (nothing sent).`;

const main = async (): Promise<number> => {
  const { values } = parseArgs({
    strict: true,
    options: { file: { type: 'string' }, indicator: { type: 'string' }, 'source-spec': { type: 'string' }, server: { type: 'string' }, help: { type: 'boolean' } },
  });
  const token = process.env['NATIONPULSE_TOKEN'];
  const specText = values['source-spec'];
  if (values.help || !values.file === !specText || !token) {
    process.stderr.write(`${usage}\n${!values.help && !token ? '\nNATIONPULSE_TOKEN is not set.\n' : ''}`);
    return values.help ? 0 : 64;
  }
  // Checked here first, so a bad spec is reported before anything is sent.
  let spec;
  try {
    spec = parseSourceSpec(specText ? await readSpecArgument(specText) : { kind: 'world-bank-csv', path: values.file, ...(values.indicator ? { indicator: values.indicator } : {}) });
  } catch (e) {
    process.stderr.write(`ingest:remote: ${e instanceof Error ? e.message : String(e)}\n`);
    return 64;
  }
  const address = values.server ?? process.env['INGESTION_GRPC_ADDRESS'] ?? '127.0.0.1:50054';
  const interactive = process.stderr.isTTY === true;
  const bar = new cliProgress.SingleBar(
    {
      format: ' ingest |{bar}| {percentage}% | {rows} rows | {rejected} rejected | run {runId}',
      hideCursor: interactive,
      noTTYOutput: !interactive,
      notTTYSchedule: 1000,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let runId = '';
  let barStarted = false;
  const started = Date.now();
  try {
    const outcome = await triggerRemote({
      address,
      spec,
      token,
      onStarted: (s) => {
        runId = s.runId;
        bar.start(100, 0, { rows: 0, rejected: 0, runId });
        barStarted = true;
      },
      onProgress: (p) => bar.update(Math.floor(p.percent), { rows: p.rowsRead, rejected: p.rowsRejected, runId }),
    });
    if (barStarted) {
      if (outcome.status === 'completed') bar.update(100, { rows: outcome.summary.rowsRead, rejected: outcome.summary.rowsRejected, runId });
      bar.stop();
    }
    const s = outcome.summary;
    const seconds = ((Date.now() - started) / 1000).toFixed(2);
    const counts = `${s.rowsRead} rows read, ${s.rowsChanged} changed, ${s.rowsUnchanged} unchanged, ${s.rowsRejected} rejected; ${s.seriesChanged} series events`;
    if (outcome.status === 'completed') {
      process.stdout.write(`run ${s.runId} completed in ${seconds} s: ${counts}; position ${s.position}\n`);
      for (const r of s.rejected.slice(0, 10)) process.stderr.write(`  rejected line ${r.row}: ${r.reason}\n`);
      return 0;
    }
    process.stdout.write(`run ${s.runId} FAILED after ${seconds} s: ${s.reason || 'unknown'} (${counts})\n`);
    return 1;
  } catch (e) {
    if (barStarted) bar.stop();
    if (isNationPulseError(e)) {
      process.stderr.write(`ingest:remote: ${e.code}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
};

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`ingest:remote: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);

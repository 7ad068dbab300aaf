import { parseArgs } from 'node:util';
import { ConfigError, parseConfig, systemClock } from '@nationpulse/platform';
import { createEventStore } from '@nationpulse/wiring';
import cliProgress from 'cli-progress';
import { ingestionConfigSchema } from './config.ts';
import { runIngestion } from './runs/run-ingestion.ts';
import { createSource, type SourceSpecInput } from './sources/source-spec.ts';
import { readSpecArgument } from './spec-argument.ts';

const usage = `Usage: ingest (--file PATH [--indicator CODE] | --source-spec JSON|@FILE) [--trigger manual|schedule|startup]

  --file PATH           a World Bank data.csv, a folder holding one, or a folder of <indicator>/data.csv
  --indicator CODE      the indicator of a single file (default: its folder name, e.g. sp.pop.totl)
  --source-spec JSON    any source as a JSON spec (or @spec.json), e.g.
                        '{"kind":"world-bank-api","indicators":["SP.POP.TOTL"],"fromYear":2015}'
                        kinds: world-bank-csv, sdmx-csv, world-bank-api, oecd-sdmx (see the README)

Appends only what changed to the event store named by the environment (NATIONPULSE_DATA_DIR,
EVENT_STORE, EVENTSTORE_URL). Exits 1 when the run fails.`;

const main = async (): Promise<number> => {
  const { values } = parseArgs({
    strict: true,
    options: {
      file: { type: 'string' },
      indicator: { type: 'string' },
      'source-spec': { type: 'string' },
      trigger: { type: 'string', default: 'manual' },
      help: { type: 'boolean' },
    },
  });
  const trigger = values.trigger;
  const specText = values['source-spec'];
  if (values.help || !values.file === !specText || (trigger !== 'manual' && trigger !== 'schedule' && trigger !== 'startup')) {
    process.stderr.write(`${usage}\n`);
    return values.help ? 0 : 64;
  }
  const config = parseConfig(ingestionConfigSchema);
  const spec: unknown = specText
    ? await readSpecArgument(specText)
    : { kind: 'world-bank-csv', path: values.file, ...(values.indicator ? { indicator: values.indicator } : {}) };
  const source = createSource(spec as SourceSpecInput, { config });
  const eventStore = await createEventStore(config);
  const interactive = process.stderr.isTTY === true;
  const bar = new cliProgress.SingleBar(
    {
      format: ' ingest |{bar}| {percentage}% | {rows} rows | {rate} rows/s | {rejected} rejected | ETA {eta_formatted}',
      hideCursor: interactive,
      noTTYOutput: !interactive,
      notTTYSchedule: 1000,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let barStarted = false;
  try {
    const summary = await runIngestion({
      source,
      eventStore,
      clock: systemClock,
      trigger,
      concurrency: config.INGESTION_CONCURRENCY,
      onProgress: (p) => {
        const payload = { rows: p.rowsRead, rejected: p.rowsRejected, rate: Math.round(p.rowsRead / Math.max((Date.now() - started) / 1000, 0.001)) };
        const total = p.total ?? Math.max(p.done, 1);
        if (!barStarted) {
          bar.start(total, p.done, payload);
          barStarted = true;
        } else {
          bar.setTotal(total);
          bar.update(p.done, payload);
        }
      },
    });
    if (barStarted) bar.stop();
    const seconds = ((Date.now() - started) / 1000).toFixed(2);
    const counts = `${summary.rowsRead} rows read, ${summary.rowsChanged} changed, ${summary.rowsUnchanged} unchanged, ${summary.rowsRejected} rejected; ${summary.seriesChanged} series events`;
    if (summary.status === 'completed') {
      process.stdout.write(`run ${summary.runId} completed in ${seconds} s: ${counts}; position ${summary.position}\n`);
      for (const r of summary.rejected.slice(0, 10)) process.stderr.write(`  rejected row ${r.row}: ${r.reason}\n`);
      return 0;
    }
    process.stdout.write(`run ${summary.runId} FAILED after ${seconds} s: ${summary.reason ?? 'unknown'} (${counts})\n`);
    return 1;
  } finally {
    if (barStarted) bar.stop();
    await eventStore.close();
  }
};

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`ingest: ${e instanceof ConfigError || e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);

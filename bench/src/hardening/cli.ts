/**
 * Long fault-injection runs, outside the default test run (each has a short version in
 * `*.e2e.test.ts` that CI runs). Usage (from the repo root):
 *
 *   npm run hardening -- crash [--seconds 300] [--kill-every 1500] [--senders 4] [--path DIR]
 *
 * Prints what was done and every broken guarantee; the exit code is 1 when one was broken.
 */
import { runCrashRecovery } from './crash-recovery.ts';
import type { Topology } from './service-processes.ts';

const USAGE = 'usage: npm run hardening -- crash [--seconds N] [--kill-every MS] [--senders N] [--path DIR]';

const option = (args: readonly string[], name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = args[i + 1];
  if (!value) throw new Error(`--${name} needs a value\n${USAGE}`);
  return value;
};

const positive = (text: string, name: string): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number\n${USAGE}`);
  return n;
};

async function main(): Promise<void> {
  const [scenario, ...args] = process.argv.slice(2);
  if (scenario !== 'crash') throw new Error(USAGE);
  const log = (m: string) => process.stderr.write(`[${scenario}] ${m}\n`);
  let topology: Topology | null = null;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      topology?.killAll();
      process.exit(130);
    });
  }
  const result = await runCrashRecovery({
    onTopology: (t) => (topology = t),
    seconds: positive(option(args, 'seconds', '300'), 'seconds'),
    killEveryMs: positive(option(args, 'kill-every', '1500'), 'kill-every'),
    senders: positive(option(args, 'senders', '4'), 'senders'),
    // The whole World Bank snapshot when it sits beside the repository makes runs long enough to be killed mid-way.
    ingestionPath: option(args, 'path', 'packages/web/src/e2e/fixtures/wdi-sample'),
    log,
  });
  const { failures, diffs: _diffs, ...figures } = result;
  console.log(JSON.stringify(figures, null, 2));
  if (failures.length > 0) {
    console.log(`\n${failures.length} broken guarantee(s):\n${failures.map((f) => `- ${f}`).join('\n')}`);
    process.exitCode = 1;
  } else console.log('\nEvery guarantee held.');
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 2;
});

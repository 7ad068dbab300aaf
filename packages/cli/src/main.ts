import { abortableSleep, type CliContext } from './context.ts';
import { runCli } from './cli.ts';

const interrupted = new AbortController();
const ctx: CliContext = {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  signal: interrupted.signal,
  now: () => new Date(),
  sleep: abortableSleep,
};

const argv = process.argv.slice(2);
// `up` hands the process to the platform, which handles its own signals.
if (argv[0] !== 'up') {
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted.signal.aborted) process.exit(130);
    interrupted.abort(new DOMException(`${signal} received`, 'AbortError'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

runCli(argv, ctx).then(
  (code) => {
    // Exit once the output is flushed, without waiting for idle keep-alive sockets.
    process.stdout.write('', () => process.exit(code));
  },
  (e: unknown) => {
    process.stderr.write(`nationpulse: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);

import { resolve } from 'node:path';
import { parseCommandArgs, positionalsOf } from '../args.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';

const usage = `Usage: nationpulse up [--data-dir DIR]

Starts the whole platform in this process with the embedded adapters (no servers; data in
$NATIONPULSE_DATA_DIR, default ./data), exactly as \`npm start\` does, and prints its URLs.
Ctrl-C stops it cleanly; starting it again resumes with the data kept.

  --data-dir DIR   where the data lives (sets NATIONPULSE_DATA_DIR)

Every service setting is read from the environment (PORT, NATIONPULSE_ADMIN_USER and
NATIONPULSE_ADMIN_PASSWORD for the first administrator, LOG_LEVEL, …; see the README).`;

export const upCommand: Command = {
  name: 'up',
  summary: 'run the whole platform here, embedded (Ctrl-C stops it)',
  usage,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, { 'data-dir': { type: 'string' } }, usage);
    positionalsOf(positionals, [], usage);
    if (values['data-dir'] === '') throw new UsageError('--data-dir is empty', usage);
    if (values['data-dir'] !== undefined) process.env['NATIONPULSE_DATA_DIR'] = resolve(ctx.cwd, values['data-dir']);
    // The embedded platform's composition root, the same module `npm start` runs: it parses the
    // configuration, starts every service, prints the URLs and owns the process from then on
    // (SIGINT/SIGTERM close the services, then exit).
    await import('@nationpulse/embedded-platform/main');
    return new Promise<number>(() => undefined);
  },
};

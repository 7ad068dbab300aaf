import { globalOptionsHelp } from './args.ts';
import type { Command } from './command.ts';
import { asofCommand, auditCommand } from './commands/audit.ts';
import { signinCommand, signoutCommand } from './commands/auth.ts';
import { ingestCommand } from './commands/ingest.ts';
import { projectionsCommand } from './commands/projections.ts';
import { pulseCommand } from './commands/pulse.ts';
import { reportsCommand } from './commands/reports.ts';
import { upCommand } from './commands/up.ts';
import type { CliContext } from './context.ts';
import { CliError, exitCodes, UsageError } from './errors.ts';

export type { CliContext } from './context.ts';
export { CliError, UsageError, exitCodes } from './errors.ts';

const commands: readonly Command[] = [upCommand, signinCommand, signoutCommand, ingestCommand, projectionsCommand, auditCommand, asofCommand, reportsCommand, pulseCommand];

export const mainUsage = `Usage: nationpulse <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join('\n')}

Run \`nationpulse <command> --help\` for a command's options. Remote commands talk to the gateway
(--url, $NATIONPULSE_URL, default http://127.0.0.1:8080) as the signed-in user.

${globalOptionsHelp}

Exit codes: 0 done, 1 failed (API error, failed run, dependency down), 64 bad arguments,
69 platform unreachable.`;

const describeDetails = (details: unknown): string => {
  if (!Array.isArray(details)) return '';
  return details
    .map((d: unknown) => (d && typeof d === 'object' && 'message' in d ? `  ${'path' in d ? `${String(d.path as string)}: ` : ''}${String(d.message as string)}\n` : ''))
    .join('');
};

/** Runs one invocation; resolves with its exit code. Never throws: every failure is reported on stderr. */
export const runCli = async (argv: readonly string[], ctx: CliContext): Promise<number> => {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? ctx.stderr : ctx.stdout).write(`${mainUsage}\n`);
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    ctx.stderr.write(`nationpulse: unknown command "${name}"\n\n${mainUsage}\n`);
    return exitCodes.usage;
  }
  if (args.includes('--help') || args.includes('-h')) {
    ctx.stdout.write(`${command.usage}\n`);
    return exitCodes.ok;
  }
  try {
    return await command.run(args, ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      ctx.stderr.write(`nationpulse ${name}: ${e.message}\n\n${e.usage}\n`);
      return exitCodes.usage;
    }
    if (e instanceof CliError) {
      ctx.stderr.write(`${e.code}: ${e.message}\n${describeDetails(e.details)}`);
      return e.exitCode;
    }
    ctx.stderr.write(`nationpulse ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return exitCodes.failure;
  }
};

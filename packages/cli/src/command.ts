import { UsageError } from './errors.ts';
import type { CliContext } from './context.ts';

/** One `nationpulse` command (or group of sub-commands). */
export interface Command {
  readonly name: string;
  /** One line for `nationpulse --help`. */
  readonly summary: string;
  /** Printed by `nationpulse <name> --help` and with every usage error. */
  readonly usage: string;
  /** Resolves with the exit code. */
  run(args: readonly string[], ctx: CliContext): Promise<number>;
}

export type SubcommandHandler = (args: readonly string[], ctx: CliContext) => Promise<number>;

/** A command whose first argument picks one of its sub-commands (`audit runs`, `reports status ID`). */
export const commandGroup = (name: string, summary: string, usage: string, subcommands: Readonly<Record<string, SubcommandHandler>>): Command => ({
  name,
  summary,
  usage,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    const handler = sub === undefined ? undefined : subcommands[sub];
    if (!handler) throw new UsageError(sub === undefined ? `missing sub-command (${Object.keys(subcommands).join(', ')})` : `unknown sub-command "${sub}"`, usage);
    return handler(rest, ctx);
  },
});

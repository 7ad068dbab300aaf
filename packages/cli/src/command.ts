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

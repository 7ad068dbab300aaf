import { validationError } from '@nationpulse/domain';
import type { z } from 'zod';
import type { AccessControl } from './access-control.ts';
import type { CommandContext, CommandReceipt } from '@nationpulse/event-sourcing';
import type { CommandDefinition, CommandDependencies } from './command-definition.ts';

export type CommandResult = CommandReceipt & Record<string, unknown>;

export interface Dispatcher {
  dispatch(command: CommandDefinition<unknown>, rawInput: unknown, context: CommandContext): Promise<CommandResult>;
}

export const zodIssues = (error: z.ZodError) =>
  error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message, code: i.code }));

/** Validate, authorise, execute: the same steps, in this order, for every transport. */
export const createDispatcher = (access: AccessControl, deps: CommandDependencies): Dispatcher => ({
  async dispatch(command, rawInput, context) {
    const parsed = command.input.safeParse(rawInput);
    if (!parsed.success) throw validationError(`Invalid ${command.name} request`, zodIssues(parsed.error));
    access.authorize(context.actor, command.permission);
    return command.execute(parsed.data, context, deps);
  },
});

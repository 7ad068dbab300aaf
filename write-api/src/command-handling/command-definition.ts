import type { Permission } from '@nationpulse/domain';
import type { Clock } from '@nationpulse/platform';
import type { z } from 'zod';
import type { AggregateExecutor } from '@nationpulse/event-sourcing';
import type { CommandContext, CommandReceipt } from '@nationpulse/event-sourcing';

export interface CommandDependencies {
  readonly executor: AggregateExecutor;
  readonly clock: Clock;
  readonly hashPassword: (password: string) => Promise<string>;
}

/** One use case of the write side, transport-agnostic: HTTP and gRPC both dispatch to it. */
export interface CommandDefinition<TInput = unknown> {
  readonly name: string;
  readonly permission: Permission;
  readonly input: z.ZodType<TInput>;
  execute(input: TInput, context: CommandContext, deps: CommandDependencies): Promise<CommandReceipt & Record<string, unknown>>;
}

export const defineCommand = <TInput>(definition: CommandDefinition<TInput>): CommandDefinition<TInput> => definition;

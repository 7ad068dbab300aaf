import { userAggregate, userStreamId, type UserCommand } from '@nationpulse/domain';
import type { Permission } from '@nationpulse/domain';
import type { z } from 'zod';
import type { CommandContext } from '@nationpulse/event-sourcing';
import { defineCommand, type CommandDefinition } from './command-definition.ts';

/**
 * The access-management use cases share one shape: validate, check a guard on the actor,
 * decide on the target user's stream.
 */
export const defineUserCommand = <TInput extends { userId: string }>(options: {
  name: string;
  input: z.ZodType<TInput>;
  toCommand: (input: TInput) => UserCommand;
  guard?: (input: TInput, context: CommandContext) => void;
  permission?: Permission;
}): CommandDefinition<TInput> =>
  defineCommand({
    name: options.name,
    permission: options.permission ?? 'users:manage',
    input: options.input,
    async execute(input, context, { executor }) {
      options.guard?.(input, context);
      const receipt = await executor.execute({
        streamId: userStreamId(input.userId),
        aggregate: userAggregate,
        command: options.toCommand(input),
        commandName: options.name,
        context,
        fingerprint: input,
      });
      return { ...receipt, userId: input.userId };
    },
  });

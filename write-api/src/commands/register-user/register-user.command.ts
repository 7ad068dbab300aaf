import { roleSchema, userStreamId, usernameSchema, usernameStreamId } from '@nationpulse/domain';
import { deterministicId, newId, sha256Hex } from '@nationpulse/platform';
import { z } from 'zod';
import { usernameClaimAggregate, userAggregate } from '@nationpulse/domain';
import { actorId } from '@nationpulse/event-sourcing';
import { defineCommand } from '../../command-handling/command-definition.ts';

export const registerUserInput = z.object({
  username: usernameSchema,
  displayName: z.string().trim().min(1).max(200).optional(),
  password: z.string().min(12, 'at least 12 characters').max(256),
  roles: z.array(roleSchema).max(3).default(['viewer']),
});

/**
 * Claims the username, then registers the user. With an Idempotency-Key the user id is derived
 * from it, so a retry lands on the same streams and returns the first result.
 */
export const registerUser = defineCommand({
  name: 'RegisterUser',
  permission: 'users:manage',
  input: registerUserInput,
  async execute(input, context, { executor, hashPassword }) {
    const userId = context.idempotencyKey
      ? deterministicId(`user:${actorId(context.actor)}:${context.idempotencyKey}`)
      : newId();
    const fingerprint = { ...input, password: sha256Hex(input.password) };

    // A user already registered under this key is a retry (or a reused key): the user stream
    // answers that, and no username is claimed on the way.
    const registered = (await executor.load(userStreamId(userId), userAggregate)).state.exists;
    if (!registered) {
      const claimStream = usernameStreamId(input.username);
      const claim = await executor.load(claimStream, usernameClaimAggregate);
      const holder = claim.state.claimedBy;
      const holderExists = holder !== null && holder !== userId && (await executor.load(userStreamId(holder), userAggregate)).state.exists;
      await executor.execute({
        streamId: claimStream,
        aggregate: usernameClaimAggregate,
        command: { type: 'ClaimUsername', username: input.username, userId, holderExists },
        commandName: 'ClaimUsername',
        context: { ...context, expectedRevision: null },
        fingerprint,
      });
    }

    const receipt = await executor.execute({
      streamId: userStreamId(userId),
      aggregate: userAggregate,
      command: {
        type: 'RegisterUser',
        userId,
        username: input.username,
        displayName: input.displayName ?? input.username,
        passwordHash: await hashPassword(input.password),
        roles: input.roles,
      },
      commandName: 'RegisterUser',
      context,
      fingerprint,
    });
    return { ...receipt, userId };
  },
});

import { forbidden } from '@nationpulse/domain';
import { z } from 'zod';
import { defineUserCommand } from '../../command-handling/user-command.ts';
import { userIdParam } from '../user-id.ts';

export const disableUser = defineUserCommand({
  name: 'DisableUser',
  input: z.object({ userId: userIdParam, reason: z.string().trim().min(1).max(500) }),
  toCommand: ({ userId, reason }) => ({ type: 'DisableUser', userId, reason }),
  guard: ({ userId }, { actor }) => {
    if (actor.kind === 'user' && actor.userId === userId) throw forbidden('CANNOT_DISABLE_SELF', 'Users cannot disable their own account');
  },
});

import { roleSchema } from '@nationpulse/domain';
import { z } from 'zod';
import { defineUserCommand } from '../../command-handling/user-command.ts';
import { userIdParam } from '../user-id.ts';

export const grantRole = defineUserCommand({
  name: 'GrantRole',
  input: z.object({ userId: userIdParam, role: roleSchema }),
  toCommand: ({ userId, role }) => ({ type: 'GrantRole', userId, role }),
});

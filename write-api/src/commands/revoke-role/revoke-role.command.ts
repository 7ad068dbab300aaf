import { forbidden, roleSchema } from '@nationpulse/domain';
import { z } from 'zod';
import { defineUserCommand } from '../../command-handling/user-command.ts';
import { userIdParam } from '../user-id.ts';

export const revokeRole = defineUserCommand({
  name: 'RevokeRole',
  input: z.object({ userId: userIdParam, role: roleSchema }),
  toCommand: ({ userId, role }) => ({ type: 'RevokeRole', userId, role }),
  guard: ({ userId, role }, { actor }) => {
    // An admin removing their own admin role could leave the platform with no administrator.
    if (actor.kind === 'user' && actor.userId === userId && role === 'admin') {
      throw forbidden('CANNOT_REVOKE_OWN_ADMIN', 'Administrators cannot revoke their own admin role');
    }
  },
});

import { permissionSchema } from '@nationpulse/domain';
import { z } from 'zod';
import { defineUserCommand } from '../../command-handling/user-command.ts';
import { userIdParam } from '../user-id.ts';

export const revokePermission = defineUserCommand({
  name: 'RevokePermission',
  input: z.object({ userId: userIdParam, permission: permissionSchema }),
  toCommand: ({ userId, permission }) => ({ type: 'RevokePermission', userId, permission }),
});

import { permissionSchema } from '@nationpulse/domain';
import { z } from 'zod';
import { defineUserCommand } from '../../command-handling/user-command.ts';
import { userIdParam } from '../user-id.ts';

export const grantPermission = defineUserCommand({
  name: 'GrantPermission',
  input: z.object({ userId: userIdParam, permission: permissionSchema }),
  toCommand: ({ userId, permission }) => ({ type: 'GrantPermission', userId, permission }),
});

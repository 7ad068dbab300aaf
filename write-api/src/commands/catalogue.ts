import type { CommandDefinition } from '../command-handling/command-definition.ts';
import { correctObservation } from './correct-observation/correct-observation.command.ts';
import { disableUser } from './disable-user/disable-user.command.ts';
import { grantPermission } from './grant-permission/grant-permission.command.ts';
import { grantRole } from './grant-role/grant-role.command.ts';
import { registerUser } from './register-user/register-user.command.ts';
import { requestReport } from './request-report/request-report.command.ts';
import { revokePermission } from './revoke-permission/revoke-permission.command.ts';
import { revokeRole } from './revoke-role/revoke-role.command.ts';

/** Every command of the write side, by name: the HTTP routes and the gRPC service both map onto these. */
export const commands = {
  registerUser,
  grantRole,
  revokeRole,
  grantPermission,
  revokePermission,
  disableUser,
  correctObservation,
  requestReport,
} satisfies Record<string, CommandDefinition<unknown>>;

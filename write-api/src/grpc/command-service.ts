import type * as grpc from '@grpc/grpc-js';
import { isNationPulseError } from '@nationpulse/domain';
import { grpcErrorFrom, type CommandReceiptMessage, type CommandServiceHandlers } from '@nationpulse/protos';
import type { AccessControl } from '../command-handling/access-control.ts';
import type { CommandDefinition } from '../command-handling/command-definition.ts';
import type { Dispatcher } from '../command-handling/dispatcher.ts';
import { commands } from '../commands/catalogue.ts';
import { commandContextFrom } from '../command-handling/request-context.ts';
import { commandHeadersFromMetadata } from './command-context.ts';
import {
  correctObservationInput,
  disableUserInput,
  permissionInput,
  receiptMessage,
  registerUserInput,
  requestReportInput,
  roleInput,
} from './messages.ts';

export interface CommandGrpcServiceOptions {
  readonly dispatcher: Dispatcher;
  readonly access: AccessControl;
  /** Told about failures that become INTERNAL or UNAVAILABLE (what HTTP logs as 5xx); e.g. a pino logger. */
  readonly logger?: { error(obj: object, msg: string): void };
}

/**
 * nationpulse.write.v1.CommandService over the same dispatcher as the HTTP routes: each rpc
 * builds the CommandContext from the request metadata, maps its message to the command's
 * input, dispatches, and answers the receipt. Every failure is a status with `error-code`
 * trailers (see grpcErrorFrom); no handler can leave a rejection unhandled.
 */
export const createCommandGrpcService = ({ dispatcher, access, logger }: CommandGrpcServiceOptions): CommandServiceHandlers => {
  const rpc =
    <Req>(command: CommandDefinition<unknown>, toInput: (request: Req) => unknown): grpc.handleUnaryCall<Req, CommandReceiptMessage> =>
    (call, callback) => {
      const run = async () => {
        const context = await commandContextFrom(commandHeadersFromMetadata(call.metadata), access);
        return receiptMessage(await dispatcher.dispatch(command, toInput(call.request), context));
      };
      run().then(
        (reply) => callback(null, reply),
        (error: unknown) => {
          if (!isNationPulseError(error) || error.kind === 'internal' || error.kind === 'unavailable') {
            logger?.error({ err: error, rpc: call.getPath() }, isNationPulseError(error) ? error.message : 'unhandled error');
          }
          callback(grpcErrorFrom(error));
        },
      );
    };

  return {
    RegisterUser: rpc(commands.registerUser, registerUserInput),
    GrantRole: rpc(commands.grantRole, roleInput),
    RevokeRole: rpc(commands.revokeRole, roleInput),
    GrantPermission: rpc(commands.grantPermission, permissionInput),
    RevokePermission: rpc(commands.revokePermission, permissionInput),
    DisableUser: rpc(commands.disableUser, disableUserInput),
    CorrectObservation: rpc(commands.correctObservation, correctObservationInput),
    RequestReport: rpc(commands.requestReport, requestReportInput),
  };
};

import type { Registry } from 'prom-client';
import { COMMAND_SERVICE_NAME, loadWriteProto, startGrpcServer, type HealthCheck } from '@nationpulse/protos';
import type { AccessControl } from '../command-handling/access-control.ts';
import type { Dispatcher } from '../command-handling/dispatcher.ts';
import { createCommandGrpcService, type CommandGrpcServiceOptions } from './command-service.ts';

export interface WriteGrpcServerOptions {
  /** e.g. '0.0.0.0', '::' or '127.0.0.1'. */
  readonly host: string;
  /** 0 picks a free port; the bound one is returned. */
  readonly port: number;
  readonly dispatcher: Dispatcher;
  readonly access: AccessControl;
  /**
   * The dependencies' statuses, e.g. `{ eventstore: 'SERVING' }`. The CommandService is reported
   * SERVING when all of them are, and '' (overall) likewise.
   */
  readonly health: HealthCheck;
  readonly logger?: CommandGrpcServiceOptions['logger'];
  /** How long close() lets in-flight calls finish before cancelling them. Default 10 s. */
  readonly shutdownTimeoutMs?: number;
  /** Largest accepted request message. Default 1 MiB. */
  readonly maxReceiveMessageBytes?: number;
  /** How often a health Watch re-checks. Default 5 s. */
  readonly healthWatchIntervalMs?: number;
  /** Call latencies go here. */
  readonly metrics?: Registry;
}

export interface WriteGrpcServer {
  readonly port: number;
  /** Stops accepting calls, ends health watches, waits for in-flight calls (up to the timeout), then forces the rest. */
  close(): Promise<void>;
}

/** The write API's gRPC endpoint: CommandService and grpc.health.v1, plaintext (inside the cluster). */
export const startWriteGrpcServer = async (options: WriteGrpcServerOptions): Promise<WriteGrpcServer> => {
  const { dispatcher, access, logger } = options;
  return startGrpcServer({
    host: options.host,
    port: options.port,
    service: { name: COMMAND_SERVICE_NAME, definition: loadWriteProto().commandService, implementation: createCommandGrpcService({ dispatcher, access, ...(logger ? { logger } : {}) }) },
    health: options.health,
    maxReceiveMessageBytes: options.maxReceiveMessageBytes ?? 1024 * 1024,
    ...(options.shutdownTimeoutMs !== undefined ? { shutdownTimeoutMs: options.shutdownTimeoutMs } : {}),
    ...(options.healthWatchIntervalMs !== undefined ? { healthWatchIntervalMs: options.healthWatchIntervalMs } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
};

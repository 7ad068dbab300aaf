import type { Registry } from 'prom-client';
import { QUERY_SERVICE_NAME, loadReadProto, startGrpcServer, type HealthCheck } from '@nationpulse/protos';
import type { QueryExecutor } from '../query-handling/query-executor.ts';
import { createQueryGrpcService, type QueryGrpcServiceOptions } from './query-service.ts';

export interface ReadGrpcServerOptions {
  /** e.g. '0.0.0.0', '::' or '127.0.0.1'. */
  readonly host: string;
  /** 0 picks a free port; the bound one is returned. */
  readonly port: number;
  readonly executor: QueryExecutor;
  /**
   * The dependencies' statuses, e.g. `{ readstore: 'SERVING' }`. The QueryService is reported
   * SERVING when all of them are, and '' (overall) likewise.
   */
  readonly health: HealthCheck;
  readonly logger?: QueryGrpcServiceOptions['logger'];
  /** How long close() lets in-flight calls finish before cancelling them. Default 10 s. */
  readonly shutdownTimeoutMs?: number;
  /** Largest accepted request message. Default 64 KiB: query requests are small. */
  readonly maxReceiveMessageBytes?: number;
  /** How often a health Watch re-checks. Default 5 s. */
  readonly healthWatchIntervalMs?: number;
  /** Call latencies go here. */
  readonly metrics?: Registry;
}

export interface ReadGrpcServer {
  readonly port: number;
  /** Stops accepting calls, ends health watches, waits for in-flight calls (up to the timeout), then forces the rest. */
  close(): Promise<void>;
}

/** The read API's gRPC endpoint: QueryService and grpc.health.v1, plaintext (inside the cluster). */
export const startReadGrpcServer = async (options: ReadGrpcServerOptions): Promise<ReadGrpcServer> => {
  const { executor, logger } = options;
  return startGrpcServer({
    host: options.host,
    port: options.port,
    service: { name: QUERY_SERVICE_NAME, definition: loadReadProto().queryService, implementation: createQueryGrpcService({ executor, ...(logger ? { logger } : {}) }) },
    health: options.health,
    maxReceiveMessageBytes: options.maxReceiveMessageBytes ?? 64 * 1024,
    ...(options.shutdownTimeoutMs !== undefined ? { shutdownTimeoutMs: options.shutdownTimeoutMs } : {}),
    ...(options.healthWatchIntervalMs !== undefined ? { healthWatchIntervalMs: options.healthWatchIntervalMs } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
};

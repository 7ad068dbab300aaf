import * as grpc from '@grpc/grpc-js';
import { QUERY_SERVICE_NAME, createHealthService, loadHealthProto, loadReadProto, overallStatus, type HealthCheck } from '@nationpulse/protos';
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
}

export interface ReadGrpcServer {
  readonly port: number;
  /** Stops accepting calls, ends health watches, waits for in-flight calls (up to the timeout), then forces the rest. */
  close(): Promise<void>;
}

const address = (host: string, port: number) => (host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`);

/** The read API's gRPC endpoint: QueryService and grpc.health.v1, plaintext (inside the cluster). */
export const startReadGrpcServer = async (options: ReadGrpcServerOptions): Promise<ReadGrpcServer> => {
  const { host, port, executor, health, logger, shutdownTimeoutMs = 10_000, maxReceiveMessageBytes = 64 * 1024 } = options;
  const server = new grpc.Server({ 'grpc.max_receive_message_length': maxReceiveMessageBytes });
  const watches = new AbortController();

  const check: HealthCheck = async () => {
    const dependencies = await health();
    return { ...dependencies, [QUERY_SERVICE_NAME]: overallStatus(dependencies) };
  };
  server.addService(loadReadProto().queryService, createQueryGrpcService({ executor, ...(logger ? { logger } : {}) }));
  server.addService(
    loadHealthProto().healthService,
    createHealthService(check, { signal: watches.signal, ...(options.healthWatchIntervalMs ? { watchIntervalMs: options.healthWatchIntervalMs } : {}) }),
  );

  const boundPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address(host, port), grpc.ServerCredentials.createInsecure(), (error, bound) => {
      if (!error) return resolve(bound);
      server.forceShutdown();
      reject(error);
    }),
  );

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      watches.abort();
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, shutdownTimeoutMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    }));

  return { port: boundPort, close };
};

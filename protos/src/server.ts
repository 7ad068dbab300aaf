import * as grpc from '@grpc/grpc-js';
import { NationPulseError } from '@nationpulse/domain';
import { grpcErrorFrom } from './errors.ts';
import { createHealthService, overallStatus, type HealthCheck } from './health.ts';
import { loadHealthProto } from './load.ts';
import { instrumentService } from './telemetry.ts';
import type { Registry } from 'prom-client';

export interface GrpcServerOptions {
  /** e.g. '0.0.0.0', '::' or '127.0.0.1'. */
  readonly host: string;
  /** 0 picks a free port; the bound one is returned. */
  readonly port: number;
  /** The service this server exists for, reported in grpc.health.v1 under `name`. */
  readonly service: { readonly name: string; readonly definition: grpc.ServiceDefinition; readonly implementation: grpc.UntypedServiceImplementation };
  /** The dependencies' statuses; the service (and '' overall) is SERVING when all of them are. */
  readonly health: HealthCheck;
  /** How long close() lets in-flight calls finish before cancelling them. Default 10 s. */
  readonly shutdownTimeoutMs?: number;
  /** Largest accepted request message. */
  readonly maxReceiveMessageBytes: number;
  /** Where call latencies go (`nationpulse_grpc_server_duration_seconds`); none when absent. */
  readonly metrics?: Registry;
  /** How often a health Watch re-checks. Default 5 s. */
  readonly healthWatchIntervalMs?: number;
}

export interface GrpcServer {
  readonly port: number;
  /** Stops accepting calls, ends health watches, waits for in-flight calls (up to the timeout), then forces the rest. */
  close(): Promise<void>;
}

const MALFORMED = Symbol('malformed request');

/**
 * The service with requests that cannot be decoded refused as INVALID_ARGUMENT with the stable
 * code MALFORMED_MESSAGE (grpc-js would answer INTERNAL "Error deserializing request", without
 * an error-code, as if the server had failed). The bytes are decoded as before; a failure becomes
 * a marker the handler wrapper answers instead of calling the implementation.
 */
const refusingMalformed = (
  definition: grpc.ServiceDefinition,
  implementation: grpc.UntypedServiceImplementation,
): { definition: grpc.ServiceDefinition; implementation: grpc.UntypedServiceImplementation } => {
  const tolerant: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  const guarded: grpc.UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(definition)) {
    const handler = implementation[name];
    if (method.requestStream || !handler) {
      tolerant[name] = method;
      if (handler) guarded[name] = handler;
      continue;
    }
    tolerant[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer): unknown => {
        try {
          return method.requestDeserialize(bytes);
        } catch {
          return { [MALFORMED]: true };
        }
      },
    };
    const refusal = () => grpcErrorFrom(new NationPulseError('validation', 'MALFORMED_MESSAGE', `The request is not a valid ${method.path} message`));
    const malformed = (request: unknown) => typeof request === 'object' && request !== null && MALFORMED in request;
    guarded[name] = (method.responseStream
      ? (call: grpc.ServerWritableStream<unknown, unknown>) => (malformed(call.request) ? call.destroy(refusal()) : (handler as grpc.handleServerStreamingCall<unknown, unknown>)(call))
      : (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) =>
          malformed(call.request) ? callback(refusal()) : (handler as grpc.handleUnaryCall<unknown, unknown>)(call, callback)) as grpc.UntypedHandleCall;
  }
  return { definition: tolerant, implementation: guarded };
};

const address = (host: string, port: number) => (host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`);

/** A platform gRPC endpoint: one service plus grpc.health.v1, plaintext (inside the cluster). */
export const startGrpcServer = async (options: GrpcServerOptions): Promise<GrpcServer> => {
  const { host, port, service, health, shutdownTimeoutMs = 10_000, maxReceiveMessageBytes } = options;
  const server = new grpc.Server({ 'grpc.max_receive_message_length': maxReceiveMessageBytes });
  const watches = new AbortController();

  const check: HealthCheck = async () => {
    const dependencies = await health();
    return { ...dependencies, [service.name]: overallStatus(dependencies) };
  };
  const refusing = refusingMalformed(service.definition, instrumentService(service.definition, service.implementation, options.metrics));
  server.addService(refusing.definition, refusing.implementation);
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

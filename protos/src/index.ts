/**
 * The platform's gRPC contracts: the .proto files next to this folder, loaded at run time with
 * @grpc/proto-loader (no generated code), plus what every NationPulse gRPC service shares — the
 * standard health service and the error mapping to and from gRPC statuses.
 */
export * from './load.ts';
export type * from './messages.ts';
export * from './health.ts';
export * from './errors.ts';
export * from './server.ts';
export * from './query-client.ts';
export * from './ingestion.ts';

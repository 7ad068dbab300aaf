import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { PackageDefinition } from '@grpc/proto-loader';
import type { CommandServiceClient, HealthClient, QueryServiceClient } from './messages.ts';

/** The folder holding the .proto tree (`nationpulse/...`, `grpc/health/v1/...`): the include path. */
export const PROTOS_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * How every NationPulse service decodes messages, so handlers and clients agree on one shape:
 * camelCase field names (user_id -> userId, matching the domain), 64-bit integers as JS numbers
 * (stream positions stay below 2^53), enums as their value names ('ROLE_ADMIN'; a value this
 * build does not know arrives as its number), absent scalars as their proto3 defaults (absent
 * messages as null, absent `optional` fields left out), and for each oneof a virtual property
 * naming the member that is set (e.g. `spec.kind === 'ranking'`).
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTOS_ROOT],
};

export const WRITE_PROTO_FILE = 'nationpulse/write/v1/commands.proto';
export const HEALTH_PROTO_FILE = 'grpc/health/v1/health.proto';
export const COMMAND_SERVICE_NAME = 'nationpulse.write.v1.CommandService';
export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';
export const READ_PROTO_FILE = 'nationpulse/read/v1/queries.proto';
export const QUERY_SERVICE_NAME = 'nationpulse.read.v1.QueryService';

type Constructor<C> = new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ClientOptions) => C;

export interface WriteProto {
  readonly packageDefinition: PackageDefinition;
  /** For `server.addService(commandService, createCommandGrpcService(...))`. */
  readonly commandService: grpc.ServiceDefinition;
  /** `new CommandServiceClient('host:port', grpc.credentials.createInsecure())`. */
  readonly CommandServiceClient: Constructor<CommandServiceClient>;
  /** The value names of each enum of the package, in declaration order. */
  readonly enums: Readonly<Record<'Role' | 'Permission' | 'ReportFormat' | 'RankingOrder', readonly string[]>>;
}

export interface HealthProto {
  readonly packageDefinition: PackageDefinition;
  readonly healthService: grpc.ServiceDefinition;
  readonly HealthClient: Constructor<HealthClient>;
}

const serviceOf = (definition: PackageDefinition, name: string): grpc.ServiceDefinition => {
  const service = definition[name];
  if (!service || 'format' in service) throw new Error(`${name} is not a service of the loaded protos`);
  // proto-loader's service definition is grpc-js' ServiceDefinition with extra descriptor fields.
  return service;
};

const enumValues = (definition: PackageDefinition, name: string): readonly string[] => {
  const type = definition[name];
  if (!type || !('format' in type) || type.format !== 'Protocol Buffer 3 EnumDescriptorProto') throw new Error(`${name} is not an enum`);
  return (type.type as { value: { name: string }[] }).value.map((v) => v.name);
};

const once = <T>(load: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= load());
};

/** Parses commands.proto once per process. */
export const loadWriteProto = once((): WriteProto => {
  const packageDefinition = protoLoader.loadSync(WRITE_PROTO_FILE, PROTO_LOADER_OPTIONS);
  const commandService = serviceOf(packageDefinition, COMMAND_SERVICE_NAME);
  const enumOf = (name: string) => enumValues(packageDefinition, `nationpulse.write.v1.${name}`);
  return {
    packageDefinition,
    commandService,
    CommandServiceClient: grpc.makeClientConstructor(commandService, COMMAND_SERVICE_NAME) as unknown as Constructor<CommandServiceClient>,
    enums: { Role: enumOf('Role'), Permission: enumOf('Permission'), ReportFormat: enumOf('ReportFormat'), RankingOrder: enumOf('RankingOrder') },
  };
});

/** Parses the standard grpc.health.v1 proto once per process. */
export const loadHealthProto = once((): HealthProto => {
  const packageDefinition = protoLoader.loadSync(HEALTH_PROTO_FILE, PROTO_LOADER_OPTIONS);
  const healthService = serviceOf(packageDefinition, HEALTH_SERVICE_NAME);
  return {
    packageDefinition,
    healthService,
    HealthClient: grpc.makeClientConstructor(healthService, HEALTH_SERVICE_NAME) as unknown as Constructor<HealthClient>,
  };
});

export interface ReadProto {
  readonly packageDefinition: PackageDefinition;
  /** For `server.addService(queryService, createQueryGrpcService(...))`. */
  readonly queryService: grpc.ServiceDefinition;
  /** `new QueryServiceClient('host:port', grpc.credentials.createInsecure())`. */
  readonly QueryServiceClient: Constructor<QueryServiceClient>;
  readonly enums: Readonly<Record<'RankingOrder', readonly string[]>>;
}

/** Parses queries.proto once per process. */
export const loadReadProto = once((): ReadProto => {
  const packageDefinition = protoLoader.loadSync(READ_PROTO_FILE, PROTO_LOADER_OPTIONS);
  const queryService = serviceOf(packageDefinition, QUERY_SERVICE_NAME);
  return {
    packageDefinition,
    queryService,
    QueryServiceClient: grpc.makeClientConstructor(queryService, QUERY_SERVICE_NAME) as unknown as Constructor<QueryServiceClient>,
    enums: { RankingOrder: enumValues(packageDefinition, 'nationpulse.read.v1.RankingOrder') },
  };
});

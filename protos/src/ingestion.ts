import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { PackageDefinition } from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS } from './load.ts';
import type { UnaryMethod } from './messages.ts';

export const INGESTION_PROTO_FILE = 'nationpulse/ingestion/v1/ingestion.proto';
export const INGESTION_SERVICE_NAME = 'nationpulse.ingestion.v1.IngestionService';

// Messages of nationpulse.ingestion.v1 as the loader decodes them (camelCase, 64-bit as numbers).

export interface WorldBankCsvSourceMessage {
  path: string;
  indicator?: string;
}
export interface SourceSpecMessage {
  worldBankCsv?: WorldBankCsvSourceMessage | null;
  /** Any source kind, as the JSON spec of POST /api/v1/ingestions. */
  json?: string | null;
  kind?: 'worldBankCsv' | 'json';
}
export interface TriggerRequest {
  spec: SourceSpecMessage | null;
}
export interface ProgressMessage {
  rowsRead: number;
  rowsRejected: number;
  seriesDone: number;
  percent: number;
}
export interface RunSummaryMessage {
  runId: string;
  rowsRead: number;
  rowsChanged: number;
  rowsUnchanged: number;
  rowsRejected: number;
  seriesChanged: number;
  durationMs: number;
  position: number;
  reason: string;
  rejected: { row: number; reason: string }[];
}
export interface RunProgressMessage {
  started?: { runId: string; dataset: string; position: number } | null;
  progress?: ProgressMessage | null;
  completed?: RunSummaryMessage | null;
  failed?: RunSummaryMessage | null;
  event?: 'started' | 'progress' | 'completed' | 'failed';
}
export interface GetRunRequest {
  runId: string;
}
export interface RunMessage {
  runId: string;
  dataset: string;
  status: string;
  trigger: string;
  actor: string;
  startedAt: string;
  finishedAt: string;
  progress: ProgressMessage | null;
  position: number;
  summary: RunSummaryMessage | null;
}

/** The server side of nationpulse.ingestion.v1.IngestionService. */
export interface IngestionServiceHandlers extends grpc.UntypedServiceImplementation {
  Trigger: grpc.handleServerStreamingCall<TriggerRequest, RunProgressMessage>;
  GetRun: grpc.handleUnaryCall<GetRunRequest, RunMessage>;
}

/** The client side of nationpulse.ingestion.v1.IngestionService. */
export interface IngestionServiceClient extends grpc.Client {
  Trigger(request: TriggerRequest, metadata?: grpc.Metadata, options?: Partial<grpc.CallOptions>): grpc.ClientReadableStream<RunProgressMessage>;
  GetRun: UnaryMethod<GetRunRequest, RunMessage>;
}

export interface IngestionProto {
  readonly packageDefinition: PackageDefinition;
  readonly ingestionService: grpc.ServiceDefinition;
  readonly IngestionServiceClient: new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ClientOptions) => IngestionServiceClient;
}

let loaded: IngestionProto | undefined;

/** Parses ingestion.proto once per process. */
export const loadIngestionProto = (): IngestionProto => {
  if (loaded) return loaded;
  const packageDefinition = protoLoader.loadSync(INGESTION_PROTO_FILE, PROTO_LOADER_OPTIONS);
  const service = packageDefinition[INGESTION_SERVICE_NAME];
  if (!service || 'format' in service) throw new Error(`${INGESTION_SERVICE_NAME} is not a service of the loaded protos`);
  loaded = {
    packageDefinition,
    ingestionService: service,
    IngestionServiceClient: grpc.makeClientConstructor(service, INGESTION_SERVICE_NAME) as unknown as IngestionProto['IngestionServiceClient'],
  };
  return loaded;
};

import * as grpc from '@grpc/grpc-js';
import { NationPulseError } from '@nationpulse/domain';
import { loadIngestionProto, nationPulseErrorFrom, type ProgressMessage, type RunProgressMessage, type RunSummaryMessage } from '@nationpulse/protos';
import type { SourceSpec, SourceSpecInput } from '../sources/source-spec.ts';

export interface RemoteTriggerOptions {
  /** host:port of the ingestion service's gRPC endpoint. */
  readonly address: string;
  readonly spec: SourceSpec | SourceSpecInput;
  /** An access token of a user holding ingestion:trigger. */
  readonly token: string;
  /** How long to wait for the service to accept the connection. Default 5 s. */
  readonly connectTimeoutMs?: number;
  /** The longest a run may stay silent (no progress message) before the call is abandoned. Default 5 min. */
  readonly idleTimeoutMs?: number;
  readonly onStarted?: (started: { runId: string; dataset: string; position: number }) => void;
  readonly onProgress?: (progress: ProgressMessage) => void;
}

export type RemoteRunOutcome = { readonly status: 'completed' | 'failed'; readonly summary: RunSummaryMessage };

/**
 * Triggers a run through nationpulse.ingestion.v1.IngestionService and follows its streamed
 * progress to the end. A refusal (INGESTION_RUNNING, PERMISSION_DENIED, a bad spec…) rejects with
 * the NationPulseError the service sent.
 */
export const triggerRemote = async (options: RemoteTriggerOptions): Promise<RemoteRunOutcome> => {
  const { IngestionServiceClient } = loadIngestionProto();
  const client = new IngestionServiceClient(options.address, grpc.credentials.createInsecure());
  try {
    await new Promise<void>((resolve, reject) =>
      client.waitForReady(Date.now() + (options.connectTimeoutMs ?? 5_000), (error) =>
        error ? reject(new NationPulseError('unavailable', 'INGESTION_UNAVAILABLE', `No ingestion service at ${options.address}: ${error.message}`)) : resolve(),
      ),
    );
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${options.token}`);
    const spec = options.spec;
    // World Bank CSV has its own message; every other kind travels as its JSON spec.
    const message =
      spec.kind === 'world-bank-csv' ? { worldBankCsv: { path: spec.path, ...(spec.indicator ? { indicator: spec.indicator } : {}) } } : { json: JSON.stringify(spec) };
    const call = client.Trigger({ spec: message }, metadata);
    return await new Promise<RemoteRunOutcome>((resolve, reject) => {
      let outcome: RemoteRunOutcome | undefined;
      let idle: NodeJS.Timeout | undefined;
      const idleMs = options.idleTimeoutMs ?? 5 * 60_000;
      const touch = () => {
        clearTimeout(idle);
        idle = setTimeout(() => call.cancel(), idleMs);
      };
      touch();
      call.on('data', (message: RunProgressMessage) => {
        touch();
        if (message.started) options.onStarted?.(message.started);
        else if (message.progress) options.onProgress?.(message.progress);
        else if (message.completed) outcome = { status: 'completed', summary: message.completed };
        else if (message.failed) outcome = { status: 'failed', summary: message.failed };
      });
      call.on('error', (error) => {
        clearTimeout(idle);
        reject(nationPulseErrorFrom(error));
      });
      call.on('end', () => {
        clearTimeout(idle);
        if (outcome) resolve(outcome);
        else reject(new NationPulseError('unavailable', 'INGESTION_STREAM_ENDED', 'The progress stream ended before the run did'));
      });
    });
  } finally {
    client.close();
  }
};

import type * as grpc from '@grpc/grpc-js';
import { isNationPulseError, validationError } from '@nationpulse/domain';
import {
  grpcErrorFrom,
  type IngestionServiceHandlers,
  type ProgressMessage,
  type RunMessage,
  type RunSummaryMessage,
  type TriggerRequest,
} from '@nationpulse/protos';
import type { TriggerAuthorizer } from '../access.ts';
import type { IngestionRunner, RunView } from '../ingestion-runner.ts';
import { sourceSpecSchema, type SourceSpec } from '../../sources/source-spec.ts';

export interface IngestionGrpcServiceOptions {
  readonly runner: IngestionRunner;
  readonly authorize: TriggerAuthorizer;
  readonly logger?: { error(obj: object, msg: string): void };
}

/** Rejected rows sent in a summary message (the run's record in the event store keeps up to 1,000). */
const REJECTED_IN_SUMMARY = 20;

/** The request's spec (a World Bank CSV message, or any kind as JSON), through the same schema as the HTTP body. */
export const specFromMessage = (request: TriggerRequest): SourceSpec => {
  const csv = request.spec?.worldBankCsv;
  const json = request.spec?.json;
  let input: unknown;
  if (csv) input = { kind: 'world-bank-csv', path: csv.path, ...(csv.indicator ? { indicator: csv.indicator } : {}) };
  else if (json) {
    try {
      input = JSON.parse(json);
    } catch {
      throw validationError('spec.json is not JSON', [{ path: 'spec.json', message: 'not JSON' }]);
    }
  } else throw validationError('spec must name a source (world_bank_csv or json)', [{ path: 'spec', message: 'a source is required' }]);
  const parsed = sourceSpecSchema.safeParse(input);
  if (!parsed.success) {
    throw validationError('Invalid source spec', parsed.error.issues.map((i) => ({ path: ['spec', ...i.path.map(String)].join('.'), message: i.message })));
  }
  return parsed.data;
};

const progressMessage = (run: RunView): ProgressMessage => ({ ...run.progress });

const summaryMessage = (run: RunView): RunSummaryMessage => ({
  runId: run.runId,
  rowsRead: run.summary?.rowsRead ?? run.progress.rowsRead,
  rowsChanged: run.summary?.rowsChanged ?? 0,
  rowsUnchanged: run.summary?.rowsUnchanged ?? 0,
  rowsRejected: run.summary?.rowsRejected ?? run.progress.rowsRejected,
  seriesChanged: run.summary?.seriesChanged ?? 0,
  durationMs: run.summary?.durationMs ?? 0,
  position: run.position ?? 0,
  reason: run.reason ?? '',
  rejected: (run.summary?.rejected ?? []).slice(0, REJECTED_IN_SUMMARY).map((r) => ({ row: r.row, reason: r.reason })),
});

export const runMessage = (run: RunView): RunMessage => ({
  runId: run.runId,
  dataset: run.dataset,
  status: run.status,
  trigger: run.trigger,
  actor: run.actor,
  startedAt: run.startedAt,
  finishedAt: run.finishedAt ?? '',
  progress: progressMessage(run),
  position: run.position ?? 0,
  summary: run.status === 'running' ? null : summaryMessage(run),
});

const authorizationOf = (metadata: grpc.Metadata): string | undefined => {
  const value = metadata.get('authorization')[0];
  return typeof value === 'string' ? value : undefined;
};

/**
 * nationpulse.ingestion.v1.IngestionService over the same runner as the HTTP admin API. Trigger
 * streams started → progress… → completed | failed; a client that goes away stops the stream,
 * never the run (which holds the dataset's lock until it ends).
 */
export const createIngestionGrpcService = ({ runner, authorize, logger }: IngestionGrpcServiceOptions): IngestionServiceHandlers => {
  const fail = (error: unknown, path: string): grpc.ServiceError => {
    if (!isNationPulseError(error) || error.kind === 'internal' || error.kind === 'unavailable') {
      logger?.error({ err: error, rpc: path }, isNationPulseError(error) ? error.message : 'unhandled error');
    }
    return grpcErrorFrom(error);
  };

  return {
    Trigger(call) {
      let unwatch = () => undefined as void;
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        unwatch();
        call.end();
      };
      call.on('cancelled', () => {
        ended = true;
        unwatch();
      });
      const run = async () => {
        const spec = specFromMessage(call.request);
        const actor = await authorize(authorizationOf(call.metadata));
        const { run: started, done } = await runner.trigger(spec, { trigger: 'manual', actor });
        if (ended) return;
        call.write({ started: { runId: started.runId, dataset: started.dataset, position: started.position ?? 0 } });
        unwatch = runner.watch(started.runId, (update) => {
          if (update.kind === 'progress' && !ended) call.write({ progress: progressMessage(update.run) });
        });
        const finished = await done;
        if (ended) return;
        call.write(finished.status === 'completed' ? { completed: summaryMessage(finished) } : { failed: summaryMessage(finished) });
        end();
      };
      run().catch((error: unknown) => {
        if (ended) return;
        ended = true;
        unwatch();
        // grpc-js turns an 'error' on a server stream into the call's status; destroy() would drop it.
        call.emit('error', fail(error, call.getPath()));
      });
    },

    GetRun(call, callback) {
      const run = async () => {
        await authorize(authorizationOf(call.metadata));
        return runMessage(runner.get(call.request.runId));
      };
      run().then(
        (reply) => callback(null, reply),
        (error: unknown) => callback(fail(error, call.getPath())),
      );
    },
  };
};

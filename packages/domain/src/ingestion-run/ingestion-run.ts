import { z } from 'zod';
import { defineEvent, type DomainEventOf } from '../envelope.ts';
import { conflict, notFound } from '../errors.ts';

/** One ingestion run, from start to its outcome. Stream: ingestion-{runId}. */
export const ingestionRunStreamId = (runId: string): string => `ingestion-${runId}`;
export const INGESTION_STREAM_PREFIX = 'ingestion-';

export const ingestionSources = ['worldbank-api', 'oecd-sdmx', 'file', 'demo'] as const;
export const ingestionTriggers = ['manual', 'schedule', 'startup'] as const;
/** The run record keeps this many rejected rows; the count is always exact. */
export const MAX_REJECTED_ROWS_KEPT = 1000;

const rejectedRow = z.object({ row: z.number().int().nonnegative(), reason: z.string().min(1), raw: z.string().max(500).optional() });

export const IngestionRunStarted = defineEvent(
  'IngestionRunStarted',
  z.object({
    runId: z.string().min(1),
    source: z.enum(ingestionSources),
    dataset: z.string().min(1),
    trigger: z.enum(ingestionTriggers),
    parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  }),
);

export const IngestionRunCompleted = defineEvent(
  'IngestionRunCompleted',
  z.object({
    runId: z.string().min(1),
    rowsRead: z.number().int().nonnegative(),
    rowsChanged: z.number().int().nonnegative(),
    rowsUnchanged: z.number().int().nonnegative(),
    rowsRejected: z.number().int().nonnegative(),
    seriesChanged: z.number().int().nonnegative(),
    rejected: z.array(rejectedRow).max(MAX_REJECTED_ROWS_KEPT),
    durationMs: z.number().nonnegative(),
  }),
);

export const IngestionRunFailed = defineEvent(
  'IngestionRunFailed',
  z.object({ runId: z.string().min(1), reason: z.string().min(1), durationMs: z.number().nonnegative() }),
);

export type IngestionRunEvent =
  | DomainEventOf<typeof IngestionRunStarted>
  | DomainEventOf<typeof IngestionRunCompleted>
  | DomainEventOf<typeof IngestionRunFailed>;

export type IngestionRunStatus = 'none' | 'running' | 'completed' | 'failed';
export interface IngestionRunState {
  readonly status: IngestionRunStatus;
}
export const initialIngestionRunState: IngestionRunState = { status: 'none' };

type Started = DomainEventOf<typeof IngestionRunStarted>['data'];
type Completed = DomainEventOf<typeof IngestionRunCompleted>['data'];
type Failed = DomainEventOf<typeof IngestionRunFailed>['data'];
export type IngestionRunCommand =
  | ({ readonly type: 'StartIngestionRun' } & Started)
  | ({ readonly type: 'CompleteIngestionRun' } & Completed)
  | ({ readonly type: 'FailIngestionRun' } & Failed);

export const evolveIngestionRun = (_state: IngestionRunState, event: IngestionRunEvent): IngestionRunState => {
  switch (event.type) {
    case 'IngestionRunStarted':
      return { status: 'running' };
    case 'IngestionRunCompleted':
      return { status: 'completed' };
    case 'IngestionRunFailed':
      return { status: 'failed' };
  }
};

export const decideIngestionRun = (command: IngestionRunCommand, state: IngestionRunState): IngestionRunEvent[] => {
  const { type, ...data } = command;
  if (type === 'StartIngestionRun') {
    if (state.status !== 'none') throw conflict('RUN_ALREADY_STARTED', `Ingestion run ${command.runId} already exists`);
    return [{ type: 'IngestionRunStarted', data: data as Started }];
  }
  if (state.status === 'none') throw notFound('RUN_NOT_FOUND', `No ingestion run ${command.runId}`);
  if (state.status !== 'running') throw conflict('RUN_ALREADY_FINISHED', `Ingestion run ${command.runId} already ${state.status}`);
  return type === 'CompleteIngestionRun'
    ? [{ type: 'IngestionRunCompleted', data: data as Completed }]
    : [{ type: 'IngestionRunFailed', data: data as Failed }];
};

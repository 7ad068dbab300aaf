import type { Clock } from '@nationpulse/platform';
import type { EventStore, ReadStore } from '@nationpulse/ports';
import { projections as catalogue, type ProjectionDefinition } from '@nationpulse/read-models';
import { createProjectionManager, type ProjectionManager } from './runner/projection-manager.ts';
import type { RunnerProgress } from './runner/projection-runner.ts';

/** The projectors' object graph; the same in the service, the CLI and the embedded platform. */
export const createProjectors = (deps: {
  eventStore: EventStore;
  readStore: ReadStore;
  clock: Clock;
  batchSize?: number;
  projections?: readonly ProjectionDefinition[];
  onProgress?: (p: RunnerProgress) => void;
  onError?: (projection: string, error: unknown) => void;
}): ProjectionManager =>
  createProjectionManager({
    eventStore: deps.eventStore,
    readStore: deps.readStore,
    projections: deps.projections ?? catalogue,
    clock: deps.clock,
    ...(deps.batchSize ? { batchSize: deps.batchSize } : {}),
    ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
    ...(deps.onError ? { onError: deps.onError } : {}),
  });

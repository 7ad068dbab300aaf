export { createProjectors, rebuildSharesFor } from './composition.ts';
export { createProjectionManager, type ProjectionManager, type ProjectionStatus, type ProjectionHooks } from './runner/projection-manager.ts';
export { applyBatch, startProjectionRunner, type RunnerProgress } from './runner/projection-runner.ts';
export { startProjectorsService, type ProjectorsService } from './service.ts';
export { projectorsConfigSchema, type ProjectorsConfig } from './config.ts';
export { createWorkerShares, inProcessShares, type RebuildShares } from './runner/worker-shares.ts';

/**
 * Reporting: report generation as a saga over a message bus (Kafka, or the embedded SQLite log).
 * The embedded platform starts it in-process with the shared event store.
 */
export { startReportingService, createMessageBus, createArtifactStore, type ReportingService, type ReportingShared } from './service.ts';
export { reportingConfigSchema, reportingRoles, type ReportingConfig } from './config.ts';
export { createReportSaga, type ReportSaga } from './saga/report-saga.ts';
export { createOutboxRelay, RELAY_CHECKPOINT } from './relay/outbox-relay.ts';
export { createReportWorker, artifactKey } from './worker/report-worker.ts';
export type { GenerateReport, ReportOutcome, DeadLetter } from './messages.ts';

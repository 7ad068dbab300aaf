import { createEventRegistry } from './envelope.ts';
import { IngestionRunCompleted, IngestionRunFailed, IngestionRunStarted } from './ingestion-run/ingestion-run.ts';
import { ReportFailed, ReportGenerated, ReportRequested, ReportRetried } from './report/report.ts';
import { ObservationCorrected, ObservationsRecorded } from './series/series.ts';
import {
  PermissionGranted,
  PermissionRevoked,
  RoleGranted,
  RoleRevoked,
  UserDisabled,
  UsernameClaimed,
  UserPasswordSet,
  UserRegistered,
} from './user/user.ts';

/** Every event type NationPulse writes, with its current schema version and upcasters. */
export const eventCatalogue = createEventRegistry([
  ObservationsRecorded,
  ObservationCorrected,
  IngestionRunStarted,
  IngestionRunCompleted,
  IngestionRunFailed,
  UserRegistered,
  UserPasswordSet,
  UserDisabled,
  RoleGranted,
  RoleRevoked,
  PermissionGranted,
  PermissionRevoked,
  UsernameClaimed,
  ReportRequested,
  ReportRetried,
  ReportGenerated,
  ReportFailed,
]);

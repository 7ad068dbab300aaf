import { changeLogProjection } from './change-log/change-log.projection.ts';
import { countryProfilesProjection } from './country-profiles/country-profiles.projection.ts';
import { ingestionRunsProjection } from './ingestion-runs/ingestion-runs.projection.ts';
import { observationsProjection } from './observations/observations.projection.ts';
import type { ProjectionDefinition } from './projection.ts';
import { reportsProjection } from './reports/reports.projection.ts';
import { seriesProjection } from './series/series.projection.ts';
import { usersProjection } from './users/users.projection.ts';

/** Every read model the projectors keep up to date. */
export const projections: readonly ProjectionDefinition[] = [
  countryProfilesProjection,
  seriesProjection,
  observationsProjection,
  usersProjection,
  ingestionRunsProjection,
  changeLogProjection,
  reportsProjection,
];

/**
 * The read models a query may read, by the name of the projection that writes them. A projection's
 * live checkpoint carries the same name: it is what read-your-writes waits on.
 */
export const projections = {
  countryProfiles: 'country-profiles',
  series: 'series',
  observations: 'observations',
  users: 'users',
  ingestionRuns: 'ingestion-runs',
  changeLog: 'change-log',
  reports: 'reports',
} as const;

export type ProjectionName = (typeof projections)[keyof typeof projections];

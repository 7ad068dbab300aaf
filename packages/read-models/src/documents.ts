/**
 * The documents of every read model: what projections write and the read API serves.
 * Collection names are logical; the projector maps them to physical live/shadow collections.
 */

export const collections = {
  countryProfiles: 'country_profiles',
  series: 'series',
  indicatorYears: 'indicator_years',
  users: 'users',
  accessLog: 'access_log',
  ingestionRuns: 'ingestion_runs',
  changeSets: 'change_sets',
  reports: 'reports',
} as const;

/** country_profiles, id = ISO3 (countries and aggregates alike; `isAggregate` tells them apart). */
export interface CountryProfileDoc {
  readonly country: string;
  readonly isAggregate: boolean;
  /** Latest known value per indicator code. */
  readonly latest: Readonly<Record<string, { readonly year: number; readonly value: number }>>;
}

/**
 * series (version 2), id = `${country}:${indicator}`: the years in ascending order, one each, and
 * their values at the same index. Two arrays of numbers instead of an object per point: a series
 * document is written whole whenever one of its values changes, and this layout is about half the
 * JSON to write, store and parse (the dominant cost of a series rebuild). Readers go through
 * `seriesPoints`, which also reads the version-1 layout a live copy keeps until the rebuild is
 * swapped in.
 */
export interface SeriesDoc {
  readonly country: string;
  readonly indicator: string;
  readonly isAggregate: boolean;
  readonly years: readonly number[];
  readonly values: readonly number[];
}

/** What series version 1 stored: one `{ year, value }` per point, sorted by year. */
export interface SeriesDocV1 {
  readonly country: string;
  readonly indicator: string;
  readonly isAggregate: boolean;
  readonly points: readonly { readonly year: number; readonly value: number }[];
}

/**
 * indicator_years, id = `${indicator}:${year}`: every area's value of one indicator in one year.
 * One document holds a whole ranking (rankings, dashboards, an indicator's latest year), and an
 * ingestion run, which goes indicator by indicator, rewrites a few of them per batch instead of
 * one document per value.
 */
export interface IndicatorYearDoc {
  readonly indicator: string;
  readonly year: number;
  /** Countries' values by ISO3: what rankings order. */
  readonly countries: Readonly<Record<string, number>>;
  /** Aggregates' values by code (World, income groups, …): never ranked; WLD heads dashboards. */
  readonly aggregates: Readonly<Record<string, number>>;
  /** How many countries have a value, so the latest year with one is found by index. */
  readonly countryCount: number;
}

/** users, id = userId: what the gateway checks on every request. */
export interface UserDoc {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly roles: readonly string[];
  readonly grants: readonly string[];
  /** roles' permissions plus grants; empty when disabled. */
  readonly permissions: readonly string[];
  readonly disabled: boolean;
  readonly passwordHash: string | null;
  readonly registeredAt: string;
  readonly updatedAt: string;
}

/** access_log, id = eventId: every access change — who, whom, what, when. */
export interface AccessLogDoc {
  readonly eventId: string;
  readonly at: string;
  readonly actor: string;
  readonly userId: string;
  readonly change: 'registered' | 'disabled' | 'role-granted' | 'role-revoked' | 'permission-granted' | 'permission-revoked';
  readonly role: string | null;
  readonly permission: string | null;
  readonly position: number;
}

/** ingestion_runs, id = runId. */
export interface IngestionRunDoc {
  readonly runId: string;
  readonly source: string;
  readonly dataset: string;
  readonly trigger: string;
  readonly actor: string;
  readonly parameters: Readonly<Record<string, string | number | boolean>>;
  readonly status: 'running' | 'completed' | 'failed';
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly rowsRead: number | null;
  readonly rowsChanged: number | null;
  readonly rowsUnchanged: number | null;
  readonly rowsRejected: number | null;
  readonly seriesChanged: number | null;
  readonly rejected: readonly { readonly row: number; readonly reason: string; readonly raw?: string }[];
  readonly failureReason: string | null;
  readonly durationMs: number | null;
}

/** One changed value of a change set: `[year, value, previous]` (compact: an ingested series changes ~57 values at once). */
export type ValueChange = readonly [year: number, value: number, previous: number | null];

/**
 * change_sets, id = eventId: the values one event changed (an ingestion's series, or a
 * correction), with the values they replaced, who, when and the event's position; for audit and
 * "as of" queries, which unwind `changes` into entries (`changeLogEntries`).
 */
export interface ChangeSetDoc {
  readonly country: string;
  readonly indicator: string;
  readonly kind: 'ingested' | 'corrected';
  readonly source: string;
  readonly runId: string | null;
  readonly reason: string | null;
  readonly actor: string;
  readonly at: string;
  readonly eventId: string;
  readonly position: number;
  /** By year, one per year. */
  readonly changes: readonly ValueChange[];
  /** changes.length, so audit totals are summed by the store without reading the changes. */
  readonly changeCount: number;
}

/** One changed value with its change set's context: what audit queries answer. */
export interface ChangeLogEntry extends Omit<ChangeSetDoc, 'changes' | 'changeCount'> {
  readonly year: number;
  readonly value: number;
  readonly previous: number | null;
}

/** reports, id = reportId. */
export interface ReportDoc {
  readonly reportId: string;
  readonly requestedBy: string;
  readonly spec: Readonly<Record<string, unknown>>;
  readonly format: string;
  readonly status: 'requested' | 'generated' | 'failed';
  readonly requestedAt: string;
  readonly updatedAt: string;
  readonly artifact: {
    readonly uri: string;
    readonly fileName: string;
    readonly contentType: string;
    readonly sizeBytes: number;
    readonly sha256: string;
  } | null;
  readonly rows: number | null;
  readonly failure: { readonly reason: string; readonly message: string; readonly attempts: number } | null;
}

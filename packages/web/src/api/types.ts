/**
 * The public API's JSON shapes, as the read API's zod schemas (read-api/src/queries/*) and the
 * write API's commands (write-api/src/commands/*) define them. Shapes the gateway adds
 * (sign-in, /me, report status, ingestions, users) are marked as such.
 */

import type { AuditAsOfOutput, AuditChangesOutput, AuditRunOutput, AuditRunsOutput, AuditSeriesOutput, ChangeEntry as AuditChangeEntry, RunSummary as AuditRunSummary } from '@nationpulse/read-api/audit-answers';

export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

// --- auth (gateway) ---
export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Seconds the access token lives. */
  readonly expiresIn?: number;
}

/** GET /api/v1/auth/me (gateway): who is signed in and what they may do. */
export interface Me {
  readonly userId: string;
  readonly username: string;
  readonly displayName?: string;
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
}

// --- catalogue ---
export interface CountrySummary {
  readonly iso3: string;
  readonly iso2: string | null;
  readonly name: string;
  readonly region: string | null;
  readonly subregion: string | null;
  readonly isAggregate: boolean;
  readonly hasData: boolean;
}
export interface CountryList {
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
  readonly countries: readonly CountrySummary[];
}

export type IndicatorCategory = 'population' | 'health' | 'economy' | (string & {});
export interface IndicatorSummary {
  readonly code: string;
  readonly name: string;
  readonly unit: string;
  readonly category: IndicatorCategory;
  readonly decimals: number;
  readonly description: string;
  readonly latestYear: number | null;
  /** Where the values come from, when the API says (e.g. "World Bank WDI", "OECD", "demo"). */
  readonly source?: string;
}
export interface IndicatorList {
  readonly indicators: readonly IndicatorSummary[];
}

export interface LatestValue {
  readonly code: string;
  readonly name: string;
  readonly unit: string;
  readonly category: IndicatorCategory;
  readonly decimals: number;
  readonly year: number;
  readonly value: number;
}
export interface CountryProfile {
  readonly iso3: string;
  readonly iso2: string | null;
  readonly numeric: string | null;
  readonly name: string;
  readonly officialName: string | null;
  readonly region: string | null;
  readonly subregion: string | null;
  readonly isAggregate: boolean;
  readonly indicators: readonly LatestValue[];
}

// --- series, rankings, dashboards, compare ---
export interface SeriesPoint {
  readonly year: number;
  readonly value: number;
  /** Year-on-year change in percent; null without a previous year. */
  readonly growth: number | null;
}
export interface Series {
  readonly country: string;
  readonly countryName: string;
  readonly indicator: string;
  readonly indicatorName: string;
  readonly unit: string;
  readonly points: readonly SeriesPoint[];
  readonly source?: string;
}

export interface RankingEntry {
  readonly rank: number;
  readonly country: string;
  readonly name: string;
  readonly value: number;
}
export interface Rankings {
  readonly indicator: string;
  readonly indicatorName: string;
  readonly unit: string;
  readonly year: number | null;
  readonly order: 'asc' | 'desc';
  readonly total: number;
  readonly entries: readonly RankingEntry[];
  readonly source?: string;
}

export type DashboardId = 'population' | 'health' | 'gdp';
export interface DashboardIndicator {
  readonly indicator: string;
  readonly indicatorName: string;
  readonly unit: string;
  readonly decimals: number;
  readonly year: number | null;
  readonly world: number | null;
  readonly total: number;
  readonly top: readonly RankingEntry[];
  readonly bottom: readonly RankingEntry[];
  readonly source?: string;
}
export interface Dashboard {
  readonly dashboard: string;
  readonly year: number | null;
  readonly indicators: readonly DashboardIndicator[];
}

export interface Comparison {
  readonly indicator: string;
  readonly indicatorName: string;
  readonly unit: string;
  readonly series: readonly { readonly country: string; readonly countryName: string; readonly points: readonly { readonly year: number; readonly value: number }[] }[];
  readonly source?: string;
}

// --- audit: the read API's own answer types (imported types only: nothing of the server reaches the bundle) ---
export type ChangeEntry = AuditChangeEntry;
export type SeriesHistory = AuditSeriesOutput;
export type RunSummary = AuditRunSummary;
export type RunList = AuditRunsOutput;
export type RunDetail = AuditRunOutput;
export type ChangeList = AuditChangesOutput;
export type AsOf = AuditAsOfOutput;

// --- commands (write API through the gateway): every answer carries the consistency token ---
export interface CommandReceipt {
  readonly position: number;
}

export type ReportSpec =
  | { readonly kind: 'country-profile'; readonly country: string; readonly fromYear: number; readonly toYear: number }
  | { readonly kind: 'indicator-all-countries'; readonly indicator: string; readonly fromYear: number; readonly toYear: number }
  | { readonly kind: 'ranking'; readonly indicator: string; readonly year: number; readonly order: 'asc' | 'desc' };
export type ReportFormat = 'csv' | 'xlsx';

/** GET /api/v1/reports/{id} (gateway, from the reports read model). */
export interface Report {
  readonly reportId: string;
  readonly requestedBy?: string;
  readonly spec: ReportSpec;
  readonly format: ReportFormat;
  readonly status: 'requested' | 'generated' | 'failed';
  readonly requestedAt: string;
  readonly updatedAt: string;
  readonly artifact: { readonly fileName: string; readonly contentType: string; readonly sizeBytes: number; readonly sha256?: string } | null;
  readonly rows: number | null;
  readonly failure: { readonly reason: string; readonly message: string; readonly attempts: number } | null;
}

/** GET /api/v1/users (gateway, from the users read model). */
export interface User {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly roles: readonly string[];
  readonly grants: readonly string[];
  readonly permissions: readonly string[];
  readonly disabled: boolean;
}

/** GET /api/v1/audit/access: one access change — who (actor), whom (user), what, when. */
export interface AccessChange {
  readonly at: string;
  readonly actor: string;
  readonly actorName: string | null;
  readonly userId: string;
  readonly username: string | null;
  readonly change: 'registered' | 'disabled' | 'role-granted' | 'role-revoked' | 'permission-granted' | 'permission-revoked';
  readonly role: string | null;
  readonly permission: string | null;
  readonly position: number;
}
export interface AccessChangeList {
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
  readonly changes: readonly AccessChange[];
}

/** POST /api/v1/ingestions source specs (gateway → ingestion). */
export type IngestionSource = { readonly kind: 'world-bank-csv'; readonly path: string } | { readonly kind: string; readonly [parameter: string]: unknown };

/** GET /api/v1/ops/projections (projectors' ProjectionStatus). */
export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  readonly status: string;
  readonly position: number;
  readonly head: number;
  readonly lag: number;
  readonly rebuild: { readonly version: number; readonly position: number; readonly target: number; readonly eventsPerSecond: number; readonly etaSeconds: number | null } | null;
  readonly error: string | null;
}

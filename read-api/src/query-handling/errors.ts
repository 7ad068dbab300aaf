import { NationPulseError, notFound } from '@nationpulse/domain';
import type { Position } from '@nationpulse/ports';

/** The read API's stable error codes (beyond VALIDATION_FAILED and the platform's own). */
export const countryNotFound = (country: string): NationPulseError =>
  notFound('COUNTRY_NOT_FOUND', `No country or aggregate with the code ${country}`, { country });

export const indicatorNotFound = (indicator: string): NationPulseError =>
  notFound('INDICATOR_NOT_FOUND', `No indicator with the code ${indicator}`, { indicator });

export const dashboardNotFound = (dashboard: string): NationPulseError =>
  notFound('DASHBOARD_NOT_FOUND', `No dashboard named ${dashboard}`, { dashboard });

/** 503: a read model has not caught up with the position the client asked for (read-your-writes). */
export const positionNotReached = (details: { projection: string; minPosition: Position; position: Position | null; waitedMs: number }): NationPulseError =>
  new NationPulseError(
    'unavailable',
    'POSITION_NOT_REACHED',
    `The ${details.projection} read model has not reached position ${details.minPosition} yet (it is at ${details.position ?? 'none'}); retry shortly`,
    details,
  );

/**
 * 503: the live copy of a read model holds another version's layout than this code reads (an
 * upgrade is rebuilding the new one): answering from it would return nothing or wrong data.
 */
export const projectionRebuilding = (details: { projection: string; servedVersion: number; expectedVersion: number }): NationPulseError =>
  new NationPulseError(
    'unavailable',
    'PROJECTION_REBUILDING',
    `The ${details.projection} read model is being rebuilt for version ${details.expectedVersion} (version ${details.servedVersion} is live); retry shortly`,
    details,
  );

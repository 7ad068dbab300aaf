import { countryCode, indicatorCode } from '@nationpulse/domain';
import { countryByIso3, indicatorByCode, isAggregate, aggregates, type Country, type Indicator } from '@nationpulse/reference-data';
import { z } from 'zod';
import { countryNotFound, indicatorNotFound } from '../query-handling/errors.ts';

/**
 * The fields queries share. Numbers coerce, so one schema serves HTTP (query strings) and gRPC
 * (numbers) alike; an absent optional field stays undefined.
 */
export const fields = {
  country: countryCode,
  indicator: indicatorCode,
  year: z.coerce.number().int().min(1800).max(2200),
  limit: z.coerce.number().int().min(1).max(300),
  offset: z.coerce.number().int().min(0).max(100_000),
  order: z.enum(['desc', 'asc']),
};

/** A from..to year range, both optional: `from` must not come after `to`. */
export const yearRangeShape = { from: fields.year.optional(), to: fields.year.optional() };
export const fromNotAfterTo: [(range: { from?: number | undefined; to?: number | undefined }) => boolean, { message: string; path: string[] }] = [
  (range) => range.from === undefined || range.to === undefined || range.from <= range.to,
  { message: '"from" must not be after "to"', path: ['to'] },
];

export const inYearRange = (year: number, range: { from?: number | undefined; to?: number | undefined }): boolean =>
  (range.from === undefined || year >= range.from) && (range.to === undefined || year <= range.to);

/** A country or an aggregate, as reference data names it. */
export interface Area {
  readonly iso3: string;
  readonly name: string;
  readonly isAggregate: boolean;
  readonly country: Country | null;
}

const aggregateNames: ReadonlyMap<string, string> = new Map(aggregates.map((a) => [a.code, a.name]));

/** The country or aggregate with this code, or null. */
export const areaOf = (code: string): Area | null => {
  const country = countryByIso3(code);
  if (country) return { iso3: code, name: country.name, isAggregate: false, country };
  const aggregate = isAggregate(code) ? aggregateNames.get(code) : undefined;
  return aggregate === undefined ? null : { iso3: code, name: aggregate, isAggregate: true, country: null };
};

/** The country or aggregate, or 404 COUNTRY_NOT_FOUND. */
export const requireArea = (code: string): Area => {
  const area = areaOf(code);
  if (!area) throw countryNotFound(code);
  return area;
};

/** The indicator, or 404 INDICATOR_NOT_FOUND. */
export const requireIndicator = (code: string): Indicator => {
  const indicator = indicatorByCode(code);
  if (!indicator) throw indicatorNotFound(code);
  return indicator;
};

/** A country's display name: reference data's, else the code itself. */
export const nameOf = (code: string): string => areaOf(code)?.name ?? code;

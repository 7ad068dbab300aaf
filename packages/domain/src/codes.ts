import { z } from 'zod';

/** ISO 3166-1 alpha-3 for countries; World Bank aggregates (WLD, EUU, …) share the shape. */
export const countryCode = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 3166-1 alpha-3 code such as FRA');
/** World Bank indicator code, e.g. SP.POP.TOTL or NY.GDP.MKTP.KD.ZG. */
export const indicatorCode = z.string().regex(/^[A-Z][A-Z0-9]*(\.[A-Z0-9]+)+$/, 'expected an indicator code such as SP.POP.TOTL');
export const observationYear = z.number().int().min(1800).max(2200);
export const observationValue = z.number().refine(Number.isFinite, 'expected a finite number');
export const identifier = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'expected 1-64 letters, digits, - or _');

import { NationPulseError, observationYear } from '@nationpulse/domain';
import { countries, isAggregate, isCountry } from '@nationpulse/reference-data';
import { z } from 'zod';

/** The `meta` element of an Indicators API v2 page (numbers sometimes come as strings). */
const metaSchema = z.object({
  page: z.coerce.number().int().nonnegative(),
  pages: z.coerce.number().int().nonnegative(),
  per_page: z.coerce.number().int().nonnegative(),
  total: z.coerce.number().int().nonnegative(),
  lastupdated: z.string().nullish(),
});
export type WorldBankPageMeta = z.infer<typeof metaSchema>;

const rowSchema = z.object({
  indicator: z.object({ id: z.string() }),
  country: z.object({ id: z.string(), value: z.string() }),
  countryiso3code: z.string(),
  date: z.string(),
  value: z.number().nullable(),
});

const errorBodySchema = z.tuple([z.object({ message: z.array(z.object({ id: z.string().optional(), key: z.string().optional(), value: z.string().optional() })).min(1) })]);

export interface WorldBankPage {
  readonly meta: WorldBankPageMeta;
  /** The rows as sent, each read later on its own (a bad row is rejected, not the page). */
  readonly rows: readonly unknown[];
}

const MAX_RAW_KEPT = 500;

/** A row as sent, for the run record. */
export const rawRow = (row: unknown): string => JSON.stringify(row).slice(0, MAX_RAW_KEPT);

/** The API refused the query (HTTP 200 with a `message` array): retrying cannot help. */
export const worldBankApiError = (messages: readonly { id?: string | undefined; key?: string | undefined; value?: string | undefined }[], context: string): NationPulseError =>
  new NationPulseError(
    'validation',
    'WORLD_BANK_API_ERROR',
    `World Bank API refused ${context}: ${messages.map((m) => [m.key, m.value].filter(Boolean).join(': ') + (m.id ? ` (id ${m.id})` : '')).join('; ')}`,
    { messages },
  );

const malformed = (context: string, reason: string): NationPulseError =>
  new NationPulseError('unavailable', 'WORLD_BANK_API_MALFORMED', `World Bank API sent an unreadable page for ${context}: ${reason}`);

/**
 * Reads one page: `[meta, rows]`, `[meta, null]` for no data, or the error form
 * `[{"message":[{"id","key","value"}]}]` that the API sends with HTTP 200 (thrown as
 * WORLD_BANK_API_ERROR). Anything else is WORLD_BANK_API_MALFORMED.
 */
export const parseWorldBankPage = (text: string, context: string): WorldBankPage => {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw malformed(context, `not JSON (${JSON.stringify(text.slice(0, 80))})`);
  }
  const error = errorBodySchema.safeParse(body);
  if (error.success) throw worldBankApiError(error.data[0].message, context);
  if (!Array.isArray(body) || body.length !== 2) throw malformed(context, 'expected [meta, rows]');
  const meta = metaSchema.safeParse(body[0]);
  if (!meta.success) throw malformed(context, `bad meta: ${meta.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join(', ')}`);
  const rows: unknown = body[1];
  if (rows !== null && !Array.isArray(rows)) throw malformed(context, 'rows are neither a list nor null');
  return { meta: meta.data, rows: rows ?? [] };
};

const iso3ByIso2: ReadonlyMap<string, string> = new Map(countries.map((c) => [c.iso2, c.iso3]));

export type WorldBankRow =
  | { readonly kind: 'row'; readonly country: string; readonly year: number; readonly value: number }
  | { readonly kind: 'missing' }
  | { readonly kind: 'rejected'; readonly reason: string; readonly raw: string };

/**
 * One data row: a country or World Bank aggregate known to the reference data (aggregates are
 * ingested like countries and told apart by the read side, as with the CSV files), an annual
 * date and a finite value. `value: null` is a missing value, skipped. A row whose
 * `countryiso3code` is empty is matched on its ISO2 `country.id`; an aggregate without an alpha-3
 * code cannot be matched and is rejected.
 */
export const readWorldBankRow = (row: unknown, indicator: string): WorldBankRow => {
  const reject = (reason: string): WorldBankRow => ({ kind: 'rejected', reason, raw: rawRow(row) });
  const parsed = rowSchema.safeParse(row);
  if (!parsed.success) return reject(`unreadable row: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join(', ')}`);
  const { indicator: rowIndicator, country, countryiso3code, date, value } = parsed.data;
  if (rowIndicator.id.toUpperCase() !== indicator) return reject(`row of indicator ${rowIndicator.id}, expected ${indicator}`);
  if (value === null) return { kind: 'missing' };
  const code = countryiso3code.trim().toUpperCase() || iso3ByIso2.get(country.id.toUpperCase()) || '';
  if (code === '') return reject(`aggregate ${country.value} (${country.id}) has no alpha-3 code`);
  if (!isCountry(code) && !isAggregate(code)) return reject(`unknown country or aggregate code ${code}`);
  if (!/^\d{4}$/.test(date)) return reject(`not an annual date ${JSON.stringify(date)}`);
  if (!observationYear.safeParse(Number(date)).success) return reject(`year ${date} is outside 1800-2200`);
  if (!Number.isFinite(value)) return reject(`invalid value ${String(value)}`);
  return { kind: 'row', country: code, year: Number(date), value };
};

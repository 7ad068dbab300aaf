import { NationPulseError, observationYear } from '@nationpulse/domain';
import { isAggregate, isCountry } from '@nationpulse/reference-data';
import type { SdmxIndicatorMapping } from '../source-spec.ts';

/** The input cannot be read as SDMX at all (header, structure, mapping): nothing from it is ingested. */
export class SdmxStructureError extends NationPulseError {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super('validation', 'SDMX_STRUCTURE_INVALID', `${input}: ${reason}`, { input });
    this.name = 'SdmxStructureError';
  }
}

/** The id of a dataflow however it is written: `AG:ID(1.0)`, `AG,ID,1.0`, a URN, or the bare `ID`. */
export const dataflowId = (reference: string): string => {
  let ref = reference.trim();
  if (ref.includes('=')) ref = ref.slice(ref.lastIndexOf('=') + 1);
  ref = ref.replace(/\([^)]*\)$/, '');
  if (ref.includes(':')) return ref.slice(ref.indexOf(':') + 1);
  const parts = ref.split(',');
  return (parts.length > 1 ? parts[1]! : ref).trim();
};

/** The code of a coded value, with or without its label (`AUS: Australia` → `AUS`). */
export const codeOf = (value: string): string => {
  const colon = value.indexOf(': ');
  return (colon === -1 ? value : value.slice(0, colon)).trim();
};

export interface MappingRule {
  readonly indicator: string;
  readonly dataflow: string | null;
  readonly dimensions: readonly (readonly [string, string])[];
}

export interface SdmxMapping {
  readonly rules: readonly MappingRule[];
  /** The dimension holding the country code (REF_AREA by default). */
  readonly countryDimension: string;
}

export const compileMapping = (mappings: readonly SdmxIndicatorMapping[], countryDimension: string): SdmxMapping => ({
  countryDimension,
  rules: mappings.map((m) => ({ indicator: m.indicator, dataflow: m.dataflow ? dataflowId(m.dataflow) : null, dimensions: Object.entries(m.dimensions) })),
});

/**
 * The rules an input can apply, given the components it has; throws SdmxStructureError when the
 * country or time dimension, the observation value, or every rule's dimensions are missing.
 */
export const usableRules = (mapping: SdmxMapping, components: ReadonlySet<string>, input: string): MappingRule[] => {
  for (const required of [mapping.countryDimension, 'TIME_PERIOD']) {
    if (!components.has(required)) throw new SdmxStructureError(input, `no ${required} dimension`);
  }
  const usable = mapping.rules.filter((r) => r.dimensions.every(([dim]) => components.has(dim)));
  if (usable.length === 0) {
    const missing = [...new Set(mapping.rules.flatMap((r) => r.dimensions.map(([dim]) => dim)).filter((d) => !components.has(d)))];
    throw new SdmxStructureError(input, `no indicator mapping fits: missing dimension(s) ${missing.join(', ')}`);
  }
  return usable;
};

/** The indicator of the first rule whose dataflow (when set and known) and dimension values all match. */
export const matchIndicator = (rules: readonly MappingRule[], dataflow: string | null, valueOf: (dimension: string) => string | undefined): string | null => {
  for (const rule of rules) {
    if (rule.dataflow && dataflow && rule.dataflow !== dataflow) continue;
    if (rule.dimensions.every(([dim, expected]) => valueOf(dim) === expected)) return rule.indicator;
  }
  return null;
};

/** One SDMX observation as the sources see it, before it joins a series. */
export type SdmxRecord =
  | { readonly kind: 'observation'; readonly row: number; readonly country: string; readonly indicator: string; readonly year: number; readonly value: number }
  | { readonly kind: 'rejected'; readonly row: number; readonly reason: string; readonly raw: string; readonly mapped: boolean }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unmapped' };

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Reads the parts of a mapped observation: an annual TIME_PERIOD (1800-2200, as the domain records), a known country or aggregate
 * (kept as in the other sources), a finite OBS_VALUE scaled by UNIT_MULT (a power of ten).
 * An empty or NaN value is missing (SDMX has no other way to say so): skipped.
 */
export const readObservation = (
  row: number,
  indicator: string,
  parts: { readonly country: string; readonly period: string; readonly value: string | number | null; readonly unitMult: string },
  raw: () => string,
): SdmxRecord => {
  const reject = (reason: string): SdmxRecord => ({ kind: 'rejected', row, reason: `${indicator}: ${reason}`, raw: raw(), mapped: true });
  const { period, value, unitMult } = parts;
  if (value === null || value === '' || value === 'NaN') return { kind: 'missing' };
  const country = parts.country.toUpperCase();
  if (!isCountry(country) && !isAggregate(country)) return reject(`unknown country or aggregate code ${JSON.stringify(parts.country)}`);
  if (!/^\d{4}$/.test(period)) return reject(`not an annual period ${JSON.stringify(period)}`);
  if (!observationYear.safeParse(Number(period)).success) return reject(`year ${period} is outside 1800-2200`);
  const number = typeof value === 'number' ? value : NUMBER.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) return reject(`invalid value ${JSON.stringify(value)}`);
  if (unitMult !== '' && !/^-?\d{1,2}$/.test(unitMult)) return reject(`invalid UNIT_MULT ${JSON.stringify(unitMult)}`);
  const scaled = unitMult === '' || unitMult === '0' ? number : Number((number * 10 ** Number(unitMult)).toPrecision(15));
  // A finite value scaled by a large UNIT_MULT can overflow: the row is rejected, not the run's write.
  if (!Number.isFinite(scaled)) return reject(`value ${JSON.stringify(value)} × 10^${unitMult} is out of range`);
  return { kind: 'observation', row, country, indicator, year: Number(period), value: scaled };
};

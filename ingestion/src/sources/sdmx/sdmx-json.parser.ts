import { z } from 'zod';
import { dataflowId, matchIndicator, readObservation, SdmxStructureError, usableRules, type MappingRule, type SdmxMapping, type SdmxRecord } from './sdmx-mapping.ts';

const MAX_RAW_KEPT = 500;

const componentSchema = z.object({
  id: z.string(),
  values: z.array(z.looseObject({ id: z.string().optional(), value: z.unknown().optional() })).default([]),
});
const levelsSchema = z
  .object({
    dataSet: z.array(componentSchema).optional(),
    dataset: z.array(componentSchema).optional(),
    series: z.array(componentSchema).default([]),
    observation: z.array(componentSchema).default([]),
  })
  .transform(({ dataSet, dataset, ...rest }) => ({ ...rest, dataSet: dataSet ?? dataset ?? [] }));
const structureSchema = z.object({
  dimensions: levelsSchema,
  attributes: levelsSchema.optional(),
  links: z.array(z.looseObject({ rel: z.string().optional(), urn: z.string().optional(), href: z.string().optional() })).optional(),
});
const indexArray = z.array(z.number().int().nullable());
const dataSetSchema = z.object({
  structure: z.number().int().nonnegative().optional(),
  action: z.string().optional(),
  attributes: indexArray.optional(),
  series: z.record(z.string(), z.unknown()).optional(),
  observations: z.record(z.string(), z.unknown()).optional(),
});
const seriesSchema = z.object({ attributes: indexArray.optional(), observations: z.record(z.string(), z.unknown()).default({}) });
type Structure = z.infer<typeof structureSchema>;
type Component = z.infer<typeof componentSchema>;

const valueId = (component: Component | undefined, index: number | null | undefined): string | undefined => {
  if (!component || index === null || index === undefined) return undefined;
  const value = component.values[index];
  if (!value) return undefined;
  return value.id ?? (typeof value.value === 'string' || typeof value.value === 'number' ? String(value.value) : undefined);
};

/** The id of the (only) value of a data-set-level component. */
const fixedValue = (component: Component): string | undefined => valueId(component, 0);

/**
 * Reads an SDMX-JSON data message — 2.0 (`data.structures[]`, each data set naming its structure)
 * or 1.0 (`data.structure`, or the same at the top level) — with observations grouped in series
 * (`dataSets[i].series["0:1:0"].observations["3"] = [value, attribute indices…]`, the key's
 * positions indexing `structure.dimensions.series` and `.observation`) or flat
 * (`dataSets[i].observations["0:1:0:3"]`, dimensionAtObservation=AllDimensions). UNIT_MULT is
 * taken from the observation, series or data set attributes. The structure is checked at once
 * (SdmxStructureError); the records are then generated one by one.
 */
export const readSdmxJson = (text: string, input: string, mapping: SdmxMapping, requestedDataflow: string | null = null): { records(): Generator<SdmxRecord> } => {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new SdmxStructureError(input, `not JSON (${JSON.stringify(text.slice(0, 80))})`);
  }
  const root = (typeof body === 'object' && body !== null && 'data' in body ? (body).data : body) as Record<string, unknown> | null;
  if (!root || typeof root !== 'object') throw new SdmxStructureError(input, 'not an SDMX-JSON data message');
  const dataSets = z.array(dataSetSchema).safeParse(root['dataSets']);
  if (!dataSets.success) throw new SdmxStructureError(input, 'not an SDMX-JSON data message: no dataSets list');
  const structures = z.array(structureSchema).safeParse(root['structures'] ?? (root['structure'] === undefined ? undefined : [root['structure']]));
  if (!structures.success) throw new SdmxStructureError(input, `unreadable structure: ${structures.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join(', ')}`);

  const plans = dataSets.data.map((dataSet, n) => {
    const structure: Structure | undefined = structures.data[dataSet.structure ?? 0];
    if (!structure) throw new SdmxStructureError(input, `data set ${n} refers to a missing structure`);
    const { dimensions } = structure;
    const components = new Set([...dimensions.dataSet, ...dimensions.series, ...dimensions.observation].map((d) => d.id));
    const rules: MappingRule[] = usableRules(mapping, components, input);
    const link = structure.links?.find((l) => l.rel === 'dataflow');
    const dataflow = link?.urn ? dataflowId(link.urn) : requestedDataflow ? dataflowId(requestedDataflow) : null;
    return { dataSet, structure, rules, dataflow };
  });

  function* records(): Generator<SdmxRecord> {
    let row = 0;
    for (const { dataSet, structure, rules, dataflow } of plans) {
      const { dimensions, attributes } = structure;
      const fixed = new Map(dimensions.dataSet.map((d) => [d.id, fixedValue(d)]));
      const dataSetUnitMult = attributes ? unitMultAt(attributes.dataSet, dataSet.attributes) : undefined;

      const observe = function* (seriesValues: ReadonlyMap<string, string | undefined>, seriesUnitMult: string | undefined, entries: Record<string, unknown>, obsDims: readonly Component[]): Generator<SdmxRecord> {
        for (const [key, observation] of Object.entries(entries)) {
          row++;
          const raw = () => JSON.stringify({ key, observation }).slice(0, MAX_RAW_KEPT);
          if (!Array.isArray(observation)) {
            yield { kind: 'rejected', row, reason: `observation ${key} is not a list`, raw: raw(), mapped: false };
            continue;
          }
          const positions = key.split(':').map(Number);
          const values = new Map(seriesValues);
          obsDims.forEach((d, i) => values.set(d.id, valueId(d, positions[i])));
          const indicator = matchIndicator(rules, dataflow, (dim) => fixed.get(dim) ?? values.get(dim));
          if (!indicator) {
            yield { kind: 'unmapped' };
            continue;
          }
          const [value, ...attributeIndexes] = observation as unknown[];
          const obsUnitMult = attributes ? unitMultAt(attributes.observation, attributeIndexes) : undefined;
          const country = fixed.get(mapping.countryDimension) ?? values.get(mapping.countryDimension) ?? '';
          const period = fixed.get('TIME_PERIOD') ?? values.get('TIME_PERIOD') ?? '';
          const observed = typeof value === 'number' || typeof value === 'string' || value === null ? value : Number.NaN;
          yield readObservation(row, indicator, { country, period, value: observed, unitMult: obsUnitMult ?? seriesUnitMult ?? dataSetUnitMult ?? '' }, raw);
        }
      };

      for (const [key, sent] of Object.entries(dataSet.series ?? {})) {
        const series = seriesSchema.safeParse(sent);
        if (!series.success) {
          row++;
          yield { kind: 'rejected', row, reason: `series ${key} is unreadable`, raw: JSON.stringify(sent).slice(0, MAX_RAW_KEPT), mapped: false };
          continue;
        }
        const positions = key.split(':').map(Number);
        const seriesValues = new Map(dimensions.series.map((d, i) => [d.id, valueId(d, positions[i])]));
        const seriesUnitMult = attributes ? unitMultAt(attributes.series, series.data.attributes) : undefined;
        yield* observe(seriesValues, seriesUnitMult, series.data.observations, dimensions.observation);
      }
      if (dataSet.observations) yield* observe(new Map(), undefined, dataSet.observations, dimensions.observation);
    }
  }

  return { records };
};

/** UNIT_MULT among attributes of one level, given the value indexes at that level. */
const unitMultAt = (components: readonly Component[], indexes: readonly unknown[] | undefined): string | undefined => {
  const position = components.findIndex((c) => c.id === 'UNIT_MULT');
  if (position === -1) return undefined;
  const index = indexes?.[position];
  return typeof index === 'number' ? valueId(components[position], index) : undefined;
};

import { NationPulseError } from '@nationpulse/domain';
import type { SourceItem } from '../../runs/source.ts';
import { createSeriesAssembler } from '../series-assembler.ts';
import type { SdmxRecord } from './sdmx-mapping.ts';

/** How many rows of an SDMX input matched the indicator mapping, across the files or calls of a run. */
export interface MappingTally {
  mapped: number;
  unmapped: number;
}

/**
 * Turns SDMX records into the engine's items: observations gathered into series (the SDMX
 * series of one country and indicator come together), rejections listed with their row (prefixed
 * by `label` when several inputs make one run), mapped and unmapped rows counted in `tally`.
 */
export async function* sdmxSourceItems(records: AsyncIterable<SdmxRecord> | Iterable<SdmxRecord>, tally: MappingTally, label?: string): AsyncGenerator<SourceItem> {
  const assembler = createSeriesAssembler();
  const prefix = label ? `${label}: ` : '';
  for await (const record of records) {
    switch (record.kind) {
      case 'unmapped':
        tally.unmapped++;
        break;
      case 'missing':
        tally.mapped++;
        break;
      case 'rejected':
        if (record.mapped) tally.mapped++;
        yield { kind: 'rejected', row: record.row, reason: `${prefix}${record.reason}`, raw: record.raw };
        break;
      case 'observation': {
        tally.mapped++;
        const { completed, duplicate } = assembler.add(record.country, record.indicator, record.year, record.value);
        if (completed) yield completed;
        if (duplicate) yield { kind: 'rejected', row: record.row, reason: `${prefix}${record.indicator}: ${record.country} ${record.year} is listed twice` };
      }
    }
  }
  const last = assembler.flush();
  if (last) yield last;
}

/** A run whose rows all fall outside the mapping ingests nothing: say so instead of completing empty. */
export const requireMappedRows = (tally: MappingTally, input: string): void => {
  if (tally.mapped === 0 && tally.unmapped > 0) {
    throw new NationPulseError('validation', 'SDMX_NOTHING_MAPPED', `${input}: none of the ${tally.unmapped} observation(s) matched the indicator mapping`, { unmapped: tally.unmapped });
  }
};

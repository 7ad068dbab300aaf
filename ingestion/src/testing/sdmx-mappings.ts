import type { SdmxIndicatorMapping } from '../sources/source-spec.ts';

/** The mapping the SDMX fixtures are written for: general government revenue and expenditure, % of GDP. */
export const governmentFinanceMapping: SdmxIndicatorMapping[] = [
  { indicator: 'GC.REV.XGRT.GD.ZS', dataflow: 'DSD_NASEC10@DF_TABLE12', dimensions: { SECTOR: 'S13', TRANSACTION: 'OTR', UNIT_MEASURE: 'PT_B1GQ' } },
  { indicator: 'GC.XPN.TOTL.GD.ZS', dataflow: 'DSD_NASEC10@DF_TABLE12', dimensions: { SECTOR: 'S13', TRANSACTION: 'OTE', UNIT_MEASURE: 'PT_B1GQ' } },
];

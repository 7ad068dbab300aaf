/** A World Bank aggregate (region, income group, lending group, …): not a country. */
export interface Aggregate {
  code: string;
  name: string;
}

/** The 47 World Bank aggregates of World Development Indicators, with their World Bank names. */
export const aggregates: readonly Aggregate[] = Object.freeze(
  (
    [
      ['AFE', 'Africa Eastern and Southern'],
      ['AFW', 'Africa Western and Central'],
      ['ARB', 'Arab World'],
      ['CEB', 'Central Europe and the Baltics'],
      ['CSS', 'Caribbean small states'],
      ['EAP', 'East Asia & Pacific (excluding high income)'],
      ['EAR', 'Early-demographic dividend'],
      ['EAS', 'East Asia & Pacific'],
      ['ECA', 'Europe & Central Asia (excluding high income)'],
      ['ECS', 'Europe & Central Asia'],
      ['EMU', 'Euro area'],
      ['EUU', 'European Union'],
      ['HIC', 'High income'],
      ['HPC', 'Heavily indebted poor countries (HIPC)'],
      ['IBD', 'IBRD only'],
      ['IBT', 'IDA & IBRD total'],
      ['IDA', 'IDA total'],
      ['IDB', 'IDA blend'],
      ['IDX', 'IDA only'],
      ['LAC', 'Latin America & Caribbean (excluding high income)'],
      ['LCN', 'Latin America & Caribbean'],
      ['LDC', 'Least developed countries: UN classification'],
      ['LIC', 'Low income'],
      ['LMC', 'Lower middle income'],
      ['LMY', 'Low & middle income'],
      ['LTE', 'Late-demographic dividend'],
      ['MEA', 'Middle East, North Africa, Afghanistan & Pakistan'],
      ['MIC', 'Middle income'],
      ['MNA', 'Middle East, North Africa, Afghanistan & Pakistan (excluding high income)'],
      ['NAC', 'North America'],
      ['OED', 'OECD members'],
      ['OSS', 'Other small states'],
      ['PRE', 'Pre-demographic dividend'],
      ['PSS', 'Pacific island small states'],
      ['PST', 'Post-demographic dividend'],
      ['SAS', 'South Asia'],
      ['SSA', 'Sub-Saharan Africa (excluding high income)'],
      ['SSF', 'Sub-Saharan Africa'],
      ['SST', 'Small states'],
      ['TEA', 'East Asia & Pacific (IDA & IBRD countries)'],
      ['TEC', 'Europe & Central Asia (IDA & IBRD countries)'],
      ['TLA', 'Latin America & the Caribbean (IDA & IBRD countries)'],
      ['TMN', 'Middle East, North Africa, Afghanistan & Pakistan (IDA & IBRD)'],
      ['TSA', 'South Asia (IDA & IBRD)'],
      ['TSS', 'Sub-Saharan Africa (IDA & IBRD countries)'],
      ['UMC', 'Upper middle income'],
      ['WLD', 'World'],
    ] as const
  ).map(([code, name]) => Object.freeze({ code, name })),
);

const codes: ReadonlySet<string> = new Set(aggregates.map((a) => a.code));

/** Whether the code is a World Bank aggregate code (exact, upper case: 'WLD'). */
export function isAggregate(code: string): boolean {
  return codes.has(code);
}

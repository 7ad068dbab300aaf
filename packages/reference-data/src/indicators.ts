export type IndicatorCategory = 'population' | 'health' | 'economy';

/** A World Bank World Development Indicators series. */
export interface Indicator {
  /** WDI code in upper case, as the World Bank API uses it, e.g. 'SP.POP.TOTL'. */
  code: string;
  /** The World Bank title. */
  name: string;
  unit: string;
  category: IndicatorCategory;
  /** Decimal places to show. */
  decimals: number;
  description: string;
  source: 'World Bank WDI';
}

const indicator = (
  code: string,
  name: string,
  unit: string,
  category: IndicatorCategory,
  decimals: number,
  description: string,
): Indicator => Object.freeze({ code, name, unit, category, decimals, description, source: 'World Bank WDI' });

export const indicators: readonly Indicator[] = Object.freeze([
  // Population
  indicator(
    'SP.POP.TOTL',
    'Population, total',
    'people',
    'population',
    0,
    'Midyear estimate of all residents, counted regardless of legal status or citizenship.',
  ),
  indicator(
    'SP.POP.GROW',
    'Population growth (annual %)',
    'annual %',
    'population',
    2,
    'Exponential rate of growth of the midyear population from the previous year, in percent.',
  ),
  // Health
  indicator(
    'SP.DYN.LE00.IN',
    'Life expectancy at birth, total (years)',
    'years',
    'health',
    1,
    "Years a newborn would live if the mortality patterns at the time of birth stayed the same throughout life.",
  ),
  indicator(
    'SP.DYN.LE00.FE.IN',
    'Life expectancy at birth, female (years)',
    'years',
    'health',
    1,
    'Years a newborn girl would live if the mortality patterns at the time of birth stayed the same throughout life.',
  ),
  indicator(
    'SP.DYN.LE00.MA.IN',
    'Life expectancy at birth, male (years)',
    'years',
    'health',
    1,
    'Years a newborn boy would live if the mortality patterns at the time of birth stayed the same throughout life.',
  ),
  indicator(
    'SP.DYN.IMRT.IN',
    'Mortality rate, infant (per 1,000 live births)',
    'per 1,000 live births',
    'health',
    1,
    'Number of infants who die before their first birthday, per 1,000 live births in the year.',
  ),
  indicator(
    'SH.DYN.MORT',
    'Mortality rate, under-5 (per 1,000 live births)',
    'per 1,000 live births',
    'health',
    1,
    "Probability per 1,000 that a newborn dies before age five at the year's age-specific mortality rates.",
  ),
  indicator(
    'SP.DYN.CBRT.IN',
    'Birth rate, crude (per 1,000 people)',
    'per 1,000 people',
    'health',
    1,
    'Live births during the year per 1,000 people of the midyear population.',
  ),
  indicator(
    'SP.DYN.CDRT.IN',
    'Death rate, crude (per 1,000 people)',
    'per 1,000 people',
    'health',
    1,
    'Deaths during the year per 1,000 people of the midyear population.',
  ),
  indicator(
    'SP.DYN.TFRT.IN',
    'Fertility rate, total (births per woman)',
    'births per woman',
    'health',
    2,
    "Children a woman would bear over her lifetime at the year's age-specific fertility rates.",
  ),
  indicator(
    'SH.XPD.CHEX.GD.ZS',
    'Current health expenditure (% of GDP)',
    '% of GDP',
    'health',
    2,
    'Spending on health care goods and services consumed during the year, as a share of GDP (live API only, not in the offline snapshot).',
  ),
  indicator(
    'SH.XPD.CHEX.PC.CD',
    'Current health expenditure per capita (current US$)',
    'current US$',
    'health',
    0,
    'Spending on health care goods and services consumed during the year per person, in current US dollars (live API only, not in the offline snapshot).',
  ),
  // Economy
  indicator(
    'NY.GDP.MKTP.CD',
    'GDP (current US$)',
    'current US$',
    'economy',
    0,
    'Total income earned through the production of goods and services in the economy, at current prices in US dollars.',
  ),
  indicator(
    'NY.GDP.PCAP.CD',
    'GDP per capita (current US$)',
    'current US$',
    'economy',
    0,
    'Gross domestic product divided by the population, at current prices in US dollars.',
  ),
  indicator(
    'NY.GDP.MKTP.KD.ZG',
    'GDP growth (annual %)',
    'annual %',
    'economy',
    2,
    'Percentage change from the previous year of GDP at constant (2015) prices in US dollars.',
  ),
  indicator(
    'GC.REV.XGRT.GD.ZS',
    'Revenue, excluding grants (% of GDP)',
    '% of GDP',
    'economy',
    2,
    'Government revenue (transactions that increase net worth), excluding grants, as a share of GDP.',
  ),
  indicator(
    'GC.TAX.TOTL.GD.ZS',
    'Tax revenue (% of GDP)',
    '% of GDP',
    'economy',
    2,
    'Compulsory, unrequited payments to government, in cash or in kind, as a share of GDP.',
  ),
  indicator(
    'GC.XPN.TOTL.GD.ZS',
    'Expense (% of GDP)',
    '% of GDP',
    'economy',
    2,
    'Government expense (transactions that decrease net worth) as a share of GDP.',
  ),
  indicator(
    'NE.IMP.GNFS.ZS',
    'Imports of goods and services (% of GDP)',
    '% of GDP',
    'economy',
    2,
    'Goods and services bought by residents from non-residents, as a share of GDP.',
  ),
  indicator(
    'NE.EXP.GNFS.ZS',
    'Exports of goods and services (% of GDP)',
    '% of GDP',
    'economy',
    2,
    'Goods and services sold by residents to non-residents, as a share of GDP.',
  ),
  indicator(
    'TM.VAL.MRCH.CD.WT',
    'Merchandise imports (current US$)',
    'current US$',
    'economy',
    0,
    'Goods whose ownership passes from non-residents to residents (services excluded), at current prices in US dollars.',
  ),
  indicator(
    'TX.VAL.MRCH.CD.WT',
    'Merchandise exports (current US$)',
    'current US$',
    'economy',
    0,
    'Goods whose ownership passes from residents to non-residents (services excluded), at current prices in US dollars.',
  ),
]);

const byCode: ReadonlyMap<string, Indicator> = new Map(indicators.map((i) => [i.code, i]));

/** Looks an indicator up by its WDI code (exact, upper case: 'SP.POP.TOTL'). */
export function indicatorByCode(code: string): Indicator | undefined {
  return byCode.get(code);
}

/** Whether the code is one of the indicators NationPulse knows. */
export function isKnownIndicator(code: string): boolean {
  return byCode.has(code);
}

export type DashboardId = 'population' | 'health' | 'gdp';

/** The indicator codes each dashboard shows, in display order. */
export const dashboards: Readonly<Record<DashboardId, readonly string[]>> = Object.freeze({
  population: Object.freeze(['SP.POP.TOTL', 'SP.POP.GROW']),
  health: Object.freeze(['SP.DYN.LE00.IN', 'SP.DYN.IMRT.IN', 'SH.DYN.MORT', 'SP.DYN.TFRT.IN']),
  gdp: Object.freeze(['NY.GDP.MKTP.CD', 'NY.GDP.PCAP.CD', 'NY.GDP.MKTP.KD.ZG']),
});

import { countries, indicators, type Indicator } from '@nationpulse/reference-data';
import type { Source, SourceItem } from '../runs/source.ts';

/** One series as a source yields it: a country's values of one indicator by year. */
export interface SeriesBatch {
  readonly country: string;
  readonly indicator: string;
  readonly observations: readonly { readonly year: number; readonly value: number }[];
}

export interface DemoSourceOptions {
  readonly fromYear?: number;
  readonly toYear?: number;
  /** Same seed, same numbers: the demo data set is reproducible. */
  readonly seed?: string;
  /** ISO3 codes; default every country of the reference data. */
  readonly countries?: readonly string[];
}

export const DEMO_SEED = 'nationpulse-demo-v1';

/** FNV-1a: a 32-bit seed from a string. */
const hash = (text: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
};

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
const prng = (seed: number) => {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

/**
 * Plausible but SYNTHETIC values for one country over the years: a country gets a development
 * level, a size and an openness from its seeded generator, and every indicator follows from
 * them with trends, shocks (2009, 2020) and noise, so dashboards, rankings and series look alive.
 */
const countryYears = (iso3: string, seed: string, years: readonly number[]): Map<string, number[]> => {
  const r = prng(hash(`${seed}:${iso3}`));
  const noise = (scale: number) => (r() - 0.5) * 2 * scale;
  const dev = r() ** 0.8;
  const open = r();
  const pop0 = Math.exp(Math.log(2e4) + r() * (Math.log(2.5e8) - Math.log(2e4)));
  const growth0 = 3 - 2.8 * dev + noise(0.3);
  const le0 = 50 + 28 * dev + noise(2);
  const gap = 3 + 3 * dev;
  const im0 = 3 + 95 * (1 - dev) ** 1.6;
  const gdppc0 = Math.exp(Math.log(300) + dev * (Math.log(55_000) - Math.log(300)) + noise(0.3));
  const health = 3 + 8 * dev + noise(1);
  const revenue = 12 + 28 * dev + noise(3);
  const imports = 20 + 45 * open;
  const exports = Math.max(5, imports + noise(10));

  const out = new Map<string, number[]>(indicators.map((i) => [i.code, []]));
  const push = (code: string, value: number) => out.get(code)?.push(value);
  let pop = pop0;
  let gdppc = gdppc0;
  for (const [t, year] of years.entries()) {
    const growth = growth0 * (1 - 0.3 * (t / Math.max(1, years.length - 1))) + noise(0.15);
    if (t > 0) pop *= 1 + growth / 100;
    const shock = year === 2009 ? -3.5 : year === 2020 ? -6 : year === 2021 ? 2.5 : 0;
    const gdpGrowth = 1.5 + 4 * (1 - dev) * 0.8 + shock + noise(1.5);
    if (t > 0) gdppc *= (1 + gdpGrowth / 100) * (1 + 0.02 + noise(0.01)); // real growth plus prices
    const covid = year === 2020 ? -0.8 : year === 2021 ? -1.2 : 0;
    const le = Math.min(86, le0 + (0.1 + 0.22 * (1 - dev)) * t + covid + noise(0.1));
    const im = im0 * (1 - (0.02 + 0.03 * (1 - dev))) ** t;
    const gdp = gdppc * pop;
    push('SP.POP.TOTL', pop);
    push('SP.POP.GROW', growth);
    push('SP.DYN.LE00.IN', le);
    push('SP.DYN.LE00.FE.IN', le + gap / 2);
    push('SP.DYN.LE00.MA.IN', le - gap / 2);
    push('SP.DYN.IMRT.IN', im);
    push('SH.DYN.MORT', im * (1.15 + 0.4 * (1 - dev)));
    push('SP.DYN.CBRT.IN', (9 + 36 * (1 - dev)) * 0.99 ** t + noise(0.3));
    push('SP.DYN.CDRT.IN', 5 + 6 * (1 - dev) ** 2 + 5 * dev ** 3 + noise(0.2));
    push('SP.DYN.TFRT.IN', (1.3 + 5.2 * (1 - dev) ** 1.3) * 0.99 ** t);
    push('SH.XPD.CHEX.GD.ZS', health + noise(0.3));
    push('SH.XPD.CHEX.PC.CD', ((health + noise(0.3)) * gdppc) / 100);
    push('NY.GDP.MKTP.CD', gdp);
    push('NY.GDP.PCAP.CD', gdppc);
    push('NY.GDP.MKTP.KD.ZG', gdpGrowth);
    push('GC.REV.XGRT.GD.ZS', revenue + noise(1));
    push('GC.TAX.TOTL.GD.ZS', revenue * 0.62 + noise(0.8));
    push('GC.XPN.TOTL.GD.ZS', revenue + 2 + (year === 2020 ? 5 : 0) + noise(1.5));
    push('NE.IMP.GNFS.ZS', imports + noise(2));
    push('NE.EXP.GNFS.ZS', exports + noise(2));
    push('TM.VAL.MRCH.CD.WT', ((imports * 0.75) / 100) * gdp);
    push('TX.VAL.MRCH.CD.WT', ((exports * 0.7) / 100) * gdp);
  }
  return out;
};

const demoParameters = (options: DemoSourceOptions) => ({
  fromYear: options.fromYear ?? 2000,
  toYear: options.toYear ?? 2023,
  seed: options.seed ?? DEMO_SEED,
  codes: [...(options.countries ?? countries.map((c) => c.iso3))].sort(),
});

/**
 * The demo source: deterministic synthetic series for every indicator of the catalogue and every
 * country of the reference data (by default 2000-2023), one series at a time, in country order.
 */
export async function* demoSource(options: DemoSourceOptions = {}): AsyncGenerator<SeriesBatch> {
  const { fromYear, toYear, seed, codes } = demoParameters(options);
  const years = Array.from({ length: toYear - fromYear + 1 }, (_, i) => fromYear + i);
  const byCode = new Map<string, Indicator>(indicators.map((i) => [i.code, i]));
  for (const country of codes) {
    for (const [indicator, values] of countryYears(country, seed, years)) {
      const decimals = byCode.get(indicator)?.decimals ?? 2;
      yield { country, indicator, observations: values.map((value, i) => ({ year: years[i]!, value: round(value, decimals) })) };
    }
  }
}

/**
 * The demo generator as a `Source` for the run engine: source `demo`, dataset `demo`, and its
 * parameters say `synthetic: true`, so the run's record (and the audit trail) tells these made-up
 * numbers from real statistics. Progress counts the observations generated.
 */
export const createDemoSource = (options: DemoSourceOptions = {}): Source => {
  const { fromYear, toYear, seed, codes } = demoParameters(options);
  const total = codes.length * indicators.length * (toYear - fromYear + 1);
  return {
    describe: () => ({
      source: 'demo',
      dataset: 'demo',
      parameters: { synthetic: true, generator: 'nationpulse demo source', seed, years: `${fromYear}-${toYear}`, countries: codes.length },
    }),
    check: async () => {
      if (fromYear > toYear) throw new Error(`demo source: fromYear ${fromYear} is after toYear ${toYear}`);
    },
    async *series(signal?: AbortSignal): AsyncGenerator<SourceItem> {
      let done = 0;
      let country = '';
      for await (const batch of demoSource({ ...options, fromYear, toYear, seed, countries: codes })) {
        signal?.throwIfAborted();
        if (batch.country !== country) {
          // One progress item per country: often enough for a bar, rare enough to cost nothing.
          country = batch.country;
          yield { kind: 'progress', unit: 'rows', done, total, label: country };
        }
        done += batch.observations.length;
        yield { kind: 'series', ...batch };
      }
      yield { kind: 'progress', unit: 'rows', done, total };
    },
  };
};

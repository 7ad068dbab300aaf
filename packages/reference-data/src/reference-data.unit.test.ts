import { describe, expect, it } from 'vitest';
import {
  aggregates,
  attribution,
  countries,
  countryByIso3,
  dashboards,
  indicatorByCode,
  indicators,
  isAggregate,
  isCountry,
  isKnownIndicator,
} from './index.ts';

const duplicates = (values: readonly string[]): string[] =>
  values.filter((v, i) => values.indexOf(v) !== i);

describe('countries', () => {
  it('lists every ISO country plus XKX and CHI', () => {
    expect(countries.length).toBeGreaterThanOrEqual(249);
    expect(isCountry('XKX')).toBe(true);
    expect(isCountry('CHI')).toBe(true);
    expect(isCountry('UNK')).toBe(false);
    expect(countries.filter((c) => c.name === 'Kosovo')).toHaveLength(1);
  });

  it('has no duplicate codes', () => {
    expect(duplicates(countries.map((c) => c.iso3))).toEqual([]);
    expect(duplicates(countries.map((c) => c.iso2))).toEqual([]);
    expect(duplicates(countries.map((c) => c.numeric))).toEqual([]);
  });

  it('has well-formed codes and names', () => {
    for (const c of countries) {
      expect(c.iso3, c.name).toMatch(/^[A-Z]{3}$/);
      expect(c.iso2, c.name).toMatch(/^[A-Z]{2}$/);
      expect(c.numeric, c.name).toMatch(/^\d{3}$/);
      expect(c.name).not.toBe('');
      expect(c.officialName).not.toBe('');
      expect(c.region).not.toBe('');
    }
  });

  it('is sorted by name', () => {
    const names = countries.map((c) => c.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
  });

  it('knows France, Namibia, Afghanistan, Kosovo and the Channel Islands', () => {
    expect(countryByIso3('FRA')).toMatchObject({ iso2: 'FR', numeric: '250', name: 'France', region: 'Europe' });
    expect(countryByIso3('NAM')?.iso2).toBe('NA');
    expect(countryByIso3('AFG')?.numeric).toBe('004');
    expect(countryByIso3('XKX')).toMatchObject({ iso2: 'XK', name: 'Kosovo', region: 'Europe' });
    expect(countryByIso3('CHI')).toMatchObject({
      name: 'Channel Islands',
      region: 'Europe',
      subregion: 'Northern Europe',
      numeric: '830',
    });
    expect(countryByIso3('WLD')).toBeUndefined();
  });
});

describe('aggregates', () => {
  it('lists exactly the 47 World Bank aggregates, disjoint from countries', () => {
    expect(aggregates).toHaveLength(47);
    expect(duplicates(aggregates.map((a) => a.code))).toEqual([]);
    expect(aggregates.filter((a) => isCountry(a.code))).toEqual([]);
    expect(countries.filter((c) => isAggregate(c.iso3))).toEqual([]);
  });

  it('uses the World Bank names', () => {
    const name = (code: string) => aggregates.find((a) => a.code === code)?.name;
    expect(name('WLD')).toBe('World');
    expect(name('EUU')).toBe('European Union');
    expect(name('HIC')).toBe('High income');
    expect(name('OED')).toBe('OECD members');
    expect(name('SSF')).toBe('Sub-Saharan Africa');
    expect(isAggregate('WLD')).toBe(true);
    expect(isAggregate('FRA')).toBe(false);
  });
});

describe('indicators', () => {
  it('has unique codes, a unit, a description and sensible decimals', () => {
    expect(duplicates(indicators.map((i) => i.code))).toEqual([]);
    for (const i of indicators) {
      expect(i.unit, i.code).not.toBe('');
      expect(i.name, i.code).not.toBe('');
      expect(i.description, i.code).not.toBe('');
      expect(Number.isInteger(i.decimals) && i.decimals >= 0, i.code).toBe(true);
      expect(i.source).toBe('World Bank WDI');
    }
  });

  it('covers population, health and economy', () => {
    expect(indicatorByCode('SP.POP.TOTL')).toMatchObject({ name: 'Population, total', unit: 'people', category: 'population' });
    expect(indicatorByCode('SH.XPD.CHEX.PC.CD')).toMatchObject({ unit: 'current US$', category: 'health' });
    expect(indicatorByCode('NY.GDP.MKTP.KD.ZG')).toMatchObject({ name: 'GDP growth (annual %)', category: 'economy' });
    expect(new Set(indicators.map((i) => i.category))).toEqual(new Set(['population', 'health', 'economy']));
    expect(indicators).toHaveLength(22);
    expect(isKnownIndicator('NE.IMP.GNFS.CD')).toBe(false);
  });

  it('only puts known indicators on dashboards', () => {
    const codes = Object.values(dashboards).flat();
    expect(codes).toHaveLength(9);
    expect(codes.filter((c) => !isKnownIndicator(c))).toEqual([]);
  });
});

describe('attribution', () => {
  it('credits the World Bank and the OECD', () => {
    expect(attribution.worldBank).toBe('The World Bank: World Development Indicators (CC BY 4.0)');
    expect(attribution.oecd).toBe('OECD Data Explorer (CC BY 4.0)');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCompact, formatExact, formatGrowth, formatInstant, formatPointChange, formatTick, formatValue, splitFigure } from './format.ts';
import { linearScale, niceTicks, tickStep, valueDomain, yearTicks } from './scale.ts';

describe('chart scales', () => {
  it('maps a domain onto a range and back', () => {
    const s = linearScale([0, 100], [300, 0]);
    expect(s(0)).toBe(300);
    expect(s(50)).toBe(150);
    expect(s.invert(75)).toBe(75);
    expect(linearScale([5, 5], [0, 10])(5)).toBe(5);
  });

  it('picks 1-2-5 steps and nice ticks covering the data', () => {
    expect(tickStep(100, 5)).toBe(20);
    expect(tickStep(1, 5)).toBe(0.2);
    expect(tickStep(7_950_000_000, 5)).toBe(2_000_000_000);
    expect(niceTicks(0, 83.4, 5)).toEqual({ ticks: [0, 20, 40, 60, 80, 100], domain: [0, 100] });
    expect(niceTicks(0.1, 0.7, 3).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(-2.5, 3.1, 5).ticks).toEqual([-4, -2, 0, 2, 4]);
    expect(niceTicks(42, 42).ticks.length).toBeGreaterThan(1);
  });

  it('keeps value axes zero-based unless the data sits far from zero', () => {
    expect(valueDomain([5, 20])).toEqual([0, 20]);
    expect(valueDomain([10, 20])).toEqual([10, 20]);
    expect(valueDomain([70, 83])).toEqual([70, 83]);
    expect(valueDomain([-1, 2])).toEqual([-1, 2]);
    expect(valueDomain([])).toEqual([0, 1]);
  });

  it('spaces year ticks so at most `count` are drawn', () => {
    expect(yearTicks(2000, 2005, 8)).toEqual([2000, 2001, 2002, 2003, 2004, 2005]);
    expect(yearTicks(1960, 2023, 8)).toEqual([1960, 1970, 1980, 1990, 2000, 2010, 2020]);
    expect(yearTicks(2021, 2020)).toEqual([]);
  });
});

describe('number formatting', () => {
  it('shortens large numbers to about three significant digits', () => {
    expect(formatCompact(8_060_000_000)).toBe('8.06 B');
    expect(formatCompact(67_935_660)).toBe('67.9 M');
    expect(formatCompact(125_100_000)).toBe('125 M');
    expect(formatCompact(27_360_935_000_000)).toBe('27.4 T');
    expect(formatCompact(43_659)).toBe('43,659');
    expect(formatCompact(82.3456)).toBe('82.3');
    expect(formatCompact(0.48)).toBe('0.48');
    expect(formatCompact(Number.NaN)).toBe('–');
  });

  it('writes fixed decimals exactly as Intl en-US does (without paying for its locale data)', () => {
    fc.assert(
      fc.property(fc.double({ min: -999_999, max: 999_999, noNaN: true }), fc.integer({ min: 0, max: 3 }), (value, decimals) => {
        const intl = value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).replace(/^-(?=[0.,]*$)/, '');
        expect(formatValue(value, 'years', decimals)).toBe(`${intl} years`);
      }),
    );
    expect(formatValue(-0.001, 'years', 1)).toBe('0.0 years');
    expect(formatValue(1234.5, 'years', 0)).toBe('1,235 years');
  });

  it('writes values with their unit the way readers expect', () => {
    expect(formatValue(67_935_660, 'people', 0)).toBe('67.9 M people');
    expect(formatValue(2_780_000_000_000, 'current US$', 0)).toBe('$2.78 T');
    expect(formatValue(40_886.3, 'current US$', 0)).toBe('$40,886');
    expect(formatValue(-1.234, 'annual %', 2)).toBe('-1.23 %');
    expect(formatValue(82.34, 'years', 1)).toBe('82.3 years');
    expect(formatValue(null, 'years')).toBe('no data');
    expect(formatTick(2_000_000_000_000, 'current US$')).toBe('$2 T');
    expect(formatTick(60_000_000, 'people')).toBe('60 M');
  });

  it('formats growth with its sign, and instants in UTC', () => {
    expect(formatGrowth(1.2345)).toBe('+1.23 %');
    expect(formatGrowth(-0.4)).toBe('−0.40 %');
    expect(formatGrowth(0)).toBe('0.00 %');
    expect(formatGrowth(null)).toBe('–');
    expect(formatInstant('2026-03-01T09:41:12.345Z')).toBe('2026-03-01 09:41 UTC');
    expect(formatPointChange(0.123)).toBe('+0.12 pp');
    expect(formatPointChange(-1.5)).toBe('−1.50 pp');
  });

  it('writes every digit for audit trails, and splits figures from units', () => {
    expect(formatExact(68_401_000, 'people')).toBe('68,401,000 people');
    expect(formatExact(40_886.25, 'current US$')).toBe('$40,886.25');
    expect(formatExact(-3.25, 'annual %')).toBe('-3.25 %');
    expect(formatExact(null, 'years')).toBe('–');
    expect(splitFigure('8.22 B people')).toEqual(['8.22 B', 'people']);
    expect(splitFigure('27.7 per 1,000 live births')).toEqual(['27.7', 'per 1,000 live births']);
    expect(splitFigure('$118 T')).toEqual(['$118 T', '']);
    expect(splitFigure('0.91 %')).toEqual(['0.91 %', '']);
  });
});

import { describe, expect, it } from 'vitest';
import { NO_DATA_COLOUR, quantile, quantileColourScale, SEQUENTIAL_BLUES } from './colour-scale.ts';

describe('map colour scale', () => {
  it('interpolates quantiles', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([0, 10], 0.25)).toBe(2.5);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('puts equal numbers of countries in each class, light to dark', () => {
    const values = Array.from({ length: 100 }, (_, i) => (i + 1) ** 3); // heavily skewed, like population
    const scale = quantileColourScale(values);
    expect(scale.classes.map((c) => c.colour)).toEqual([...SEQUENTIAL_BLUES]);
    const counts = new Map<string, number>();
    for (const v of values) counts.set(scale.colourOf(v), (counts.get(scale.colourOf(v)) ?? 0) + 1);
    expect([...counts.values()].every((n) => n >= 19 && n <= 21)).toBe(true);
    expect(scale.colourOf(1)).toBe(SEQUENTIAL_BLUES[0]);
    expect(scale.colourOf(1_000_000)).toBe(SEQUENTIAL_BLUES[4]);
    expect(scale.classes[0]?.from).toBe(1);
    expect(scale.classes[4]?.to).toBe(1_000_000);
  });

  it('shows no data as its own colour', () => {
    const scale = quantileColourScale([1, 2, 3]);
    expect(scale.colourOf(null)).toBe(NO_DATA_COLOUR);
    expect(scale.colourOf(undefined)).toBe(NO_DATA_COLOUR);
    expect(scale.colourOf(Number.NaN)).toBe(NO_DATA_COLOUR);
  });

  it('merges classes when there are few distinct values, never leaving an empty class', () => {
    const scale = quantileColourScale([5, 5, 5, 5, 9]);
    expect(scale.classes.length).toBeLessThan(5);
    expect(scale.colourOf(5)).not.toBe(scale.colourOf(9));
    expect(quantileColourScale([]).classes).toEqual([]);
    expect(quantileColourScale([7]).colourOf(7)).toBe(SEQUENTIAL_BLUES[4]);
  });
});

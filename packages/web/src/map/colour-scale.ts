/**
 * The world map's colour scale: countries in quantile classes (equal numbers of countries per
 * colour), so skewed indicators such as population or GDP still show contrast. A sequential
 * blue palette, light to dark, distinguishable in greyscale; no data is its own neutral colour.
 */

export const SEQUENTIAL_BLUES = ['#dbe9f6', '#a9cce3', '#6baed6', '#3182bd', '#0b4f8a'] as const;
export const NO_DATA_COLOUR = '#e6e3dc';

export interface ColourScale {
  /** The colour of a value; NO_DATA_COLOUR for null / undefined / NaN. */
  colourOf(value: number | null | undefined): string;
  /** One legend entry per class: its colour and [from, to] bounds. */
  readonly classes: readonly { readonly colour: string; readonly from: number; readonly to: number }[];
}

/** The value at quantile p (0..1) of sorted values, linearly interpolated. */
export const quantile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const i = (sorted.length - 1) * Math.min(1, Math.max(0, p));
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? a;
  return a + (b - a) * (i - lo);
};

export const quantileColourScale = (values: readonly number[], palette: readonly string[] = SEQUENTIAL_BLUES): ColourScale => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0 || palette.length === 0) return { colourOf: () => NO_DATA_COLOUR, classes: [] };
  const min = sorted[0] ?? 0;
  const max = sorted[sorted.length - 1] ?? 0;
  // Breaks between classes; equal breaks (few distinct values) merge classes rather than leave empty ones.
  const breaks = [...new Set(palette.slice(1).map((_, i) => quantile(sorted, (i + 1) / palette.length)))].filter((b) => b > min && b < max);
  const bounds = [min, ...breaks, max];
  const n = Math.max(1, bounds.length - 1);
  const colours = n === 1 ? [palette[palette.length - 1] ?? NO_DATA_COLOUR] : Array.from({ length: n }, (_, i) => palette[Math.round((i * (palette.length - 1)) / (n - 1))] ?? NO_DATA_COLOUR);
  const classes = colours.map((colour, i) => ({ colour, from: bounds[i] ?? min, to: bounds[i + 1] ?? max }));
  return {
    classes,
    colourOf(value) {
      if (value === null || value === undefined || !Number.isFinite(value)) return NO_DATA_COLOUR;
      const k = breaks.findIndex((b) => value < b);
      return colours[k === -1 ? colours.length - 1 : k] ?? NO_DATA_COLOUR;
    },
  };
};

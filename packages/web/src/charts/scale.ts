/** Linear scales and "nice" ticks for the SVG charts (no chart library: these few functions are all they need). */

export interface LinearScale {
  (value: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  invert(pixel: number): number;
}

export const linearScale = (domain: readonly [number, number], range: readonly [number, number]): LinearScale => {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  const scale = ((v: number) => (span === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / span) * (r1 - r0))) as LinearScale;
  return Object.assign(scale, {
    domain,
    range,
    invert: (p: number) => (r1 === r0 ? d0 : d0 + ((p - r0) / (r1 - r0)) * span),
  });
};

/** A step of 1, 2 or 5 × 10^k giving about `count` intervals over the span. */
export const tickStep = (span: number, count: number): number => {
  if (!(span > 0) || count <= 0) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  const multiple = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return multiple * power;
};

/** Round ticks covering the domain: the domain widened to whole steps, and each tick on it. */
export const niceTicks = (min: number, max: number, count = 5): { ticks: number[]; domain: [number, number] } => {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { ticks: [0], domain: [0, 1] };
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceTicks(min - pad, max + pad, count);
  }
  const step = tickStep(max - min, count);
  const start = Math.floor(min / step) * step;
  const end = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  // Multiply rather than accumulate, so 0.1 steps do not drift (0.30000000000000004).
  for (let i = 0; start + i * step <= end + step / 1e6; i++) ticks.push(Number((start + i * step).toPrecision(12)));
  return { ticks, domain: [start, end] };
};

/** The value domain a chart should show: zero-based for non-negative values unless they sit far from zero. */
export const valueDomain = (values: readonly number[]): [number, number] => {
  if (values.length === 0) return [0, 1];
  let min = Math.min(...values);
  const max = Math.max(...values);
  // Start at zero when the smallest value is under 40% of the largest: the axis then shows
  // proportions truly. Values clustered far from zero (life expectancy 70-83) keep a tight axis.
  if (min >= 0 && min < max / 2.5) min = 0;
  return [min, max];
};

/** Integer year ticks: every 1, 2, 5, 10… years so that at most `count` are drawn. */
export const yearTicks = (from: number, to: number, count = 8): number[] => {
  if (to < from) return [];
  const steps = [1, 2, 5, 10, 20, 25, 50, 100];
  const step = steps.find((s) => (to - from) / s <= count) ?? 100;
  const first = Math.ceil(from / step) * step;
  const out: number[] = [];
  for (let y = first; y <= to; y += step) out.push(y);
  return out;
};

/** Number formatting for figures, axes and tooltips: compact where values are large, units spelled out. */

const SUFFIXES: readonly [number, string][] = [
  [1e12, ' T'],
  [1e9, ' B'],
  [1e6, ' M'],
  [1e3, ' K'],
];

/**
 * A number with exactly `decimals` decimals and thousands separators, as en-US writes it. Not
 * Intl.NumberFormat: its first use in a page loads the locale data, which cost the dashboard's
 * first render with data more main-thread time than rendering it (the tests pin the output).
 */
const fixed = (n: number, decimals: number): string => {
  const [whole = '0', fraction] = Math.abs(n).toFixed(decimals).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = n < 0 && /[1-9]/.test(whole + (fraction ?? '')) ? '-' : '';
  return `${sign}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
};

/** 1,234 · 12.3 K · 67.9 M · 1.41 B · 2.78 T: large numbers with a suffix and about three significant digits. */
export const formatCompact = (n: number, maxDecimals = 2): string => {
  if (!Number.isFinite(n)) return '–';
  const abs = Math.abs(n);
  for (const [size, suffix] of SUFFIXES) {
    if (abs >= size && size >= 1e6) {
      const scaled = n / size;
      const decimals = Math.abs(scaled) >= 100 ? 0 : Math.abs(scaled) >= 10 ? 1 : 2;
      return `${fixed(scaled, Math.min(decimals, maxDecimals))}${suffix}`;
    }
  }
  return fixed(n, abs >= 1000 || Number.isInteger(n) ? 0 : Math.min(maxDecimals, abs >= 100 ? 0 : abs >= 10 ? 1 : 2));
};

const isMoney = (unit: string) => /US\$|\$/.test(unit);
const isPercent = (unit: string) => unit.includes('%');

/** A value with its unit, the way a reader expects it: "$2.78 T", "82.3 years", "1.2 %", "67.9 M people". */
export const formatValue = (value: number | null | undefined, unit: string, decimals = 1): string => {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'no data';
  if (isMoney(unit)) {
    const sign = value < 0 ? '−' : '';
    return `${sign}$${formatCompact(Math.abs(value), Math.max(decimals, 2))}`;
  }
  if (isPercent(unit)) return `${fixed(value, Math.min(decimals, 2))} %`;
  if (Math.abs(value) >= 1e6) return `${formatCompact(value)} ${unit}`;
  return `${fixed(value, decimals)} ${unit}`;
};

/** Axis tick labels: compact, no unit (the axis title carries it). */
export const formatTick = (value: number, unit: string): string => {
  // Ticks are round numbers: "2 T", not "2.0 T".
  const trim = (s: string) => s.replace(/\.0+(?=\s|$)/, '').replace(/(\.\d*[1-9])0+(?=\s|$)/, '$1');
  if (isMoney(unit)) return `${value < 0 ? '−' : ''}$${trim(formatCompact(Math.abs(value), 1))}`;
  return trim(formatCompact(value, 1));
};

/** "+1.23 %" / "−0.40 %" / "–" for a growth rate in percent. */
export const formatGrowth = (growth: number | null | undefined): string => {
  if (growth === null || growth === undefined || !Number.isFinite(growth)) return '–';
  const sign = growth > 0 ? '+' : growth < 0 ? '−' : '';
  return `${sign}${fixed(Math.abs(growth), 2)} %`;
};

/** "+0.12 pp": a change between two percentages, in percentage points (a relative change of a rate misleads). */
export const formatPointChange = (delta: number | null | undefined): string => {
  if (delta === null || delta === undefined || !Number.isFinite(delta)) return '–';
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '';
  return `${sign}${fixed(Math.abs(delta), 2)} pp`;
};

export const isPercentUnit = (unit: string): boolean => isPercent(unit);

/** A formatted value split into its figure and its unit, for layouts that set them apart: ["8.22 B", "people"], ["$118 T", ""]. */
export const splitFigure = (text: string): [string, string] => {
  const m = /^([−-]?\$?[\d.,]+(?: [KMBT])?(?: %)?)\s*(.*)$/.exec(text);
  return m ? [m[1] ?? text, m[2] ?? ''] : [text, ''];
};

/** A date-time in UTC, short and unambiguous: "2026-03-01 09:41 UTC". */
export const formatInstant = (iso: string): string => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
};

export const formatBytes = (bytes: number): string =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;

/** Every digit, for audit trails where a revision may change only the last ones: "68,401,000 people", "$40,886.25". */
export const formatExact = (value: number | null | undefined, unit: string): string => {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const digits = value.toLocaleString('en-US', { maximumFractionDigits: 6 });
  if (isMoney(unit)) return value < 0 ? `−$${digits.slice(1)}` : `$${digits}`;
  if (isPercent(unit)) return `${digits} %`;
  return unit ? `${digits} ${unit}` : digits;
};

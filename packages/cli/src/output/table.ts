/** A column of a text table: numbers align right. */
export interface Column {
  readonly header: string;
  readonly align?: 'left' | 'right';
}

/** Fixed-width columns separated by two spaces, a header and a rule; the last column is not padded. */
export const formatTable = (columns: readonly Column[], rows: readonly (readonly string[])[]): string => {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((c, i) => {
        const cell = cells[i] ?? '';
        const width = widths[i] ?? 0;
        if (c.align === 'right') return cell.padStart(width);
        return i === columns.length - 1 ? cell : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
};

/** `key  value` lines with the keys aligned. */
export const formatFields = (fields: readonly (readonly [string, string])[]): string => {
  const width = Math.max(0, ...fields.map(([k]) => k.length));
  return fields.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
};

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });

/** 67000000 → "67,000,000"; null → "-". */
export const formatNumber = (n: number | null | undefined): string => (n === null || n === undefined ? '-' : numberFormat.format(n));

export const formatBytes = (bytes: number): string => {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
};

export const formatDuration = (ms: number | null | undefined): string => {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
};

/** An ISO instant shortened to the second, in UTC: 2024-05-01 12:00:03Z. */
export const formatInstant = (iso: string | null | undefined): string => {
  if (!iso) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;
};

export const printJson = (out: NodeJS.WritableStream, value: unknown): void => {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
};

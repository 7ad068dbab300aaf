/** RFC 4180 cell: quoted when it holds a comma, quote, CR or LF; a leading =+-@ is neutralised against spreadsheet formula injection. */
export const csvCell = (value: string | number): string => {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/**
 * A table as CSV text, streamed: the header, then one CRLF-terminated line per row. `onRow`
 * counts the rows as they pass (the count is known only once the stream is drained).
 */
export async function* csvLines(columns: readonly string[], rows: AsyncIterable<readonly (string | number)[]>, onRow: () => void): AsyncGenerator<string> {
  yield `${columns.map(csvCell).join(',')}\r\n`;
  let buffered: string[] = [];
  for await (const row of rows) {
    onRow();
    buffered.push(`${row.map(csvCell).join(',')}\r\n`);
    // Small writes are batched: fewer, larger chunks for the artifact store.
    if (buffered.length >= 256) {
      yield buffered.join('');
      buffered = [];
    }
  }
  if (buffered.length > 0) yield buffered.join('');
}

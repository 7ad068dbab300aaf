import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * Splits one CSV line on `delimiter` (RFC 4180 quoting: `"a, b"` and `""` for a quote inside quotes).
 * Returns null when a quote is left open or text follows a closing quote.
 */
export const splitCsvLine = (line: string, delimiter = ','): string[] | null => {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q === -1) return null;
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line[i] !== delimiter) return null;
      i++;
    } else {
      const comma = line.indexOf(delimiter, i);
      if (comma === -1) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
};

/** A line without its trailing CR (CRLF files). */
export const stripLineEnd = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line);

/** A line without a leading byte-order mark (the first line of a file saved by Excel). */
export const stripBom = (line: string): string => (line.startsWith('\uFEFF') ? line.slice(1) : line);

/** The lines of a file, streamed (CRLF or LF). `onBytes` reports how much of the file was read. */
export async function* readFileLines(path: string, onBytes?: (bytesRead: number) => void): AsyncGenerator<string> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 64 * 1024 });
  const reader = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of reader) {
      yield line;
      onBytes?.(stream.bytesRead);
    }
  } finally {
    reader.close();
    stream.destroy();
  }
}


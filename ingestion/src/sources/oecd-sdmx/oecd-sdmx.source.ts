import type { Source, SourceItem } from '../../runs/source.ts';
import type { HttpClient } from '../http/http-client.ts';
import { readSdmxCsv, readSdmxCsvHeader, type SdmxCsvLayout } from '../sdmx/sdmx-csv.parser.ts';
import { readSdmxJson } from '../sdmx/sdmx-json.parser.ts';
import { requireMappedRows, sdmxSourceItems, type MappingTally } from '../sdmx/sdmx-items.ts';
import { dataflowId, type SdmxMapping, type SdmxRecord } from '../sdmx/sdmx-mapping.ts';

export type OecdFormat = 'csv' | 'csv-labels' | 'json';

/** The `format` query parameter of the OECD data API for each wire format. */
const FORMAT_PARAMETER: Record<OecdFormat, string> = { csv: 'csvfile', 'csv-labels': 'csvfilewithlabels', json: 'jsondata' };

export interface OecdSdmxSourceOptions {
  /** `AGENCY,DATAFLOW_ID[,VERSION]`. */
  readonly dataflow: string;
  /** The SDMX data key (`all`, or dimension values joined by dots). */
  readonly key: string;
  readonly fromYear?: number;
  readonly toYear?: number;
  readonly format: OecdFormat;
  readonly mapping: SdmxMapping;
  /** e.g. https://sdmx.oecd.org/public/rest */
  readonly baseUrl: string;
  readonly http: HttpClient;
  /** An SDMX-JSON message is parsed whole: a bigger one is refused. */
  readonly maxJsonBytes: number;
}

/**
 * The OECD SDMX data API: one call, `GET {base}/data/{dataflow}/{key}?startPeriod&endPeriod&format=`,
 * SDMX-CSV (with or without labels) streamed line by line, or SDMX-JSON parsed whole (bounded).
 * `check()` makes the call and reads the CSV header or the JSON structure, so an unreachable API,
 * a refused query or an unreadable answer fails the run before anything is written; `series()`
 * goes on with the same response. The OECD rate-limits hard: the HTTP client spaces calls and
 * honours 429 Retry-After.
 */
export const createOecdSdmxSource = (options: OecdSdmxSourceOptions): Source => {
  const { dataflow, key, format, mapping, http } = options;
  const url = (): string => {
    const query = new URLSearchParams();
    if (options.fromYear !== undefined) query.set('startPeriod', String(options.fromYear));
    if (options.toYear !== undefined) query.set('endPeriod', String(options.toYear));
    query.set('format', FORMAT_PARAMETER[format]);
    return `${options.baseUrl}/data/${dataflow}/${key}?${query.toString()}`;
  };
  const label = `OECD ${dataflow}/${key}`;
  let pending: { records: AsyncIterable<SdmxRecord> | Iterable<SdmxRecord> } | null = null;

  const check = async (signal?: AbortSignal): Promise<void> => {
    if (format === 'json') {
      const { text } = await http.getText(url(), signal, options.maxJsonBytes);
      const message = readSdmxJson(text, label, mapping, dataflow);
      pending = { records: message.records() };
      return;
    }
    const { lines } = await http.getLines(url(), signal);
    const first = await lines.next();
    let layout: SdmxCsvLayout;
    try {
      layout = readSdmxCsvHeader(first.done ? undefined : first.value, label, mapping);
    } catch (e) {
      await lines.return(undefined);
      throw e;
    }
    pending = { records: readSdmxCsv(lines, label, mapping, layout) };
  };

  async function* series(signal?: AbortSignal): AsyncGenerator<SourceItem> {
    if (!pending) await check(signal);
    const { records } = pending!;
    pending = null;
    const tally: MappingTally = { mapped: 0, unmapped: 0 };
    let rows = 0;
    for await (const item of sdmxSourceItems(records, tally)) {
      yield item;
      rows = tally.mapped + tally.unmapped;
      if (item.kind === 'series') yield { kind: 'progress', unit: 'rows', done: rows, total: null, label };
    }
    yield { kind: 'progress', unit: 'rows', done: rows, total: rows, label };
    requireMappedRows(tally, label);
  }

  return {
    describe: () => ({
      source: 'oecd-sdmx',
      dataset: dataflowId(dataflow),
      parameters: {
        dataflow,
        key,
        format,
        indicators: [...new Set(mapping.rules.map((r) => r.indicator))].join(','),
        ...(options.fromYear === undefined ? {} : { fromYear: options.fromYear }),
        ...(options.toYear === undefined ? {} : { toYear: options.toYear }),
      },
    }),
    check,
    series,
  };
};

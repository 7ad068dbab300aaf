import type { Source, SourceItem } from '../../runs/source.ts';
import type { HttpClient } from '../http/http-client.ts';
import { createSeriesAssembler } from '../series-assembler.ts';
import { parseWorldBankPage, rawRow, readWorldBankRow } from './world-bank-api.parser.ts';

export interface WorldBankApiSourceOptions {
  readonly indicators: readonly string[];
  /** ISO3 or ISO2 codes; empty or absent for every country and aggregate. */
  readonly countries?: readonly string[];
  readonly fromYear?: number;
  readonly toYear?: number;
  /** e.g. https://api.worldbank.org */
  readonly baseUrl: string;
  readonly perPage: number;
  readonly http: HttpClient;
  /** The current year closes an open-ended range (`fromYear` only). */
  readonly currentYear: () => number;
}

const FIRST_YEAR = 1960;

/**
 * The World Bank Indicators API v2, one indicator per call, page by page:
 * `GET {base}/v2/country/{countries}/indicator/{code}?format=json&per_page=&page=&date=from:to`.
 * `check()` asks for one row of each indicator — the API's HTTP-200 error for an invalid
 * indicator or country fails the run before anything is written — and learns the totals.
 * `series()` then reads the pages in turn (one page in memory), groups each country's rows
 * (the API sorts by country, then year) and yields a series when the country changes.
 */
export const createWorldBankApiSource = (options: WorldBankApiSourceOptions): Source => {
  const { indicators, baseUrl, perPage, http } = options;
  const countryPath = options.countries && options.countries.length > 0 ? options.countries.join(';') : 'all';
  const date = (): string | null =>
    options.fromYear === undefined && options.toYear === undefined ? null : `${options.fromYear ?? FIRST_YEAR}:${options.toYear ?? options.currentYear()}`;
  const url = (indicator: string, page: number, size: number): string => {
    const query = new URLSearchParams({ format: 'json', per_page: String(size), page: String(page) });
    const range = date();
    if (range) query.set('date', range);
    return `${baseUrl}/v2/country/${encodeURIComponent(countryPath).replaceAll('%3B', ';')}/indicator/${encodeURIComponent(indicator)}?${query.toString()}`;
  };
  const totals = new Map<string, number>();

  const check = async (signal?: AbortSignal): Promise<void> => {
    for (const indicator of indicators) {
      const { text } = await http.getText(url(indicator, 1, 1), signal);
      totals.set(indicator, parseWorldBankPage(text, `${indicator} (countries ${countryPath})`).meta.total);
    }
  };

  async function* series(signal?: AbortSignal): AsyncGenerator<SourceItem> {
    if (totals.size < indicators.length) await check(signal);
    const total = [...totals.values()].reduce((a, b) => a + b, 0);
    let done = 0;
    for (const indicator of indicators) {
      const assembler = createSeriesAssembler();
      let row = 0;
      for (let page = 1, pages = 1; page <= pages; page++) {
        const context = `${indicator} page ${page}`;
        const { text } = await http.getText(url(indicator, page, perPage), signal);
        const { meta, rows } = parseWorldBankPage(text, context);
        if (meta.total === 0) break;
        if (meta.page !== page) throw new Error(`World Bank API sent page ${meta.page} when asked for page ${page} of ${indicator}`);
        pages = meta.pages;
        for (const sent of rows) {
          row++;
          const read = readWorldBankRow(sent, indicator);
          if (read.kind === 'missing') continue;
          if (read.kind === 'rejected') {
            yield { kind: 'rejected', row, reason: `${indicator}: ${read.reason}`, raw: read.raw };
            continue;
          }
          const { completed, duplicate } = assembler.add(read.country, indicator, read.year, read.value);
          if (completed) yield completed;
          if (duplicate) yield { kind: 'rejected', row, reason: `${indicator}: ${read.country} ${read.year} is listed twice`, raw: rawRow(sent) };
        }
        done += rows.length;
        yield { kind: 'progress', unit: 'rows', done, total: Math.max(total, done), label: context };
      }
      const last = assembler.flush();
      if (last) yield last;
    }
  }

  return {
    describe: () => ({
      source: 'worldbank-api',
      dataset: indicators.join(','),
      parameters: {
        indicators: indicators.join(','),
        countries: countryPath,
        ...(options.fromYear === undefined ? {} : { fromYear: options.fromYear }),
        ...(options.toYear === undefined ? {} : { toYear: options.toYear }),
      },
    }),
    check,
    series,
  };
};

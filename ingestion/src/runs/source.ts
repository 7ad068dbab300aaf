import type { ingestionSources } from '@nationpulse/domain';

/** One observation of a series: a year and its value. */
export interface Observation {
  readonly year: number;
  readonly value: number;
}

/**
 * A complete series of one country (or aggregate) and one indicator, as the source has it.
 * A source yields each (country, indicator) once per run where it can; when the same key comes
 * again (an unsorted input), the engine records the second part on its own.
 */
export interface SeriesItem {
  readonly kind: 'series';
  readonly country: string;
  readonly indicator: string;
  readonly observations: readonly Observation[];
}

/** A row (line, record, observation) that could not be read: listed in the run, the rest still lands. */
export interface RejectionItem {
  readonly kind: 'rejected';
  /** 1-based position of the row in its file or response (a CSV line number, a record index). */
  readonly row: number;
  readonly reason: string;
  readonly raw?: string;
}

/** How far the source is: `done` of `total` units (bytes of files, rows of an API, …). */
export interface ProgressItem {
  readonly kind: 'progress';
  readonly unit: 'bytes' | 'rows' | 'requests';
  readonly done: number;
  /** null while unknown. */
  readonly total: number | null;
  /** What is being read now: a file, an indicator, a URL. */
  readonly label?: string;
}

export type SourceItem = SeriesItem | RejectionItem | ProgressItem;

/** What IngestionRunStarted records about a run's input. */
export interface SourceDescription {
  readonly source: (typeof ingestionSources)[number];
  /** What is ingested, e.g. an indicator code or a dataflow id. */
  readonly dataset: string;
  readonly parameters: Readonly<Record<string, string | number | boolean>>;
}

/**
 * Where a run's data comes from. The run engine calls `describe()`, then `check()` — the whole
 * structural validation (headers, formats, indicators, reachability), done BEFORE anything is
 * appended, so that a structurally bad input fails the run with nothing but the run's own events —
 * and then iterates `series()`, which streams: it holds at most one series (or one page of an
 * API) at a time, and the engine's backpressure slows it down when writes lag.
 * A thrown error from `check()` or `series()` fails the run with its message.
 */
export interface Source {
  describe(): SourceDescription;
  check(signal?: AbortSignal): Promise<void>;
  series(signal?: AbortSignal): AsyncIterable<SourceItem>;
}

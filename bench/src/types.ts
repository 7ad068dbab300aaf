/** What a benchmark module exports (`bench/src/benchmarks/<name>.bench.ts`). */
export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(ctx: BenchContext): Promise<readonly Row[]>;
}

export interface BenchContext {
  /** A fresh temporary directory, removed when the benchmark ends. */
  tmpDir(): string;
  /** Progress output (stderr), kept apart from the results on stdout. */
  log(message: string): void;
}

/** A target is met when the value is at least `min` and at most `max` (either may be omitted). */
export interface Target {
  readonly min?: number;
  readonly max?: number;
}

export interface Row {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: Target;
  /** Context for the figure: spread over runs, sizes, counts. */
  readonly note?: string;
}

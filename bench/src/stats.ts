export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) throw new Error('median of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export interface RateResult {
  /** Median units per second over the measured runs. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
  /** Wall-clock seconds of all measured runs together. */
  readonly seconds: number;
  /**
   * CPU time this process used (user + system) over those seconds. Near 1 for a CPU-bound loop
   * that had a core to itself; well below 1 when it waited for the disk or for other processes.
   */
  readonly cpuShare: number;
}

interface Timing {
  readonly seconds: number;
  readonly cpuSeconds: number;
}

const timed = async (fn: () => Promise<unknown>): Promise<Timing> => {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
};

const summarize = (rates: readonly number[], timings: readonly Timing[]): RateResult => {
  const seconds = timings.reduce((a, t) => a + t.seconds, 0);
  return {
    median: median(rates),
    min: Math.min(...rates),
    max: Math.max(...rates),
    runs: rates.length,
    seconds,
    cpuShare: timings.reduce((a, t) => a + t.cpuSeconds, 0) / seconds,
  };
};

export const spread = (r: RateResult): string =>
  `median of ${r.runs} runs (${Math.round(r.min).toLocaleString('en-US')}–${Math.round(r.max).toLocaleString('en-US')}), ` +
  `${r.seconds.toFixed(1)} s measured, process on CPU ${Math.round(r.cpuShare * 100)}% of it`;

export interface RateOptions {
  /** Units (e.g. events) one operation handles. */
  readonly unitsPerOp: number;
  /**
   * Builds the input for `ops` operations outside the timed region and returns the timed part.
   * Called once per warm-up round and once per run.
   */
  prepare(ops: number): () => Promise<void>;
  readonly warmupSeconds: number;
  readonly runSeconds: number;
  readonly runs: number;
  /** Upper bound on operations per run (memory for prepared input). */
  readonly maxOps?: number;
}

/**
 * Throughput of an operation: warm up by doubling the work until `warmupSeconds` have passed,
 * then size each run from the latest rate so that it lasts about `runSeconds`.
 */
export async function measureRate(o: RateOptions): Promise<RateResult> {
  const maxOps = o.maxOps ?? Number.MAX_SAFE_INTEGER;
  let ops = 8;
  let opsPerSecond = 0;
  let warm = 0;
  while (warm < o.warmupSeconds) {
    const { seconds } = await timed(o.prepare(ops));
    warm += seconds;
    opsPerSecond = ops / seconds;
    ops = Math.min(ops * 2, maxOps);
  }
  const rates: number[] = [];
  const timings: Timing[] = [];
  for (let r = 0; r < o.runs; r++) {
    const n = Math.max(1, Math.min(maxOps, Math.round(opsPerSecond * o.runSeconds)));
    const t = await timed(o.prepare(n));
    timings.push(t);
    opsPerSecond = n / t.seconds;
    rates.push(opsPerSecond * o.unitsPerOp);
  }
  return summarize(rates, timings);
}

/** Units per second of one pass of a fixed piece of work returning the units it handled (no warm-up). */
export async function passRate(pass: () => Promise<number>): Promise<number> {
  let units = 0;
  const t = await timed(async () => {
    units = await pass();
  });
  return units / t.seconds;
}

/** Throughput of a fixed piece of work returning the units it handled: one warm-up pass, then `runs` passes. */
export async function measurePasses(runs: number, pass: () => Promise<number>): Promise<RateResult> {
  await pass();
  const rates: number[] = [];
  const timings: Timing[] = [];
  for (let r = 0; r < runs; r++) {
    let units = 0;
    const t = await timed(async () => {
      units = await pass();
    });
    timings.push(t);
    rates.push(units / t.seconds);
  }
  return summarize(rates, timings);
}

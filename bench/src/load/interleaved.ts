import { median } from '../stats.ts';
import { load as autocannon, type LoadResult } from './autocannon.ts';

/** One server the comparison drives. */
export interface Contender {
  readonly label: string;
  readonly url: string;
  readonly headers?: Record<string, string>;
}

export interface InterleavedOptions {
  readonly rounds: number;
  /** Seconds of load per contender and round. */
  readonly seconds: number;
  readonly connections: number;
  readonly log?: (message: string) => void;
  /** The load generator (autocannon in its own process unless a test gives another). */
  readonly load?: typeof autocannon;
}

/** A contender's figures over every round. */
export interface Series {
  readonly label: string;
  readonly rounds: readonly LoadResult[];
  /** Median of the rounds' throughputs. */
  readonly requestsPerSecond: number;
  /** The worst round's p99: a target on it holds in every round. */
  readonly worstP99Ms: number;
  readonly medianP50Ms: number;
  readonly requests: number;
  readonly errors: number;
  readonly non2xx: number;
}

/** Throughput of one contender over another's, round by round (the same minutes of the machine). */
export interface Ratio {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly perRound: readonly number[];
}

export const summarize = (label: string, rounds: readonly LoadResult[]): Series => ({
  label,
  rounds,
  requestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
  worstP99Ms: Math.max(...rounds.map((r) => r.p99Ms)),
  medianP50Ms: median(rounds.map((r) => r.p50Ms)),
  requests: rounds.reduce((a, r) => a + r.requests, 0),
  errors: rounds.reduce((a, r) => a + r.errors, 0),
  non2xx: rounds.reduce((a, r) => a + r.non2xx, 0),
});

export const ratio = (of: Series, to: Series): Ratio => {
  if (of.rounds.length !== to.rounds.length) throw new Error(`${of.label} and ${to.label} ran a different number of rounds`);
  const perRound = of.rounds.map((r, i) => r.requestsPerSecond / to.rounds[i]!.requestsPerSecond);
  return { median: median(perRound), min: Math.min(...perRound), max: Math.max(...perRound), perRound };
};

export const describeRatio = (r: Ratio, to: string): string =>
  `${r.median.toFixed(2)}× ${to} (median of ${r.perRound.length} rounds; each round ${r.perRound.map((x) => x.toFixed(2)).join(' / ')})`;

/**
 * Drives every contender in turn, round after round, for `seconds` each, the first contender of
 * each round rotating. On this VM a server's throughput drifts by tens of per cent within minutes
 * (other tenants, CPU steal): contenders measured one after the other for a long stretch each are
 * compared across different minutes of the machine, round-by-round ratios within the same ones.
 */
export const interleaved = async (contenders: readonly Contender[], options: InterleavedOptions): Promise<Series[]> => {
  const drive = options.load ?? autocannon;
  const results = contenders.map(() => [] as LoadResult[]);
  for (let round = 0; round < options.rounds; round += 1) {
    for (let k = 0; k < contenders.length; k += 1) {
      const i = (round + k) % contenders.length;
      const contender = contenders[i]!;
      options.log?.(`round ${round + 1}/${options.rounds}: ${contender.label}`);
      results[i]!.push(
        await drive(contender.url, { connections: options.connections, seconds: options.seconds, ...(contender.headers ? { headers: contender.headers } : {}) }),
      );
    }
  }
  return contenders.map((c, i) => summarize(c.label, results[i]!));
};

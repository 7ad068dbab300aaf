import { setTimeout as sleep } from 'node:timers/promises';

/** One kind of request the workload sends: a route name for the figures and how to build a request. */
export interface RouteSpec {
  /** The route as a template, e.g. `GET /api/v1/series/{iso3}/{indicator}`: the key of its figures. */
  readonly name: string;
  /** Relative share of the requests. */
  readonly weight: number;
  /** A concrete path (and query) for one request, parameters drawn at random. */
  path(): string;
}

export interface RouteFigures {
  readonly name: string;
  readonly requests: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** A few error answers, for diagnosis. */
  readonly errorSamples: readonly string[];
}

export interface MixedWorkloadResult {
  readonly seconds: number;
  readonly requests: number;
  readonly errors: number;
  readonly routes: readonly RouteFigures[];
}

export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};

const round = (ms: number) => Math.round(ms * 100) / 100;

/** Latencies and errors per route name, summarised as p50/p99/max. */
export const createRecorder = () => {
  const latencies = new Map<string, number[]>();
  const errors = new Map<string, string[]>();
  return {
    ok(name: string, ms: number) {
      let l = latencies.get(name);
      if (!l) latencies.set(name, (l = []));
      l.push(ms);
    },
    error(name: string, ms: number, what: string) {
      this.ok(name, ms);
      let e = errors.get(name);
      if (!e) errors.set(name, (e = []));
      e.push(what);
    },
    figures(): RouteFigures[] {
      return [...latencies.keys()].sort().map((name) => {
        const sorted = [...latencies.get(name)!].sort((a, b) => a - b);
        const errs = errors.get(name) ?? [];
        return { name, requests: sorted.length, errors: errs.length, p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)), maxMs: round(sorted.at(-1) ?? 0), errorSamples: [...new Set(errs)].slice(0, 3) };
      });
    },
  };
};
export type Recorder = ReturnType<typeof createRecorder>;

/**
 * Closed-loop load: `connections` concurrent clients, each sending the next request as soon as
 * the previous one is answered, routes drawn by weight, for `seconds`. A request is an error
 * unless it is answered 2xx/304 within `timeoutMs`.
 */
export const runMixedWorkload = async (options: {
  readonly baseUrl: string;
  readonly headers: Record<string, string>;
  readonly routes: readonly RouteSpec[];
  readonly connections: number;
  readonly seconds: number;
  readonly recorder: Recorder;
  readonly timeoutMs?: number;
}): Promise<{ seconds: number; requests: number }> => {
  const total = options.routes.reduce((a, r) => a + r.weight, 0);
  const pick = (): RouteSpec => {
    let x = Math.random() * total;
    for (const r of options.routes) if ((x -= r.weight) < 0) return r;
    return options.routes.at(-1)!;
  };
  const t0 = performance.now();
  const until = t0 + options.seconds * 1000;
  let requests = 0;
  const client = async () => {
    while (performance.now() < until) {
      const route = pick();
      const start = performance.now();
      try {
        const res = await fetch(`${options.baseUrl}${route.path()}`, { headers: options.headers, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
        const body = await res.text();
        const ms = performance.now() - start;
        if (res.ok || res.status === 304) options.recorder.ok(route.name, ms);
        else options.recorder.error(route.name, ms, `${res.status} ${body.slice(0, 120)}`);
      } catch (e) {
        options.recorder.error(route.name, performance.now() - start, e instanceof Error ? e.message : String(e));
      }
      requests++;
    }
  };
  await Promise.all(Array.from({ length: options.connections }, client));
  return { seconds: (performance.now() - t0) / 1000, requests };
};

/** Runs `fn` every `everyMs` until `signal` aborts; errors are the caller's to record inside `fn`. */
export const every = async (everyMs: number, signal: AbortSignal, fn: () => Promise<void>): Promise<void> => {
  while (!signal.aborted) {
    await fn();
    await sleep(everyMs, undefined, { signal }).catch(() => undefined);
  }
};

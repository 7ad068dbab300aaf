/**
 * Preloaded into the platform process by the load benchmark (`--import`): watches the event loop
 * that the gateway, the APIs, the projectors, reporting and ingestion share, and writes what it saw
 * to `NATIONPULSE_EVENT_LOOP_PROBE` (a JSON file) when the process exits.
 *
 * - delay: `perf_hooks.monitorEventLoopDelay` (10 ms resolution), reset by `mark()`;
 * - stalls: a 10 ms timer's lateness over `STALL_MS`, each with its start on the monotonic clock
 *   (µs, the clock of `--cpu-prof` profiles, so a profile can be cut at the stalls);
 * - garbage collections over `GC_MS`, by kind;
 * - event-loop utilisation.
 *
 * A file named `<probe>.mark` appearing resets everything (the benchmark writes it when the
 * measured load starts, so the catch-up before it is left out); `<probe>.end` ends the period.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { constants, monitorEventLoopDelay, performance, PerformanceObserver, type EventLoopUtilization } from 'node:perf_hooks';

export const STALL_MS = 40;
export const GC_MS = 10;
const TICK_MS = 10;

export interface Stall {
  /** Monotonic clock, µs (`process.hrtime`), when the late timer should have fired. */
  readonly startUs: number;
  readonly ms: number;
}

export interface ProbeReport {
  /** Monotonic clock, µs, when counting started (a CPU profile's samples before it are the start-up). */
  readonly sinceUs: number;
  readonly seconds: number;
  /** CPU time of the whole process (every thread) over the period. */
  readonly cpuMs: number;
  readonly delay: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
  readonly utilisation: number;
  readonly stalls: readonly Stall[];
  readonly gcs: readonly { readonly kind: string; readonly ms: number; readonly startUs: number }[];
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** Starts watching; `report()` summarises since the last `reset()`. */
export const startProbe = () => {
  const histogram = monitorEventLoopDelay({ resolution: TICK_MS });
  histogram.enable();
  let since = performance.now();
  let sinceUs = nowUs();
  let cpu = process.cpuUsage();
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  let stalls: Stall[] = [];
  let gcs: { kind: string; ms: number; startUs: number }[] = [];
  // performance.now() and hrtime share the monotonic clock; the offset converts entry times.
  const offsetUs = nowUs() - performance.now() * 1000;

  let expected = performance.now() + TICK_MS;
  const tick = setInterval(() => {
    const at = performance.now();
    const late = at - expected;
    if (late > STALL_MS) stalls.push({ startUs: Math.round(offsetUs + expected * 1000), ms: Math.round(late) });
    expected = at + TICK_MS;
  }, TICK_MS);
  tick.unref();

  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.duration < GC_MS) continue;
      const kind = ((entry as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind;
      gcs.push({ kind: GC_KINDS[kind ?? -1] ?? String(kind), ms: Math.round(entry.duration), startUs: Math.round(offsetUs + entry.startTime * 1000) });
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });

  return {
    reset() {
      histogram.reset();
      since = performance.now();
      sinceUs = nowUs();
      cpu = process.cpuUsage();
      elu = performance.eventLoopUtilization();
      stalls = [];
      gcs = [];
    },
    report(): ProbeReport {
      const ms = (ns: number) => Math.round(ns / 1e4) / 100;
      const used = process.cpuUsage(cpu);
      return {
        sinceUs,
        seconds: Math.round((performance.now() - since) / 100) / 10,
        cpuMs: Math.round((used.user + used.system) / 1000),
        delay: { p50Ms: ms(histogram.percentile(50)), p99Ms: ms(histogram.percentile(99)), maxMs: ms(histogram.max) },
        utilisation: Math.round(performance.eventLoopUtilization(elu).utilization * 1000) / 1000,
        stalls,
        gcs,
      };
    },
    stop() {
      clearInterval(tick);
      gcObserver.disconnect();
      histogram.disable();
    },
  };
};

const file = process.env['NATIONPULSE_EVENT_LOOP_PROBE'];
if (file) {
  const probe = startProbe();
  let marked = false;
  let ended: ProbeReport | null = null;
  const watch = setInterval(() => {
    if (!marked && existsSync(`${file}.mark`)) {
      marked = true;
      probe.reset();
    }
    if (marked && existsSync(`${file}.end`)) {
      ended = probe.report();
      clearInterval(watch);
    }
  }, 100);
  watch.unref();
  process.once('exit', () => writeFileSync(file, JSON.stringify(ended ?? probe.report())));
}

/**
 * Where the platform's event loop stalls: cuts a V8 CPU profile (`node --cpu-prof`, which the load
 * benchmark passes with NATIONPULSE_LOAD_CPU_PROF=<dir>) into long tasks — runs of samples with no
 * idle sample between them — and names, for the long ones, the functions of the repository that
 * were on the stack most of the time.
 *
 *   npx tsx bench/src/load/stall-profile.ts <file.cpuprofile> [--min-ms 30] [--since-us N] [--split]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type CallFrame = { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };

export interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: CallFrame; readonly children?: readonly number[] }[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface LongTask {
  readonly startUs: number;
  readonly ms: number;
  /** Samples taken in it: on-CPU time in sampling intervals (1 ms by default), where `ms` also counts time descheduled. */
  readonly samples: number;
  /** Frames of the repository (not node_modules, not node:) by the share of the task's samples whose stack holds them. */
  readonly frames: readonly { readonly frame: string; readonly share: number }[];
  /** Innermost frames (any code) by share of the task's samples. */
  readonly self: readonly { readonly frame: string; readonly share: number }[];
}

const IDLE = new Set(['(idle)']);

/** Maps a position in generated code to the source's line (1-based); identity when unknown. */
export type SourceLines = (url: string, line: number, column: number) => number;

const VLQ = new Map([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]));

/** The source line of each generated (line, column), from a source map's `mappings` (one source). */
export const decodeMappings = (mappings: string): ((line: number, column: number) => number | undefined) => {
  const lines: { column: number; sourceLine: number }[][] = [];
  let sourceLine = 0;
  for (const text of mappings.split(';')) {
    const segments: { column: number; sourceLine: number }[] = [];
    let column = 0;
    for (const segment of text.split(',')) {
      if (!segment) continue;
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const c of segment) {
        const digit = VLQ.get(c) ?? 0;
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0] ?? 0;
      if (values.length >= 4) {
        sourceLine += values[2]!;
        segments.push({ column, sourceLine });
      }
    }
    lines.push(segments);
  }
  return (line, column) => {
    const segments = lines[line];
    if (!segments) return undefined;
    let found: number | undefined;
    for (const s of segments) {
      if (s.column > column) break;
      found = s.sourceLine;
    }
    return found === undefined ? undefined : found + 1;
  };
};

/** Source lines of the repository's TypeScript as tsx runs it (esbuild, whitespace minified), transformed again here. */
export const tsxSourceLines = async (): Promise<SourceLines> => {
  const { transformSync } = await import('esbuild');
  const maps = new Map<string, ((line: number, column: number) => number | undefined) | null>();
  return (url, line, column) => {
    if (!url.startsWith('file://') || !url.endsWith('.ts') || url.includes('/node_modules/')) return line + 1;
    let map = maps.get(url);
    if (map === undefined) {
      try {
        const path = fileURLToPath(url);
        const out = transformSync(readFileSync(path, 'utf8'), { loader: 'ts', format: 'esm', target: `node${process.versions.node}`, sourcemap: 'external', minifyWhitespace: true, keepNames: true, sourcefile: path });
        map = decodeMappings((JSON.parse(out.map) as { mappings: string }).mappings);
      } catch {
        map = null;
      }
      maps.set(url, map);
    }
    return map?.(line, column) ?? line + 1;
  };
};

const frameName = (f: CallFrame, lines: SourceLines): string => {
  const url = f.url.replace(/^file:\/\//, '');
  const short = url.includes('/node_modules/') ? url.slice(url.lastIndexOf('/node_modules/') + 14) : url.replace(/^.*?\/(?=(?:packages|projectors|read-api|write-api|gateway|ingestion|reporting|bench)\/)/, '');
  return `${f.functionName || '(anonymous)'} ${short}:${lines(f.url, f.lineNumber, f.columnNumber)}`;
};

const isOwn = (f: CallFrame): boolean => f.url !== '' && !f.url.includes('/node_modules/') && !f.url.startsWith('node:');

const top = (counts: Map<string, number>, total: number, n: number) =>
  [...counts].sort((a, b) => b[1] - a[1]).slice(0, n).map(([frame, c]) => ({ frame, share: Math.round((c / total) * 100) / 100 }));

/**
 * The profile's runs of busy samples longer than `minMs`, each with the frames that filled it.
 * With `split`, a run also ends where the entry frame changes (another callback or promise
 * continuation): on a saturated loop, with no idle sample between tasks, the longest single pieces.
 */
export const longTasks = (profile: CpuProfile, minMs: number, options: { sinceUs?: number; lines?: SourceLines; split?: boolean } = {}): LongTask[] => {
  const { sinceUs = 0, split = false, lines = (_url: string, line: number) => line + 1 } = options;
  const name = (f: CallFrame) => frameName(f, lines);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackOf = (id: number): CallFrame[] => {
    const frames = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) frames.push(byId.get(at)!.callFrame);
    return frames; // innermost first
  };

  const tasks: LongTask[] = [];
  let t = profile.startTime;
  // The frame below (root) of each sample: one callback or promise continuation the loop ran.
  const entryOf = new Map<number, number>();
  for (const c of profile.nodes[0]?.children ?? []) {
    const queue = [c];
    while (queue.length > 0) {
      const id = queue.pop()!;
      entryOf.set(id, c);
      queue.push(...(byId.get(id)?.children ?? []));
    }
  }
  let run: { startUs: number; endUs: number; ids: number[]; entry: number } | null = null;
  const close = () => {
    if (run && (run.endUs - run.startUs) / 1000 >= minMs && run.startUs >= sinceUs) {
      const own = new Map<string, number>();
      const self = new Map<string, number>();
      for (const id of run.ids) {
        const stack = stackOf(id);
        const innermost = stack[0];
        if (innermost) self.set(name(innermost), (self.get(name(innermost)) ?? 0) + 1);
        for (const frame of new Set(stack.filter(isOwn).map(name))) own.set(frame, (own.get(frame) ?? 0) + 1);
      }
      tasks.push({ startUs: run.startUs, ms: Math.round((run.endUs - run.startUs) / 100) / 10, samples: run.ids.length, frames: top(own, run.ids.length, 12), self: top(self, run.ids.length, 6) });
    }
    run = null;
  };
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const id = profile.samples[i]!;
    const idle = IDLE.has(byId.get(id)?.callFrame.functionName ?? '');
    const entry = entryOf.get(id) ?? -1;
    if (idle || (split && run && run.entry !== entry)) close();
    if (idle) continue;
    if (run) {
      run.endUs = t;
      run.ids.push(id);
    } else run = { startUs: t, endUs: t, ids: [id], entry };
  }
  close();
  return tasks;
};

/** Which repository frames fill the long tasks overall, weighted by the tasks' length. */
export const summarise = (tasks: readonly LongTask[]): { frame: string; ms: number; tasks: number }[] => {
  const totals = new Map<string, { ms: number; tasks: number }>();
  for (const task of tasks) {
    for (const { frame, share } of task.frames) {
      const t = totals.get(frame) ?? { ms: 0, tasks: 0 };
      t.ms += share * task.ms;
      t.tasks++;
      totals.set(frame, t);
    }
  }
  return [...totals].map(([frame, t]) => ({ frame, ms: Math.round(t.ms), tasks: t.tasks })).sort((a, b) => b.ms - a.ms);
};

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const [file, ...rest] = process.argv.slice(2);
  if (!file) throw new Error('usage: stall-profile.ts <file.cpuprofile> [--min-ms 30] [--since-us N]');
  const option = (name: string, fallback: number) => {
    const i = rest.indexOf(name);
    return i >= 0 ? Number(rest[i + 1]) : fallback;
  };
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const tasks = longTasks(profile, option('--min-ms', 30), { sinceUs: option('--since-us', 0), lines: await tsxSourceLines(), split: rest.includes('--split') });
  console.log(`${tasks.length} long tasks; ${tasks.reduce((a, t) => a + t.ms, 0).toFixed(0)} ms in all; longest ${Math.max(0, ...tasks.map((t) => t.ms))} ms`);
  console.log('\nrepository frames across long tasks (ms weighted by share, tasks):');
  for (const s of summarise(tasks).slice(0, 40)) console.log(`  ${String(s.ms).padStart(6)} ms ${String(s.tasks).padStart(4)}  ${s.frame}`);
  console.log('\nthe 15 longest:');
  for (const task of [...tasks].sort((a, b) => b.ms - a.ms).slice(0, 15)) {
    console.log(`- ${task.ms} ms (${task.samples} samples) at ${((task.startUs - profile.startTime) / 1e6).toFixed(2)} s`);
    for (const f of task.frames.slice(0, 8)) console.log(`    ${f.share.toFixed(2)} ${f.frame}`);
    console.log(`    self: ${task.self.map((s) => `${s.share.toFixed(2)} ${s.frame}`).join(' | ')}`);
  }
}

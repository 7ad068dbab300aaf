/**
 * Benchmark runner. Usage (from the repo root):
 *
 *   npm run bench                          every benchmark, text tables
 *   npm run bench -- event-store           only the named benchmark(s)
 *   npm run bench -- --markdown            Markdown tables to paste into BENCHMARKS.md
 *   npm run bench -- --json results.json   also write machine-readable results
 *
 * Benchmarks are the modules in ./benchmarks/*.bench.ts; each exports `name`, `description`
 * and `run(ctx)` returning rows. Progress goes to stderr, results to stdout. The exit code is 1
 * when a target is missed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchContext, Benchmark, Row, Target } from './types.ts';

interface Args {
  readonly names: string[];
  readonly markdown: boolean;
  readonly json: string | null;
}

const USAGE = 'usage: npm run bench -- [name...] [--markdown] [--json FILE]';

function parseArgs(argv: readonly string[]): Args {
  const names: string[] = [];
  let markdown = false;
  let json: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--markdown') markdown = true;
    else if (a === '--json') {
      const file = argv[++i];
      if (!file) throw new Error(`--json needs a file\n${USAGE}`);
      json = file;
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else names.push(a);
  }
  return { names, markdown, json };
}

async function loadBenchmarks(): Promise<Benchmark[]> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'benchmarks');
  const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();
  const out: Benchmark[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as Partial<Benchmark>;
    if (typeof mod.name !== 'string' || typeof mod.description !== 'string' || typeof mod.run !== 'function') {
      throw new Error(`${f} must export name, description and run(ctx)`);
    }
    out.push({ name: mod.name, description: mod.description, run: mod.run });
  }
  return out;
}

function machine(): Record<string, string> {
  let distro = '';
  try {
    distro = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {
    // not Linux, or no os-release: os.type() below is enough
  }
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: String(os.availableParallelism()),
    ram: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    os: `${distro ? `${distro}, ` : ''}${os.type()} ${os.release()} ${os.arch()}`,
    load: loadavg(),
  };
}

/** 1/5/15-minute load averages: other work on the machine skews every figure, so say how busy it was. */
const loadavg = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' / ');

const fmt = (n: number): string => {
  const abs = Math.abs(n);
  const digits = abs >= 100 || Number.isInteger(n) ? 0 : abs >= 10 ? 1 : 2;
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
};

const fmtTarget = (t: Target | undefined): string => {
  if (!t) return '';
  const parts: string[] = [];
  if (t.min !== undefined) parts.push(`≥ ${fmt(t.min)}`);
  if (t.max !== undefined) parts.push(`≤ ${fmt(t.max)}`);
  return parts.join(', ');
};

const verdict = (r: Row): 'pass' | 'FAIL' | '' => {
  if (!r.target) return '';
  const ok = (r.target.min === undefined || r.value >= r.target.min) && (r.target.max === undefined || r.value <= r.target.max);
  return ok ? 'pass' : 'FAIL';
};

const HEADER = ['metric', 'value', 'unit', 'target', 'result', 'note'] as const;
const cells = (r: Row): string[] => [r.metric, fmt(r.value), r.unit, fmtTarget(r.target), verdict(r), r.note ?? ''];

function textTable(rows: readonly Row[]): string {
  const lines = [[...HEADER], ...rows.map(cells)];
  const widths = HEADER.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  const render = (l: readonly string[]) =>
    l.map((cell, c) => (c === 1 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [render(lines[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.slice(1).map(render)].join('\n');
}

function markdownTable(rows: readonly Row[]): string {
  const esc = (s: string) => s.replaceAll('|', '\\|');
  return [
    `| ${HEADER.join(' | ')} |`,
    '| --- | ---: | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`),
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const all = await loadBenchmarks();
  const unknown = args.names.filter((n) => !all.some((b) => b.name === n));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.map((b) => b.name).join(', ')}`);
  const selected = args.names.length > 0 ? all.filter((b) => args.names.includes(b.name)) : all;

  const m = machine();
  const machineLine = `Machine: ${m.cpu}, ${m.cores} cores, ${m.ram} RAM, Node ${m.node}, ${m.os}`;
  const date = new Date().toISOString();
  const loadLine = `Load average (1/5/15 min) at start: ${m.load}`;
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  console.log(
    args.markdown ? `${machineLine}  \nDate: ${date}  \nCommand: \`${command}\`  \n${loadLine}` : `${machineLine}\nDate: ${date}\n${loadLine}`,
  );

  const results: { name: string; description: string; seconds: number; rows: (Row & { result: string })[] }[] = [];
  let failed = false;
  for (const b of selected) {
    const dirs: string[] = [];
    const ctx: BenchContext = {
      tmpDir: () => {
        const d = mkdtempSync(join(os.tmpdir(), `np-bench-${b.name}-`));
        dirs.push(d);
        return d;
      },
      log: (msg) => process.stderr.write(`[${b.name}] ${msg}\n`),
    };
    const t0 = performance.now();
    let rows: readonly Row[];
    try {
      rows = await b.run(ctx);
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
    const seconds = (performance.now() - t0) / 1000;
    if (rows.some((r) => verdict(r) === 'FAIL')) failed = true;
    results.push({ name: b.name, description: b.description, seconds, rows: rows.map((r) => ({ ...r, result: verdict(r) })) });

    if (args.markdown) console.log(`\n### ${b.name}\n\n${b.description}\n\n${markdownTable(rows)}`);
    else console.log(`\n${b.name}: ${b.description} (${seconds.toFixed(0)} s)\n\n${textTable(rows)}`);
  }

  const loadAtEnd = loadavg();
  console.log(`\nLoad average (1/5/15 min) at end: ${loadAtEnd}`);
  if (args.json) {
    const file = resolve(process.env.INIT_CWD ?? process.cwd(), args.json);
    writeFileSync(file, `${JSON.stringify({ date, command, machine: m, loadAtEnd, benchmarks: results }, null, 2)}\n`);
    process.stderr.write(`results written to ${file}\n`);
  }
  if (failed) {
    process.stderr.write('\nSome targets were missed.\n');
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});

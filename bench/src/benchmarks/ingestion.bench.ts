import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WDI_DIR } from '../fixtures/wdi-history.ts';
import type { BenchContext, Row } from '../types.ts';

export const name = 'ingestion';
export const description =
  'The whole World Bank snapshot (../shared/data/world-development-indicators) through the file source into a fresh embedded platform (SQLite event store, projectors, read API, ingestion service), triggered through POST /api/v1/ingestions, in a child process (its peak RSS is the platform\'s); then the same files again.';

const SNAPSHOT = resolve(process.env['WDI_SNAPSHOT'] ?? WDI_DIR);

interface Pass {
  readonly runMs: number;
  readonly queryableMs: number;
  readonly rows: number;
  readonly changed: number;
  readonly seriesEvents: number;
  readonly eventsAppended: number;
}

export async function run(ctx: BenchContext): Promise<readonly Row[]> {
  if (!existsSync(SNAPSHOT)) throw new Error(`no snapshot at ${SNAPSHOT} (set WDI_SNAPSHOT)`);
  const child = join(import.meta.dirname, '..', 'ingestion', 'ingest-child.ts');
  ctx.log(`ingesting ${SNAPSHOT} into a fresh embedded platform (child process)`);
  const out = await new Promise<string>((done, fail) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, ctx.tmpDir(), SNAPSHOT], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.once('exit', (code) => (code === 0 ? done(stdout) : fail(new Error(`ingest child exited ${code}`))));
  });
  const { full, again, idleRssMb, peakRssMb, series } = JSON.parse(out.trim().split('\n').at(-1)!) as { full: Pass; again: Pass; idleRssMb: number; peakRssMb: number; series: string };
  return [
    { metric: 'full snapshot: rows read', value: full.rows, unit: 'rows', note: `${full.changed} values recorded` },
    { metric: 'full snapshot: ingest rate', value: Math.round(full.rows / (full.runMs / 1000)), unit: 'rows/s' },
    { metric: 'full snapshot: series events appended', value: full.seriesEvents, unit: 'events', note: `${full.eventsAppended} events in all, with the run's started and completed` },
    { metric: 'full snapshot: run wall time', value: +(full.runMs / 1000).toFixed(2), unit: 's', note: 'trigger → run completed' },
    { metric: 'full snapshot: queryable through the read API', value: +(full.queryableMs / 1000).toFixed(2), unit: 's', target: { max: 10 }, note: `trigger → ${series} answers the CSV's exact values` },
    { metric: 'peak RSS of the platform process', value: Math.round(peakRssMb), unit: 'MB', target: { max: 400 }, note: `process.resourceUsage().maxRSS over both runs; ${Math.round(idleRssMb)} MB once started, before any data` },
    { metric: 'no-change re-ingest: wall time', value: +(again.runMs / 1000).toFixed(2), unit: 's', target: { max: 3 } },
    { metric: 'no-change re-ingest: series events appended', value: again.seriesEvents, unit: 'events', target: { max: 0 }, note: `${again.eventsAppended} in all: the run's started and completed` },
  ];
}

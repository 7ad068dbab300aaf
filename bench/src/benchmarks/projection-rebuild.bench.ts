import { join } from 'node:path';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import type { EventStore } from '@nationpulse/ports';
import { createProjectionManager } from '@nationpulse/projectors';
import { projections, type ProjectionDefinition } from '@nationpulse/read-models';
import { appendWdiHistory, loadWdiSeries } from '../fixtures/wdi-history.ts';
import { measurePasses, spread } from '../stats.ts';
import type { BenchContext, Row } from '../types.ts';

export const name = 'projection-rebuild';
export const description =
  'Rebuild of each read model from position 0 into a fresh SQLite read store, against the raw readAll rate of the same SQLite event store, in the same run. History: the full World Bank snapshot as first ingested (one ObservationsRecorded per series) plus one yearly revision run.';

const RUNS = 3;

const rebuild = async (eventStore: EventStore, dir: string, pass: number, definitions: readonly ProjectionDefinition[]) => {
  const readStore = createSqliteReadStore({ path: join(dir, `read-${pass}-${definitions.map((d) => d.name).join('+')}.db`) });
  const head = await eventStore.headPosition();
  const manager = createProjectionManager({ eventStore, readStore, projections: definitions, clock: { now: () => new Date() }, batchSize: 500 });
  await manager.start();
  while ((await manager.status()).some((s) => s.position < head)) await new Promise((r) => setTimeout(r, 5));
  await manager.stop();
  await readStore.close();
};

export async function run(ctx: BenchContext): Promise<readonly Row[]> {
  const dir = ctx.tmpDir();
  const { series, source } = loadWdiSeries();
  const eventStore = createSqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'normal' });
  ctx.log(`appending the history of ${series.length} series from ${source}`);
  const { events, values } = await appendWdiHistory(eventStore, series, 1);
  ctx.log(`${events} events, ${values} values`);

  const readAll = await measurePasses(RUNS, async () => {
    let n = 0;
    for await (const _ of eventStore.readAll()) n++;
    return n;
  });
  const rows: Row[] = [
    { metric: 'raw readAll', value: Math.round(readAll.median), unit: 'events/s', note: `${spread(readAll)}; ${events} events holding ${values} values` },
  ];
  const target = { min: Math.round(readAll.median * 0.5) };
  let pass = 0;
  for (const group of [...projections.map((p) => [p]), projections]) {
    const label = group.length === 1 ? group[0]!.name : 'all projections together';
    ctx.log(`rebuilding ${label}`);
    const rate = await measurePasses(RUNS, async () => {
      await rebuild(eventStore, dir, pass++, group);
      return events;
    });
    rows.push({
      metric: `rebuild ${label}`,
      value: Math.round(rate.median),
      unit: 'events/s',
      target,
      note: `${(rate.median / readAll.median).toFixed(2)}× readAll; ${Math.round((rate.median * values) / events)} values/s; ${spread(rate)}`,
    });
  }
  await eventStore.close();
  return rows;
}

import { randomBytes, randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { newId } from '@nationpulse/platform';
import type { EventStore, ExpectedRevision, NewEvent } from '@nationpulse/ports';
import { measurePasses, measureRate, spread } from '../stats.ts';
import type { BenchContext, Row } from '../types.ts';

export const name = 'event-store';
export const description =
  'Embedded SQLite event store (packages/embedded), one file in a fresh temp dir, WAL mode, default page size; realistic ObservationsIngested events with time-ordered event ids from the platform newId() (UUIDv7) unless a row says otherwise.';

const RUNS = 7;
const WARMUP_SECONDS = 1;
const RUN_SECONDS = 2;
const BATCH = 100;
/** readAll and catch-up are measured on a store holding at least this many events. */
const READ_EVENTS = 250_000;
const TARGET_BATCHED = 50_000;
const TARGET_READ_ALL = 150_000;

const COUNTRIES = (
  'FRA DEU ITA ESP PRT NLD BEL LUX IRL GBR DNK SWE NOR FIN ISL POL CZE SVK HUN AUT ' +
  'CHE SVN HRV GRC CYP MLT ROU BGR EST LVA LTU USA CAN MEX BRA ARG CHL COL PER URY ' +
  'JPN KOR CHN IND IDN AUS NZL ZAF NGA EGY'
).split(' ');
const INDICATORS = [
  'SP.POP.TOTL', 'SP.POP.GROW', 'SP.DYN.LE00.IN', 'SP.DYN.TFRT.IN', 'SP.DYN.CBRT.IN',
  'SP.DYN.CDRT.IN', 'SP.URB.TOTL.IN.ZS', 'SP.POP.65UP.TO.ZS', 'SH.DYN.MORT', 'SH.XPD.CHEX.GD.ZS',
  'SH.MED.PHYS.ZS', 'SH.STA.MMRT', 'NY.GDP.MKTP.CD', 'NY.GDP.PCAP.CD', 'NY.GDP.MKTP.KD.ZG',
  'FP.CPI.TOTL.ZG', 'SL.UEM.TOTL.ZS', 'GC.DOD.TOTL.GD.ZS', 'NE.EXP.GNFS.ZS', 'SE.XPD.TOTL.GD.ZS',
];
/** One stream per (country, indicator) series: 1,000 streams. */
const STREAMS = COUNTRIES.flatMap((c) => INDICATORS.map((i) => ({ id: `series-${c}.${i}`, country: c, indicator: i })));

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** 'platform': the platform's newId() (time-ordered UUIDv7). 'random': UUIDv4, the former scheme, for comparison only. */
type IdScheme = 'platform' | 'random';

/** What the ingestion worker appends for one series: a few yearly observations with the value they replace. */
function observationsIngested(country: string, indicator: string, runId: string, seq: number, ids: IdScheme = 'platform'): NewEvent {
  const eventId = ids === 'platform' ? newId() : randomUUID();
  const year = 1990 + (seq % 33);
  const base = 1_000_000 + ((seq * 7919) % 90_000_000);
  return {
    type: 'ObservationsIngested',
    data: {
      country,
      indicator,
      source: 'worldbank',
      runId,
      observations: [0, 1, 2].map((k) => ({
        year: year + k,
        value: base * (1 + k * 0.0123) + 0.25,
        previous: k === 0 ? null : base * (1 + (k - 1) * 0.0123) + 0.25,
      })),
    },
    metadata: {
      eventId,
      correlationId: runId,
      causationId: runId,
      actor: 'ingestion-worker',
      occurredAt: new Date().toISOString(),
      traceparent: `00-${hex(16)}-${hex(8)}-01`,
      source: 'ingestion/worldbank',
      schemaVersion: 1,
    },
  };
}

/** Round-robin over the streams, remembering each one's revision to append with an exact expected revision. */
class Writer {
  private readonly revisions = new Map<string, number>();
  private next = 0;
  private seq = 0;
  private readonly runId = randomUUID();
  constructor(
    private readonly store: EventStore,
    private readonly ids: IdScheme = 'platform',
  ) {}

  /** Builds `ops` appends of `size` events each (outside the timed part); the returned function performs them. */
  prepare(ops: number, size: number): () => Promise<void> {
    const work: { stream: string; events: NewEvent[] }[] = [];
    for (let o = 0; o < ops; o++) {
      const s = STREAMS[this.next++ % STREAMS.length]!;
      work.push({ stream: s.id, events: Array.from({ length: size }, () => observationsIngested(s.country, s.indicator, this.runId, this.seq++, this.ids)) });
    }
    return async () => {
      for (const w of work) {
        const rev = this.revisions.get(w.stream);
        const expected: ExpectedRevision = rev === undefined ? 'no_stream' : rev;
        const result = await this.store.append(w.stream, w.events, expected);
        this.revisions.set(w.stream, result.nextRevision);
      }
    };
  }
}

async function countReadAll(store: EventStore): Promise<number> {
  let n = 0;
  for await (const _ of store.readAll()) n++;
  return n;
}

async function countCatchUp(store: EventStore, total: number): Promise<number> {
  const sub = store.subscribeToAll();
  let n = 0;
  for await (const _ of sub) if (++n === total) break;
  await sub.close();
  return n;
}

const open = (ctx: BenchContext, synchronous: 'full' | 'normal') => {
  const path = join(ctx.tmpDir(), 'events.db');
  return { path, store: createSqliteEventStore({ path, synchronous }) };
};

async function batchedAppends(writer: Writer, store: EventStore, metric: string): Promise<Row> {
  const batched = await measureRate({
    unitsPerOp: BATCH,
    prepare: (ops) => writer.prepare(ops, BATCH),
    warmupSeconds: WARMUP_SECONDS,
    runSeconds: RUN_SECONDS,
    runs: RUNS,
    maxOps: 4_000,
  });
  const size = await store.headPosition();
  return {
    metric,
    value: batched.median,
    unit: 'events/s',
    note: `${BATCH} events per append, expected revision, 1,000 streams, empty store growing to ${size.toLocaleString('en-US')} events; ${spread(batched)}`,
  };
}

async function measureMode(ctx: BenchContext, synchronous: 'full' | 'normal'): Promise<Row[]> {
  const label = `synchronous=${synchronous}${synchronous === 'full' ? ' (default)' : ''}`;
  const rows: Row[] = [];

  // Each append measurement starts from an empty file, so both modes face the same store sizes.
  {
    ctx.log(`${label}: single-event appends`);
    const { store } = open(ctx, synchronous);
    const writer = new Writer(store);
    try {
      const single = await measureRate({
        unitsPerOp: 1,
        prepare: (ops) => writer.prepare(ops, 1),
        warmupSeconds: WARMUP_SECONDS,
        runSeconds: RUN_SECONDS,
        runs: RUNS,
        maxOps: 200_000,
      });
      const size = await store.headPosition();
      rows.push({
        metric: `single-event appends, ${label}`,
        value: single.median,
        unit: 'events/s',
        note: `1 event per append, expected revision, 1,000 streams, empty store growing to ${size.toLocaleString('en-US')} events; ${spread(single)}`,
      });
    } finally {
      await store.close();
    }
  }

  // For comparison only, with the default settings: the same batches with random (v4) event ids,
  // whose inserts into the unique event-id index touch one page per event instead of a few.
  let formerIds: Row | null = null;
  if (synchronous === 'full') {
    ctx.log(`${label}: batched appends with random (UUIDv4) event ids`);
    const { store } = open(ctx, synchronous);
    try {
      formerIds = await batchedAppends(new Writer(store, 'random'), store, `batched appends, random UUIDv4 event ids (former scheme, comparison), ${label}`);
    } finally {
      await store.close();
    }
  }

  ctx.log(`${label}: batched appends (${BATCH} per append)`);
  const { path, store } = open(ctx, synchronous);
  const writer = new Writer(store);
  try {
    rows.push({ ...(await batchedAppends(writer, store, `batched appends, ${label}`)), target: { min: TARGET_BATCHED } });
    if (formerIds) rows.push(formerIds);
    const size = await store.headPosition();
    let total = size;
    if (total < READ_EVENTS) ctx.log(`${label}: topping the store up to ${READ_EVENTS.toLocaleString('en-US')} events`);
    while (total < READ_EVENTS) {
      await writer.prepare(Math.min(500, Math.ceil((READ_EVENTS - total) / BATCH)), BATCH)();
      total = await store.headPosition();
    }
    // Positions come from AUTOINCREMENT with no rolled-back appends here, so the head is the event count.
    const counted = await countReadAll(store);
    if (counted !== total) throw new Error(`readAll returned ${counted} events, expected ${total}`);

    ctx.log(`${label}: readAll over ${total.toLocaleString('en-US')} events`);
    const readAll = await measurePasses(RUNS, () => countReadAll(store));
    ctx.log(`${label}: subscription catch-up over ${total.toLocaleString('en-US')} events`);
    const catchUp = await measurePasses(RUNS, () => countCatchUp(store, total));

    const bytes = statSync(path).size;
    const sample = observationsIngested('FRA', 'SP.POP.TOTL', randomUUID(), 0);
    const payload = `${JSON.stringify(sample.data).length} B data + ${JSON.stringify(sample.metadata).length} B metadata JSON per event`;
    rows.push(
      { metric: `readAll, ${label}`, value: readAll.median, unit: 'events/s', target: { min: TARGET_READ_ALL }, note: `whole store, ${total.toLocaleString('en-US')} events, one pass each; ${spread(readAll)}` },
      { metric: `subscription catch-up, ${label}`, value: catchUp.median, unit: 'events/s', note: `subscribeToAll from the start to the head, same store; ${spread(catchUp)}` },
      { metric: `store file, ${label}`, value: bytes / total, unit: 'bytes/event', note: `${(bytes / 1024 ** 2).toFixed(0)} MiB for ${total.toLocaleString('en-US')} events (main file, WAL excluded); ${payload}` },
    );
    return rows;
  } finally {
    await store.close();
  }
}

export async function run(ctx: BenchContext): Promise<Row[]> {
  return [...(await measureMode(ctx, 'full')), ...(await measureMode(ctx, 'normal'))];
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreUnavailableError, type NewEvent } from '@nationpulse/ports';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from './sqlite-event-store.ts';

const event = (id: string): NewEvent => ({
  type: 'Noted',
  data: { id },
  metadata: { eventId: id, correlationId: 'c', causationId: null, actor: 'test', occurredAt: '2026-01-01T00:00:00.000Z', traceparent: null, source: 'test', schemaVersion: 1 },
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('SQLite event store: a file it cannot use', () => {
  it('fails an append with EventStoreUnavailableError within its busy timeout while another process holds the write lock, and stores nothing', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'np-es-locked-')), 'events.db');
    const store = createSqliteEventStore({ path, busyTimeoutMs: 100 });
    cleanups.push(() => store.close());
    await store.append('s-1', [event('00000000-0000-7000-8000-000000000001')], 'no_stream');

    // Another "process" takes the write lock and keeps it.
    const other = new Database(path);
    cleanups.push(() => other.close());
    other.exec('BEGIN IMMEDIATE');

    const t0 = performance.now();
    const failed = await store.append('s-1', [event('00000000-0000-7000-8000-000000000002')], 0).catch((e: unknown) => e);
    const elapsed = performance.now() - t0;
    expect(failed).toBeInstanceOf(EventStoreUnavailableError);
    expect(failed).toMatchObject({ kind: 'unavailable', code: 'EVENT_STORE_UNAVAILABLE' });
    expect(elapsed, 'fails at its busy timeout, not later').toBeLessThan(1_000);

    other.exec('ROLLBACK');
    // Nothing half-written: the stream is where it was, and the retry goes through once.
    expect(await store.streamRevision('s-1')).toBe(0);
    await store.append('s-1', [event('00000000-0000-7000-8000-000000000002')], 0);
    await store.append('s-1', [event('00000000-0000-7000-8000-000000000002')], 0);
    const ids: string[] = [];
    for await (const e of store.readStream('s-1')) ids.push(e.metadata.eventId);
    expect(ids).toEqual(['00000000-0000-7000-8000-000000000001', '00000000-0000-7000-8000-000000000002']);
  });
});

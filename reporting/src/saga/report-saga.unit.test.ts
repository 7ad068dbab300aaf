import { reportStreamId, type ReportSpec } from '@nationpulse/domain';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteMessageBus } from '@nationpulse/embedded/sqlite-message-bus';
import { createAggregateExecutor } from '@nationpulse/event-sourcing';
import { createLogger } from '@nationpulse/platform';
import type { DeliveredMessage, EventStore, MessageBus } from '@nationpulse/ports';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReportOutcome } from '../messages.ts';
import { createReportSaga, type ReportSaga } from './report-saga.ts';

const topics = { events: 'reports.events', dlq: 'reports.dlq' };
const spec: ReportSpec = { kind: 'ranking', indicator: 'SP.POP.TOTL', year: 2020, order: 'desc' };
const artifact = { uri: 'file:///tmp/r.csv', fileName: 'r.csv', contentType: 'text/csv; charset=utf-8', sizeBytes: 12, sha256: 'b'.repeat(64) };
const TIMEOUT = 1_000;

const waitFor = async (what: string, done: () => Promise<boolean> | boolean, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
};

/** given(report events) / when(time passes, an outcome arrives, the saga restarts) / then(the report stream). */
const harness = async () => {
  let now = Date.parse('2026-03-01T09:00:00.000Z');
  const clock = { now: () => new Date(now) };
  const eventStore: EventStore = createSqliteEventStore({ path: ':memory:', clock: clock.now });
  const bus: MessageBus = createSqliteMessageBus({ path: ':memory:', pollIntervalMs: 5 });
  const executor = createAggregateExecutor({ eventStore, clock, source: 'test' });
  const logger = createLogger('saga-test', process.env['TEST_LOG'] ?? 'silent');
  const newSaga = () => createReportSaga({ eventStore, executor, bus, topics, timeoutMs: TIMEOUT, maxAttempts: 3, clock, logger, tickMs: 3_600_000 });
  let saga: ReportSaga = newSaga();
  await saga.start();
  const dead: DeliveredMessage[] = [];
  const dlq = await bus.subscribe({ groupId: 'test-dlq', topics: [topics.dlq], handler: async (m) => void dead.push(m) });

  const types = async (reportId: string) => {
    const out: string[] = [];
    for await (const e of eventStore.readStream(reportStreamId(reportId))) out.push(e.type);
    return out;
  };
  const events = async (reportId: string) => {
    const out: { type: string; data: unknown }[] = [];
    for await (const e of eventStore.readStream(reportStreamId(reportId))) out.push({ type: e.type, data: e.data });
    return out;
  };
  const settle = async () => saga.caughtUp(await eventStore.headPosition());

  const h = {
    saga: () => saga,
    dead,
    async given(reportId: string) {
      await executor.execute({
        streamId: reportStreamId(reportId),
        aggregate: (await import('@nationpulse/domain')).reportAggregate,
        command: { type: 'RequestReport', reportId, requestedBy: 'u-ada', spec, format: 'csv' },
        commandName: 'RequestReport',
        context: { actor: { kind: 'system', name: 'test' }, idempotencyKey: null, expectedRevision: null, correlationId: 'c', causationId: null, traceparent: null },
        fingerprint: null,
      });
      await settle();
      return h;
    },
    async whenTimePasses(ms: number) {
      now += ms;
      await saga.tick();
      await settle();
      return h;
    },
    async whenOutcome(outcome: ReportOutcome | string, key = typeof outcome === 'string' ? 'x' : outcome.reportId) {
      const deadBefore = dead.length;
      // A poison marker behind the outcome, on the same key (same partition): once it is in the
      // DLQ, the saga has handled everything before it.
      await bus.publish(topics.events, [
        { key, value: typeof outcome === 'string' ? outcome : JSON.stringify(outcome) },
        { key, value: '{"marker":true}' },
      ]);
      await waitFor('the outcome to be handled', () => dead.slice(deadBefore).some((m) => (JSON.parse(m.value) as { value: string }).value === '{"marker":true}'));
      await settle();
      return h;
    },
    async whenRestarted() {
      await saga.stop();
      saga = newSaga();
      await saga.start();
      await settle();
      return h;
    },
    types,
    events,
    async close() {
      await saga.stop();
      await dlq.close();
      await bus.close();
      await eventStore.close();
    },
  };
  return h;
};

let open: Awaited<ReturnType<typeof harness>> | null = null;
const given = async (reportId: string) => (open = await harness()).given(reportId);
afterEach(async () => {
  await open?.close();
  open = null;
});

describe('report saga', () => {
  it('records the artifact a worker reports', async () => {
    const h = await given('r1');
    await h.whenOutcome({ type: 'ReportGenerated', reportId: 'r1', attempt: 1, artifact, rows: 3 });
    expect(await h.events('r1')).toEqual([
      expect.objectContaining({ type: 'ReportRequested' }),
      { type: 'ReportGenerated', data: { reportId: 'r1', artifact, rows: 3, attempt: 1 } },
    ]);
    expect(h.saga().pending().size).toBe(0);
  });

  it('changes nothing for a duplicated outcome, nor for a late failure after success', async () => {
    const h = await given('r1');
    const outcome: ReportOutcome = { type: 'ReportGenerated', reportId: 'r1', attempt: 1, artifact, rows: 3 };
    await h.whenOutcome(outcome);
    await h.whenOutcome(outcome);
    await h.whenOutcome({ type: 'ReportGenerationFailed', reportId: 'r1', attempt: 2, reason: 'error', message: 'late' });
    expect(await h.types('r1')).toEqual(['ReportRequested', 'ReportGenerated']);
  });

  it('re-sends after a timeout, then compensates with ReportFailed(timeout) after the last attempt', async () => {
    const h = await given('r1');
    await h.whenTimePasses(TIMEOUT - 1);
    expect(await h.types('r1')).toEqual(['ReportRequested']);
    await h.whenTimePasses(1);
    expect(await h.events('r1')).toEqual([
      expect.objectContaining({ type: 'ReportRequested' }),
      { type: 'ReportRetried', data: { reportId: 'r1', attempt: 2, reason: 'timeout', message: `No outcome within ${TIMEOUT} ms for attempt 1` } },
    ]);
    expect(h.saga().pending().get('r1')?.attempt).toBe(2);
    await h.whenTimePasses(TIMEOUT);
    await h.whenTimePasses(TIMEOUT);
    expect((await h.events('r1')).slice(2)).toEqual([
      { type: 'ReportRetried', data: expect.objectContaining({ attempt: 3 }) },
      { type: 'ReportFailed', data: { reportId: 'r1', reason: 'timeout', message: `No outcome after 3 attempts of ${TIMEOUT} ms`, attempts: 3 } },
    ]);
    await h.whenTimePasses(TIMEOUT * 5);
    expect(await h.types('r1')).toHaveLength(4);
    expect(h.saga().pending().size).toBe(0);
  });

  it('completes with an outcome of an earlier attempt arriving after a retry', async () => {
    const h = await given('r1');
    await h.whenTimePasses(TIMEOUT);
    await h.whenOutcome({ type: 'ReportGenerated', reportId: 'r1', attempt: 1, artifact, rows: 3 });
    await h.whenTimePasses(TIMEOUT * 3);
    expect(await h.types('r1')).toEqual(['ReportRequested', 'ReportRetried', 'ReportGenerated']);
  });

  it('fails the report when a worker says it cannot be generated', async () => {
    const h = await given('r1');
    await h.whenOutcome({ type: 'ReportGenerationFailed', reportId: 'r1', attempt: 1, reason: 'invalid', message: 'COUNTRY_NOT_FOUND: No country XXX' });
    expect((await h.events('r1'))[1]).toEqual({ type: 'ReportFailed', data: { reportId: 'r1', reason: 'invalid', message: 'COUNTRY_NOT_FOUND: No country XXX', attempts: 1 } });
  });

  it('keeps its state across a restart: derived from the event store, the deadline still holds', async () => {
    const h = await given('r1');
    await h.whenTimePasses(TIMEOUT);
    await h.whenRestarted();
    expect(h.saga().pending().get('r1')).toMatchObject({ attempt: 2 });
    await h.whenTimePasses(TIMEOUT - 1);
    expect(await h.types('r1')).toEqual(['ReportRequested', 'ReportRetried']);
    await h.whenTimePasses(1);
    expect(await h.types('r1')).toEqual(['ReportRequested', 'ReportRetried', 'ReportRetried']);
  });

  it('sends undecodable outcomes and outcomes for unknown reports to the DLQ with the error', async () => {
    const h = await given('r1');
    await h.whenOutcome('not json at all', 'r1');
    await h.whenOutcome({ type: 'ReportGenerated', reportId: 'nobody', attempt: 1, artifact, rows: 1 });
    const letters = h.dead.map((m) => JSON.parse(m.value) as { error: { code: string }; value: string }).filter((l) => l.value !== '{"marker":true}');
    expect(letters.map((l) => l.error.code)).toEqual(['MESSAGE_INVALID', 'REPORT_NOT_FOUND']);
    expect(letters[0]!.value).toBe('not json at all');
    expect(await h.types('r1')).toEqual(['ReportRequested']);
  });

  it('whatever duplicated, reordered or late outcomes arrive, among timeouts and restarts: one outcome at most, nothing after it, and an outcome in the end', async () => {
    type Step = { kind: 'generated' | 'invalid'; attempt: number; copies: number } | { kind: 'time' } | { kind: 'restart' };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constantFrom('generated' as const, 'invalid' as const), attempt: fc.integer({ min: 1, max: 3 }), copies: fc.integer({ min: 1, max: 3 }) }),
      fc.constant({ kind: 'time' as const }),
      fc.constant({ kind: 'restart' as const }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
        const id = `p${++n}`;
        await open?.close();
        const h = await given(id);
        for (const s of steps) {
          if (s.kind === 'time') await h.whenTimePasses(TIMEOUT);
          else if (s.kind === 'restart') await h.whenRestarted();
          else {
            const outcome: ReportOutcome =
              s.kind === 'generated'
                ? { type: 'ReportGenerated', reportId: id, attempt: s.attempt, artifact, rows: 3 }
                : { type: 'ReportGenerationFailed', reportId: id, attempt: s.attempt, reason: 'invalid', message: 'refused' };
            for (let c = 0; c < s.copies; c++) await h.whenOutcome(outcome);
          }
        }
        // Whatever happened, time alone ends the report.
        for (let i = 0; i < 3; i++) await h.whenTimePasses(TIMEOUT);
        const types = await h.types(id);
        const terminal = types.map((t, i) => [t, i] as const).filter(([t]) => t === 'ReportGenerated' || t === 'ReportFailed');
        expect(terminal, types.join(',')).toHaveLength(1);
        expect(terminal[0]![1], 'nothing after the outcome').toBe(types.length - 1);
        expect(types.filter((t) => t === 'ReportRetried').length).toBeLessThanOrEqual(2);
        open = null;
        await h.close();
      }),
      { numRuns: 20 },
    );
  }, 120_000);
});

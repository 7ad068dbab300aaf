import { setTimeout as sleep } from 'node:timers/promises';
import { eventCatalogue, isNationPulseError, REPORT_STREAM_PREFIX, reportAggregate, reportStreamId, type ReportCommand } from '@nationpulse/domain';
import type { AggregateExecutor, CommandContext } from '@nationpulse/event-sourcing';
import type { Clock, Logger } from '@nationpulse/platform';
import type { BusConsumer, DeliveredMessage, EventStore, MessageBus, Subscription } from '@nationpulse/ports';
import { deadLetter } from '../dead-letter.ts';
import { HEADERS, reportOutcomeSchema } from '../messages.ts';
import type { ReportingMetrics } from '../metrics.ts';

export interface ReportSagaOptions {
  readonly eventStore: EventStore;
  readonly executor: AggregateExecutor;
  readonly bus: MessageBus;
  readonly topics: { readonly events: string; readonly dlq: string };
  /** No outcome this long after an attempt started → the next attempt, or after the last one, ReportFailed (timeout). */
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: ReportingMetrics;
  readonly groupId?: string;
  /** How often timeouts are checked (default: a quarter of the timeout, at most 1 s). */
  readonly tickMs?: number;
}

export interface ReportSaga {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Checks the deadlines now (the timer calls it; tests call it with a controlled clock). */
  tick(): Promise<void>;
  /** Resolves once the saga's view of the event store has reached the position. */
  caughtUp(position: number): Promise<void>;
  /** Reports the saga is waiting for, with the attempt in progress. */
  pending(): ReadonlyMap<string, { readonly attempt: number; readonly since: number }>;
}

export const SAGA_GROUP = 'reporting-saga';

interface Pending {
  attempt: number;
  /** When the current attempt started (ms): the ReportRequested / ReportRetried record time. */
  since: number;
  requestedAt: number;
}

/**
 * The reporting process manager. Its state — which reports wait, for which attempt, since when —
 * is derived from the report streams in the event store (a catch-up subscription from the start),
 * so a restart loses nothing and several instances agree. Outcomes from the workers become
 * ReportGenerated / ReportFailed through the aggregate executor with an idempotency key per
 * outcome, and the aggregate ignores outcomes for finished reports, so duplicates change nothing.
 * Deadlines: the next attempt is recorded as ReportRetried (the relay publishes its command);
 * after the last attempt the report fails with reason `timeout` — the compensation.
 */
export const createReportSaga = (options: ReportSagaOptions): ReportSaga => {
  const { eventStore, executor, bus, topics, timeoutMs, maxAttempts, clock, logger, metrics } = options;
  const groupId = options.groupId ?? SAGA_GROUP;
  const tickMs = options.tickMs ?? Math.min(1_000, Math.max(50, Math.floor(timeoutMs / 4)));
  const pending = new Map<string, Pending>();
  const firing = new Set<string>();
  let seen = 0;
  let liveFrom = Number.POSITIVE_INFINITY;
  let stopped = true;
  let subscription: Subscription | null = null;
  let tracking: Promise<void> | null = null;
  let consumer: BusConsumer | null = null;
  let timer: NodeJS.Timeout | null = null;
  const waiters = new Set<{ position: number; resolve: () => void }>();

  const context = (correlationId: string, idempotencyKey: string): CommandContext => ({
    actor: { kind: 'system', name: 'reporting' },
    idempotencyKey,
    expectedRevision: null,
    correlationId,
    causationId: null,
    traceparent: null,
  });

  const run = (reportId: string, command: ReportCommand, idempotencyKey: string, correlationId: string) =>
    executor.execute({ streamId: reportStreamId(reportId), aggregate: reportAggregate, command, commandName: command.type, context: context(correlationId, idempotencyKey), fingerprint: command });

  const track = async () => {
    for (let backoff = 200; !stopped; backoff = Math.min(5_000, backoff * 2)) {
      try {
        subscription = eventStore.subscribeToAll({ after: seen, filter: { streamPrefixes: [REPORT_STREAM_PREFIX] } });
        for await (const event of subscription) {
          const decoded = eventCatalogue.decode(event);
          const data = decoded?.data as { reportId?: string; attempt?: number; reason?: string } | undefined;
          const reportId = data?.reportId;
          const at = Date.parse(event.recordedAt);
          if (decoded && reportId) {
            switch (decoded.type) {
              case 'ReportRequested':
                pending.set(reportId, { attempt: 1, since: at, requestedAt: at });
                break;
              case 'ReportRetried': {
                const p = pending.get(reportId);
                if (p) Object.assign(p, { attempt: data.attempt ?? p.attempt, since: at });
                break;
              }
              case 'ReportGenerated':
              case 'ReportFailed': {
                const p = pending.get(reportId);
                pending.delete(reportId);
                if (p && event.position > liveFrom) {
                  const outcome = decoded.type === 'ReportGenerated' ? 'generated' : 'failed';
                  metrics?.sagaOutcomes.inc({ outcome, reason: outcome === 'failed' ? (data.reason ?? 'error') : 'none' });
                  metrics?.sagaSeconds.observe({ outcome }, Math.max(0, at - p.requestedAt) / 1000);
                }
                break;
              }
            }
          }
          seen = event.position;
          metrics?.pending.set(pending.size);
          for (const w of waiters) {
            if (seen < w.position) continue;
            waiters.delete(w);
            w.resolve();
          }
        }
        return;
      } catch (err) {
        if (stopped) return;
        logger.warn({ err }, 'saga lost its event-store subscription; resuming');
        await sleep(backoff);
      }
    }
  };

  const tick = async () => {
    const now = clock.now().getTime();
    for (const [reportId, p] of pending) {
      if (now - p.since < timeoutMs || firing.has(reportId)) continue;
      firing.add(reportId);
      try {
        if (p.attempt < maxAttempts) {
          const attempt = p.attempt + 1;
          await run(reportId, { type: 'RetryReport', reportId, attempt, reason: 'timeout', message: `No outcome within ${timeoutMs} ms for attempt ${p.attempt}` }, `saga:retry:${attempt}`, reportId);
          metrics?.retries.inc();
          logger.warn({ reportId, attempt }, 'report timed out; sending it again');
        } else {
          await run(reportId, { type: 'RecordReportFailed', reportId, reason: 'timeout', message: `No outcome after ${p.attempt} attempts of ${timeoutMs} ms`, attempts: p.attempt }, `saga:timeout:${p.attempt}`, reportId);
          logger.warn({ reportId, attempts: p.attempt }, 'report failed: no outcome after the last attempt');
        }
        // Until the subscription brings the recorded event, the next deadline counts from now.
        p.since = now;
      } catch (err) {
        logger.warn({ err, reportId }, 'saga could not record a timeout; will retry');
      } finally {
        firing.delete(reportId);
      }
    }
  };

  const onOutcome = async (message: DeliveredMessage): Promise<void> => {
    let raw: unknown;
    try {
      raw = JSON.parse(message.value);
    } catch {
      raw = undefined;
    }
    const parsed = reportOutcomeSchema.safeParse(raw);
    if (!parsed.success) {
      await deadLetter(bus, topics.dlq, message, groupId, { code: 'MESSAGE_INVALID', message: 'Not a valid report outcome', details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) }, clock);
      metrics?.deadLettered.inc({ consumer: groupId });
      return;
    }
    const outcome = parsed.data;
    const correlationId = message.headers[HEADERS.correlationId] ?? outcome.reportId;
    const command: ReportCommand =
      outcome.type === 'ReportGenerated'
        ? { type: 'RecordReportGenerated', reportId: outcome.reportId, artifact: outcome.artifact, rows: outcome.rows, attempt: outcome.attempt }
        : { type: 'RecordReportFailed', reportId: outcome.reportId, reason: outcome.reason, message: outcome.message, attempts: Math.max(outcome.attempt, 1) };
    try {
      await run(outcome.reportId, command, `saga:outcome:${outcome.type}:${outcome.attempt}`, correlationId);
    } catch (e) {
      if (isNationPulseError(e) && (e.code === 'REPORT_NOT_FOUND' || e.kind === 'validation')) {
        await deadLetter(bus, topics.dlq, message, groupId, { code: e.code, message: e.message }, clock);
        metrics?.deadLettered.inc({ consumer: groupId });
        return;
      }
      throw e; // event store unavailable: not committed, delivered again
    }
  };

  return {
    async start() {
      if (!stopped) return;
      stopped = false;
      liveFrom = await eventStore.headPosition();
      tracking = track();
      consumer = await bus.subscribe({
        groupId,
        topics: [topics.events],
        handler: onOutcome,
        onError: (err, m) => logger.warn({ err, key: m.key, offset: m.offset }, 'could not record a report outcome; will retry'),
      });
      timer = setInterval(() => void tick(), tickMs);
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await consumer?.close();
      await subscription?.close();
      await tracking;
    },
    tick,
    caughtUp(position) {
      if (seen >= position) return Promise.resolve();
      return new Promise((resolve) => waiters.add({ position, resolve }));
    },
    pending: () => new Map([...pending].map(([id, p]) => [id, { attempt: p.attempt, since: p.since }])),
  };
};

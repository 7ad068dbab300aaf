import { setTimeout as sleep } from 'node:timers/promises';
import { createInProcessNotifications } from '@nationpulse/embedded/in-process-notifications';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { newId } from '@nationpulse/platform';
import type { Notification } from '@nationpulse/ports';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from './notifier.ts';

const meta = (actor = 'u-ada') => ({ eventId: newId(), correlationId: 'c', causationId: null, actor, occurredAt: new Date().toISOString(), traceparent: null, source: 'test', schemaVersion: 1 });
const observed = (country: string, indicator = 'SP.POP.TOTL') => ({
  type: 'ObservationsRecorded',
  data: { country, indicator, source: 'file', runId: 'r', changes: [{ year: 2020, value: 1, previous: null }] },
  metadata: meta(),
});
const report = (reportId: string, requestedBy: string) => [
  { type: 'ReportRequested', data: { reportId, requestedBy, spec: { kind: 'ranking', indicator: 'SP.POP.TOTL', year: 2020, order: 'desc' }, format: 'csv' }, metadata: meta(requestedBy) },
  { type: 'ReportFailed', data: { reportId, reason: 'timeout', message: 'took too long', attempts: 3 }, metadata: meta('reporting') },
];

const setup = async (throttleMs = 50) => {
  const eventStore = createSqliteEventStore({ path: ':memory:' });
  const notifications = createInProcessNotifications();
  const errors: unknown[] = [];
  const notifier = createNotifier({ eventStore, notifications, dataChangedThrottleMs: throttleMs, now: () => new Date(), onError: (e) => errors.push(e) });
  const inbox = async (userId: string) => {
    const got: Notification[] = [];
    await notifications.subscribe(userId, (n) => got.push(n));
    return got;
  };
  return { eventStore, notifications, notifier, errors, inbox };
};

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

describe('notifier', () => {
  it('never replays history: events stored before it starts notify no one', async () => {
    const { eventStore, notifier, inbox, notifications } = await setup();
    cleanup = async () => {
      await notifier.stop();
      await eventStore.close();
      await notifications.close();
    };
    await eventStore.append('report-old', report('old', 'u-ada'), 'no_stream');
    await eventStore.append('series-FRA-SP.POP.TOTL', [observed('FRA')], 'no_stream');
    const ada = await inbox('u-ada');
    await notifier.start();
    await sleep(200);
    expect(ada).toEqual([]);
  });

  it("tells a report's requester, and only them, how it ended", async () => {
    const { eventStore, notifier, inbox, notifications } = await setup();
    cleanup = async () => {
      await notifier.stop();
      await eventStore.close();
      await notifications.close();
    };
    await notifier.start();
    const [ada, bob] = [await inbox('u-ada'), await inbox('u-bob')];
    const { position } = await eventStore.append('report-r1', report('r1', 'u-ada'), 'no_stream');
    await expect.poll(() => ada.length).toBe(1);
    expect(ada[0]).toMatchObject({ type: 'report.failed', data: { reportId: 'r1', reason: 'timeout', message: 'took too long', position } });
    expect(ada[0]!.requires).toBeUndefined();
    expect(bob).toEqual([]);
  });

  it('broadcasts ingestion progress to those who may trigger ingestion, without the rejected rows', async () => {
    const { eventStore, notifier, inbox, notifications } = await setup();
    cleanup = async () => {
      await notifier.stop();
      await eventStore.close();
      await notifications.close();
    };
    await notifier.start();
    const anyone = await inbox('u-any');
    await eventStore.append(
      'ingestion-run-1',
      [
        { type: 'IngestionRunStarted', data: { runId: 'run-1', source: 'file', dataset: 'wdi', trigger: 'manual', parameters: {} }, metadata: meta() },
        {
          type: 'IngestionRunCompleted',
          data: { runId: 'run-1', rowsRead: 10, rowsChanged: 4, rowsUnchanged: 5, rowsRejected: 1, seriesChanged: 2, rejected: [{ row: 3, reason: 'bad value' }], durationMs: 12 },
          metadata: meta(),
        },
      ],
      'no_stream',
    );
    await expect.poll(() => anyone.map((n) => n.type)).toEqual(['ingestion.started', 'ingestion.completed']);
    expect(anyone.every((n) => n.requires === 'ingestion:trigger')).toBe(true);
    expect(anyone[1]!.data).toMatchObject({ runId: 'run-1', rowsChanged: 4, rowsRejected: 1, actor: 'u-ada' });
    expect(anyone[1]!.data).not.toHaveProperty('rejected');
  });

  it('sums data changes into at most one notification per throttle window', async () => {
    const { eventStore, notifier, inbox, notifications } = await setup(300);
    cleanup = async () => {
      await notifier.stop();
      await eventStore.close();
      await notifications.close();
    };
    await notifier.start();
    const reader = await inbox('u-reader');
    for (const country of ['FRA', 'DEU', 'ITA']) await eventStore.append(`series-${country}-SP.POP.TOTL`, [observed(country)], 'any');
    await eventStore.append('series-FRA-NY.GDP.MKTP.CD', [observed('FRA', 'NY.GDP.MKTP.CD')], 'any');
    await expect.poll(() => reader.length).toBe(1);
    const head = await eventStore.headPosition();
    expect(reader[0]).toMatchObject({ type: 'data.changed', requires: 'data:read', data: { series: 4, indicators: ['NY.GDP.MKTP.CD', 'SP.POP.TOTL'], countries: ['DEU', 'FRA', 'ITA'], position: head } });
    await eventStore.append('series-ESP-SP.POP.TOTL', [observed('ESP')], 'any');
    await sleep(100);
    expect(reader).toHaveLength(1); // still inside the window
    await expect.poll(() => reader.length, { timeout: 2_000 }).toBe(2);
    expect(reader[1]!.data).toMatchObject({ series: 1, countries: ['ESP'] });
  });
});

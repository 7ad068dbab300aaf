import { setTimeout as sleep } from 'node:timers/promises';
import { reportAggregate, reportStreamId, type ReportCommand } from '@nationpulse/domain';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteMessageBus } from '@nationpulse/embedded/sqlite-message-bus';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import { createAggregateExecutor } from '@nationpulse/event-sourcing';
import { createLogger, systemClock } from '@nationpulse/platform';
import { MessageBusUnavailableError, type MessageBus } from '@nationpulse/ports';
import { describe, expect, it } from 'vitest';
import type { GenerateReport } from '../messages.ts';
import { createOutboxRelay } from './outbox-relay.ts';

const spec = { kind: 'ranking', indicator: 'SP.POP.TOTL', year: 2020, order: 'desc' } as const;

const setup = () => {
  const eventStore = createSqliteEventStore({ path: ':memory:' });
  const checkpoints = createSqliteReadStore({ path: ':memory:' });
  const bus = createSqliteMessageBus({ path: ':memory:', pollIntervalMs: 5 });
  const executor = createAggregateExecutor({ eventStore, clock: systemClock, source: 'test' });
  const exec = (reportId: string, command: ReportCommand) =>
    executor.execute({
      streamId: reportStreamId(reportId),
      aggregate: reportAggregate,
      command,
      commandName: command.type,
      context: { actor: { kind: 'system', name: 'test' }, idempotencyKey: null, expectedRevision: null, correlationId: `corr-${reportId}`, causationId: null, traceparent: null },
      fingerprint: null,
    });
  const published: GenerateReport[] = [];
  const headers: Record<string, string>[] = [];
  const relayOn = (target: MessageBus) => createOutboxRelay({ eventStore, bus: target, checkpoints, commandsTopic: 'reports.commands', logger: createLogger('relay-test', 'silent'), minBackoffMs: 10, maxBackoffMs: 20 });
  const watch = () =>
    bus.subscribe({
      groupId: 'test',
      topics: ['reports.commands'],
      handler: async (m) => {
        published.push(JSON.parse(m.value) as GenerateReport);
        headers.push({ ...m.headers });
      },
    });
  const until = async (done: () => boolean | Promise<boolean>) => {
    const deadline = Date.now() + 5_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await sleep(10);
    }
  };
  return { eventStore, checkpoints, bus, exec, published, headers, relayOn, watch, until };
};

describe('outbox relay', () => {
  it('publishes a command per request and per retry, keyed by report, and checkpoints after each publish', async () => {
    const h = setup();
    await h.watch();
    await h.exec('r1', { type: 'RequestReport', reportId: 'r1', requestedBy: 'u-ada', spec, format: 'csv' });
    const relay = h.relayOn(h.bus);
    relay.start();
    await h.until(() => h.published.length === 1);
    const retry = await h.exec('r1', { type: 'RetryReport', reportId: 'r1', attempt: 2, reason: 'timeout', message: 'no outcome' });
    await h.until(() => h.published.length === 2);
    expect(h.published.map((c) => [c.reportId, c.attempt, c.requestedBy, c.spec.kind])).toEqual([['r1', 1, 'u-ada', 'ranking'], ['r1', 2, 'u-ada', 'ranking']]);
    expect(h.published[1]!.minPosition).toBe(h.published[0]!.minPosition);
    expect(h.headers[0]).toMatchObject({ 'message-type': 'GenerateReport', 'correlation-id': 'corr-r1' });
    await h.until(async () => (await relay.checkpoint()) === retry.position);
    await relay.stop();
  });

  it('resumes from its checkpoint after a restart: nothing republished, nothing lost', async () => {
    const h = setup();
    await h.watch();
    await h.exec('r1', { type: 'RequestReport', reportId: 'r1', requestedBy: 'u-ada', spec, format: 'csv' });
    const first = h.relayOn(h.bus);
    first.start();
    await h.until(() => h.published.length === 1);
    await first.stop();
    await h.exec('r2', { type: 'RequestReport', reportId: 'r2', requestedBy: 'u-bob', spec, format: 'csv' });
    const second = h.relayOn(h.bus);
    second.start();
    await h.until(() => h.published.length === 2);
    await sleep(100);
    expect(h.published.map((c) => c.reportId)).toEqual(['r1', 'r2']);
    await second.stop();
  });

  it('keeps retrying while the bus is down and does not move its checkpoint past an unpublished command', async () => {
    const h = setup();
    await h.watch();
    let down = true;
    const flaky: MessageBus = {
      ...h.bus,
      publish: async (topic, messages) => {
        if (down) throw new MessageBusUnavailableError('broker down');
        return h.bus.publish(topic, messages);
      },
    };
    await h.exec('r1', { type: 'RequestReport', reportId: 'r1', requestedBy: 'u-ada', spec, format: 'csv' });
    const relay = h.relayOn(flaky);
    relay.start();
    await sleep(150);
    expect(await relay.checkpoint()).toBe(0);
    down = false;
    await h.until(() => h.published.length === 1);
    await relay.stop();
  });
});

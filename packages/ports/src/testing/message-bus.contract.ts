import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { BusConsumer, DeliveredMessage, MessageBus } from '../message-bus.ts';

export interface MessageBusFactory {
  /** A client of the bus under test; each call is another client of the same log (another process' view). */
  create(): Promise<MessageBus>;
  /** How long a new group member needs to join and get its partitions (Kafka rebalances take seconds). */
  readonly settleMs: number;
  /** How long a test waits for deliveries before failing. */
  readonly deliveryTimeoutMs?: number;
}

const waitFor = async (what: string, done: () => boolean, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
};

/**
 * The behaviour every MessageBus adapter must show: keyed partitions, per-key order, headers,
 * consumer groups sharing partitions, commit after the handler, redelivery of what was not
 * committed (handler failure, a member gone), independent groups. Topic and group names are
 * unique per run, so a shared broker is fine.
 */
export function testMessageBus(name: string, factory: MessageBusFactory): void {
  describe(`MessageBus contract: ${name}`, () => {
    const run = `contract-${randomUUID().slice(0, 8)}`;
    const topic = (label: string) => `${run}.${label}`;
    const group = (label: string) => `${run}-${label}`;
    const timeout = factory.deliveryTimeoutMs ?? 20_000;
    const open: { buses: MessageBus[]; consumers: BusConsumer[] } = { buses: [], consumers: [] };
    const bus = async () => {
      const b = await factory.create();
      open.buses.push(b);
      return b;
    };
    const consume = async (b: MessageBus, groupId: string, topics: string[], handler: (m: DeliveredMessage) => Promise<void>) => {
      const c = await b.subscribe({ groupId, topics, handler, retryDelayMs: 50 });
      open.consumers.push(c);
      return c;
    };
    afterAll(async () => {
      for (const c of open.consumers) await c.close().catch(() => undefined);
      for (const b of open.buses) await b.close().catch(() => undefined);
    });

    it('answers ping and creates topics idempotently', async () => {
      const b = await bus();
      await b.ping();
      await b.ensureTopics([{ name: topic('ping'), partitions: 2 }]);
      await b.ensureTopics([{ name: topic('ping'), partitions: 2 }]);
    });

    it('delivers key, value and headers; one key always lands on one partition, in publish order', async () => {
      const [producer, consumer] = [await bus(), await bus()];
      const t = topic('order');
      await producer.ensureTopics([{ name: t, partitions: 3 }]);
      const keys = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
      for (let i = 0; i < 5; i++) {
        await producer.publish(t, keys.map((key) => ({ key, value: JSON.stringify({ key, i, text: 'ünïcødé ✓' }), headers: { 'x-seq': String(i), 'x-key': key } })));
      }
      const got: DeliveredMessage[] = [];
      await consume(consumer, group('order'), [t], async (m) => void got.push(m));
      await waitFor('30 messages', () => got.length >= 30, timeout);
      await sleep(200);
      expect(got).toHaveLength(30);
      for (const key of keys) {
        const mine = got.filter((m) => m.key === key);
        expect(mine.map((m) => (JSON.parse(m.value) as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);
        expect(new Set(mine.map((m) => m.partition)).size).toBe(1);
        expect(mine.every((m) => m.headers['x-key'] === key && m.topic === t)).toBe(true);
        expect(mine.map((m) => m.headers['x-seq'])).toEqual(['0', '1', '2', '3', '4']);
        expect(JSON.parse(mine[0]!.value)).toEqual({ key, i: 0, text: 'ünïcødé ✓' });
        expect(Number.isNaN(Date.parse(mine[0]!.timestamp))).toBe(false);
      }
      // Six keys over three partitions: the keys are spread, not all on one partition.
      expect(new Set(got.map((m) => m.partition)).size).toBeGreaterThan(1);
      expect(got.every((m) => m.partition >= 0 && m.partition < 3 && /^\d+$/.test(m.offset))).toBe(true);
    });

    it('commits after the handler: a member of the same group that comes later gets only newer messages', async () => {
      const b = await bus();
      const t = topic('commit');
      await b.ensureTopics([{ name: t, partitions: 2 }]);
      await b.publish(t, [{ key: 'k1', value: 'first' }, { key: 'k2', value: 'second' }]);
      const firstRun: string[] = [];
      const c1 = await consume(b, group('commit'), [t], async (m) => void firstRun.push(m.value));
      await waitFor('two messages', () => firstRun.length >= 2, timeout);
      await c1.close();

      await b.publish(t, [{ key: 'k1', value: 'third' }]);
      const secondRun: string[] = [];
      await consume(await bus(), group('commit'), [t], async (m) => void secondRun.push(m.value));
      await waitFor('the new message', () => secondRun.length >= 1, timeout + factory.settleMs);
      await sleep(factory.settleMs);
      expect(firstRun.sort()).toEqual(['first', 'second']);
      expect(secondRun).toEqual(['third']);
    });

    it("reports a group's lag per partition: all of it before the group consumes, none once it committed, and per group", async () => {
      const [producer, observer] = [await bus(), await bus()];
      const t = topic('lag');
      await producer.ensureTopics([{ name: t, partitions: 2 }]);
      await producer.publish(t, ['a', 'b', 'c', 'd', 'e'].map((key) => ({ key, value: key })));
      const total = (lags: readonly { lag: number }[]) => lags.reduce((sum, l) => sum + l.lag, 0);
      const before = await observer.consumerLag(group('lag'), [t]);
      expect(before.map((l) => [l.topic, l.partition]).sort()).toEqual([[t, 0], [t, 1]]);
      expect(total(before)).toBe(5);

      const seen: string[] = [];
      await consume(await bus(), group('lag'), [t], async (m) => void seen.push(m.value));
      await waitFor('five messages', () => seen.length >= 5, timeout);
      let after = await observer.consumerLag(group('lag'), [t]);
      const deadline = Date.now() + timeout;
      while (total(after) > 0 && Date.now() < deadline) {
        await sleep(50); // the commit follows the handler
        after = await observer.consumerLag(group('lag'), [t]);
      }
      expect(total(after)).toBe(0);
      expect(total(await observer.consumerLag(group('lag-other'), [t]))).toBe(5);
    });

    it('a failed handler commits nothing: the message comes again, and the next one of its partition waits for it', async () => {
      const b = await bus();
      const t = topic('retry');
      await b.ensureTopics([{ name: t, partitions: 1 }]);
      await b.publish(t, [{ key: 'k', value: 'm1' }, { key: 'k', value: 'm2' }]);
      const seen: string[] = [];
      let failures = 0;
      await consume(b, group('retry'), [t], async (m) => {
        seen.push(m.value);
        if (m.value === 'm1' && failures < 2) {
          failures++;
          throw new Error('transient');
        }
      });
      await waitFor('m2', () => seen.includes('m2'), timeout);
      expect(seen).toEqual(['m1', 'm1', 'm1', 'm2']);
    });

    it('redelivers what a member took but never committed to the member that takes over (crash, restart)', async () => {
      const t = topic('crash');
      const first = await bus();
      await first.ensureTopics([{ name: t, partitions: 1 }]);
      await first.publish(t, [{ key: 'job-1', value: 'generate' }]);
      let takenByFirst = 0;
      // The handler never completes its work: the member "dies" holding the message.
      const c1 = await consume(first, group('crash'), [t], async () => {
        takenByFirst++;
        throw new Error('crashed mid-work');
      });
      await waitFor('the first member to take the message', () => takenByFirst > 0, timeout);
      await c1.close();
      await first.close();

      const takenBySecond: DeliveredMessage[] = [];
      await consume(await bus(), group('crash'), [t], async (m) => void takenBySecond.push(m));
      await waitFor('the redelivery', () => takenBySecond.length > 0, timeout + factory.settleMs);
      expect(takenBySecond[0]).toMatchObject({ key: 'job-1', value: 'generate', offset: '0' });
    });

    it('members of one group share the partitions; each group gets every message once', async () => {
      const t = topic('groups');
      const producer = await bus();
      await producer.ensureTopics([{ name: t, partitions: 3 }]);
      const byMember: Record<'a' | 'b', string[]> = { a: [], b: [] };
      const other: string[] = [];
      await consume(await bus(), group('shared'), [t], async (m) => void byMember.a.push(m.value));
      await consume(await bus(), group('shared'), [t], async (m) => void byMember.b.push(m.value));
      await consume(await bus(), group('other'), [t], async (m) => void other.push(m.value));
      await sleep(factory.settleMs);

      const sent = Array.from({ length: 24 }, (_, i) => ({ key: `key-${i % 12}`, value: `v${i}` }));
      await producer.publish(t, sent);
      const all = () => [...byMember.a, ...byMember.b];
      await waitFor('24 messages in each group', () => all().length >= 24 && other.length >= 24, timeout);
      await sleep(300);
      expect(all().sort()).toEqual(sent.map((m) => m.value).sort());
      expect(other.sort()).toEqual(sent.map((m) => m.value).sort());
      expect(byMember.a.length).toBeGreaterThan(0);
      expect(byMember.b.length).toBeGreaterThan(0);
    });
  });
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { MessageBusUnavailableError, type DeliveredMessage } from '@nationpulse/ports';
import { createKafkaMessageBus } from './kafka-message-bus.ts';

/**
 * Crash handling, on a fake kafkajs client: a real broker cannot be made to produce the crash
 * kafkajs does not restart (kafkajs#1466) on demand. The rest of the adapter runs against a real
 * broker in kafka-message-bus.int.test.ts.
 */
const CRASH = 'consumer.crash';

class FakeConsumer {
  readonly events = { CRASH };
  connected = false;
  running = false;
  failStart: Error | null = null;
  connectGate: Promise<void> | null = null;
  crashWhileJoining = false;
  committed: { topic: string; partition: number; offset: string }[] = [];
  private eachMessage: ((p: EachMessagePayload) => Promise<void>) | null = null;
  private readonly listeners: ((event: { payload: { error: Error; groupId: string; restart: boolean } }) => void)[] = [];

  on(event: string, listener: (event: { payload: { error: Error; groupId: string; restart: boolean } }) => void) {
    if (event === CRASH) this.listeners.push(listener);
    return () => undefined;
  }
  async connect() {
    await this.connectGate;
    if (this.failStart) throw this.failStart;
    this.connected = true;
  }
  async subscribe() {}
  async run({ eachMessage }: { eachMessage: (p: EachMessagePayload) => Promise<void> }) {
    this.eachMessage = eachMessage;
    // kafkajs's run() resolves even when the first join crashes: runner.start() reports it to onCrash.
    if (this.crashWhileJoining) this.crash(false);
    else this.running = true;
  }
  async disconnect() {
    this.connected = false;
    this.running = false;
  }
  async commitOffsets(offsets: { topic: string; partition: number; offset: string }[]) {
    this.committed.push(...offsets);
  }
  crash(restart: boolean) {
    this.running = false;
    for (const l of this.listeners) l({ payload: { error: new Error('The coordinator is not aware of this member'), groupId: 'g', restart } });
  }
  async deliver(offset: string, value: string) {
    if (!this.running || !this.eachMessage) throw new Error('not running');
    await this.eachMessage({
      topic: 't',
      partition: 0,
      message: { offset, key: Buffer.from('k'), value: Buffer.from(value), headers: {}, timestamp: String(Date.UTC(2026, 0, 1)), attributes: 0 },
      heartbeat: async () => undefined,
      pause: () => () => undefined,
    });
  }
}

const fakeClient = (prepare: (c: FakeConsumer, index: number) => void = () => undefined) => {
  const consumers: FakeConsumer[] = [];
  const client = {
    consumer: () => {
      const c = new FakeConsumer();
      prepare(c, consumers.length);
      consumers.push(c);
      return c as unknown as Consumer;
    },
  } as unknown as Kafka;
  return { client, consumers };
};

const until = async (what: string, ok: () => boolean, timeoutMs = 2_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
};

describe('Kafka consumers after a crash', () => {
  it('replaces a consumer that kafkajs does not restart with a new member that goes on delivering and committing', async () => {
    const { client, consumers } = fakeClient();
    const logged: string[] = [];
    const bus = createKafkaMessageBus({ brokers: ['unused:9092'], client, initialRetryTimeMs: 10, log: (_l, m) => logged.push(m) });
    const seen: DeliveredMessage[] = [];
    const sub = await bus.subscribe({ groupId: 'g', topics: ['t'], handler: async (m) => void seen.push(m) });
    await consumers[0]!.deliver('0', 'before');

    consumers[0]!.crash(false);
    await until('a second consumer running', () => consumers[1]?.running === true);
    expect(consumers[0]!.connected).toBe(false);
    await consumers[1]!.deliver('1', 'after');

    expect(seen.map((m) => m.value)).toEqual(['before', 'after']);
    expect(consumers[1]!.committed).toEqual([{ topic: 't', partition: 0, offset: '2' }]);
    expect(logged).toContain('kafka consumer stopped by a non-retriable error; starting a new one');
    await sub.close();
    expect(consumers[1]!.connected).toBe(false);
    await bus.close();
  });

  it('leaves a crash that kafkajs restarts itself to kafkajs', async () => {
    const { client, consumers } = fakeClient();
    const bus = createKafkaMessageBus({ brokers: ['unused:9092'], client, initialRetryTimeMs: 10 });
    await bus.subscribe({ groupId: 'g', topics: ['t'], handler: async () => undefined });
    consumers[0]!.crash(true);
    await sleep(100);
    expect(consumers).toHaveLength(1);
    await bus.close();
  });

  it('keeps trying, with backoff, while a new consumer cannot start', async () => {
    const { client, consumers } = fakeClient((c, i) => {
      if (i >= 1 && i <= 3) c.failStart = new Error('connect ECONNREFUSED');
    });
    const bus = createKafkaMessageBus({ brokers: ['unused:9092'], client, initialRetryTimeMs: 10 });
    await bus.subscribe({ groupId: 'g', topics: ['t'], handler: async () => undefined });
    consumers[0]!.crash(false);
    await until('the fifth consumer running', () => consumers[4]?.running === true);
    expect(consumers.filter((c) => c.running)).toHaveLength(1);
    await bus.close();
    expect(consumers.some((c) => c.connected)).toBe(false);
  });

  it('closes at once during the backoff of a replacement, and starts no consumer after', async () => {
    const { client, consumers } = fakeClient();
    const bus = createKafkaMessageBus({ brokers: ['unused:9092'], client, initialRetryTimeMs: 10_000 });
    const sub = await bus.subscribe({ groupId: 'g', topics: ['t'], handler: async () => undefined });
    consumers[0]!.crash(false);
    await sleep(30); // the replacement is in its 10 s backoff now
    const started = Date.now();
    await sub.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    await sleep(50);
    expect(consumers).toHaveLength(1);
    await bus.close();
  });

  it('leaves no consumer connected once close() resolves, even when it came while a replacement was joining', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { client, consumers } = fakeClient((c, i) => {
      if (i === 1) c.connectGate = gate;
    });
    const bus = createKafkaMessageBus({ brokers: ['unused:9092'], client, initialRetryTimeMs: 10 });
    const sub = await bus.subscribe({ groupId: 'g', topics: ['t'], handler: async () => undefined });
    consumers[0]!.crash(false);
    await until('the replacement joining', () => consumers.length === 2);
    let closed = false;
    const closing = sub.close().then(() => (closed = true));
    await sleep(30);
    expect(closed).toBe(false); // waits for the replacement in flight
    release();
    await closing;
    expect(consumers.some((c) => c.connected || c.running)).toBe(false);
    await bus.close();
  });

  it('refuses a subscription whose first join crashed for good, instead of handing back a consumer that consumes nothing', async () => {
    const { client, consumers } = fakeClient((c) => {
      c.crashWhileJoining = true;
    });
    const bus = createKafkaMessageBus({ brokers: ['unused:9092'], client, initialRetryTimeMs: 10 });
    await expect(bus.subscribe({ groupId: 'g', topics: ['t'], handler: async () => undefined })).rejects.toBeInstanceOf(MessageBusUnavailableError);
    await sleep(50);
    expect(consumers).toHaveLength(1);
    expect(consumers[0]!.connected).toBe(false);
    await bus.close();
  });
});

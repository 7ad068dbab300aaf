import { describe, expect, it } from 'vitest';
import { MessageBusUnavailableError } from '@nationpulse/ports';
import { testMessageBus } from '@nationpulse/ports/testing';
import { createKafkaMessageBus } from './kafka-message-bus.ts';

/** Runs against KAFKA_BROKERS (scripts/servers/kafka.sh start). Not skipped when nothing answers: the suite fails. */
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');

testMessageBus('kafka', {
  create: async () => {
    const bus = createKafkaMessageBus({ brokers, clientId: 'contract-test', sessionTimeoutMs: 6_000 });
    try {
      await bus.ping();
    } catch (e) {
      await bus.close();
      throw new Error(`No Kafka broker answers at ${brokers.join(',')}: start one (scripts/servers/kafka.sh start) or set KAFKA_BROKERS`, { cause: e });
    }
    return bus;
  },
  settleMs: 4_000,
  deliveryTimeoutMs: 30_000,
});

describe('Kafka adapter errors', () => {
  it('translates an unreachable broker into MESSAGE_BUS_UNAVAILABLE within its timeouts', async () => {
    const bus = createKafkaMessageBus({ brokers: ['127.0.0.1:1'], connectionTimeoutMs: 300, requestTimeoutMs: 500, retries: 1, initialRetryTimeMs: 50 });
    const started = Date.now();
    await expect(bus.publish('np-unreachable', [{ key: 'k', value: 'v' }])).rejects.toBeInstanceOf(MessageBusUnavailableError);
    expect(Date.now() - started).toBeLessThan(10_000);
    await bus.close();
  });

  it('answers a ping with MESSAGE_BUS_UNAVAILABLE within its limit while the broker is down, not after the client retries (~20 s)', async () => {
    // Default retries: a health check must not wait for them.
    const bus = createKafkaMessageBus({ brokers: ['127.0.0.1:1'], pingTimeoutMs: 1_500 });
    const started = Date.now();
    await expect(bus.ping()).rejects.toBeInstanceOf(MessageBusUnavailableError);
    expect(Date.now() - started).toBeLessThan(3_000);
    await bus.close();
  });
});

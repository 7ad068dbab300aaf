import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs, { type Admin, type Consumer, type EachMessagePayload, type IHeaders, type Kafka as KafkaClient, type Producer } from 'kafkajs';
import { NationPulseError } from '@nationpulse/domain';
import { MessageBusUnavailableError, type BusConsumer, type ConsumeOptions, type ConsumerLag, type DeliveredMessage, type MessageBus } from '@nationpulse/ports';

const { Kafka, Partitioners, logLevel, KafkaJSError } = kafkajs;

export interface KafkaMessageBusOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** TCP connect limit per broker (default 3 s). */
  readonly connectionTimeoutMs?: number;
  /** Limit of each request to a broker (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** Retries of a failed request, with exponential backoff from initialRetryTimeMs (default 6 from 300 ms, ~20 s in all). */
  readonly retries?: number;
  readonly initialRetryTimeMs?: number;
  /**
   * Limit of `ping` (default 5 s). The admin client's own retries would make a health check wait
   * ~20 s while the broker is down; a probe answers "down" within this instead.
   */
  readonly pingTimeoutMs?: number;
  /** A consumer silent this long leaves its group and its partitions move (default 10 s; the broker allows ≥ 6 s). */
  readonly sessionTimeoutMs?: number;
  /**
   * Where the driver's own warnings and errors go (default: nowhere). They arrive as warnings: the
   * driver retries them itself, and what it finally gives up on reaches the caller as an error.
   */
  readonly log?: (level: 'warn', message: string, extra: Record<string, unknown>) => void;
  /** The kafkajs client to use instead of one built from these options (tests drive a fake one). */
  readonly client?: KafkaClient;
}

/** The driver's errors in the platform's vocabulary: a broker out of reach is `unavailable`, the rest `internal`. */
export const translateKafkaError = (e: unknown): unknown => {
  if (e instanceof NationPulseError) return e;
  if (e instanceof KafkaJSError) {
    const unavailable =
      e.retriable ||
      ['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSNumberOfRetriesExceeded', 'KafkaJSBrokerNotFound', 'KafkaJSNoBrokerAvailableError', 'KafkaJSTimeout', 'KafkaJSGroupCoordinatorNotFound'].includes(e.name);
    return unavailable
      ? new MessageBusUnavailableError(`Kafka is unavailable: ${e.message}`, { cause: e })
      : new NationPulseError('internal', 'MESSAGE_BUS_ERROR', `Kafka failed: ${e.message}`, undefined, { cause: e });
  }
  return e;
};

const translated = async <T>(op: () => Promise<T>): Promise<T> => {
  try {
    return await op();
  } catch (e) {
    throw translateKafkaError(e);
  }
};

const headerValue = (v: IHeaders[string]): string | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v.map(String).join(',') : v.toString();

const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString();

/**
 * The saga transport on Apache Kafka (kafkajs). Publishing uses an idempotent producer with
 * acks from all in-sync replicas and Kafka's own (murmur2) key partitioner; consumers never
 * auto-commit: the offset after a message is committed once its handler resolved. A failing
 * handler is retried in place (heartbeating meanwhile), so a partition never skips a message.
 * A consumer that kafkajs gives up on (a crash it does not restart) is replaced by a new member of
 * its group, so a subscription lasts until it is closed.
 */
export function createKafkaMessageBus(options: KafkaMessageBusOptions): MessageBus {
  const retry = { retries: options.retries ?? 6, initialRetryTime: options.initialRetryTimeMs ?? 300, maxRetryTime: 5_000 };
  const client: KafkaClient = options.client ?? new Kafka({
    clientId: options.clientId ?? 'nationpulse',
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    enforceRequestTimeout: true,
    retry,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ log }) => {
        const { message, ...extra } = log;
        options.log?.('warn', `kafkajs: ${message}`, extra);
      },
  });

  let producer: Producer | null = null;
  let producerReady: Promise<Producer> | null = null;
  let admin: Admin | null = null;
  let adminReady: Promise<Admin> | null = null;
  const consumers = new Set<BusConsumer>();
  let closed = false;

  const getProducer = () =>
    (producerReady ??= (async () => {
      // Kafka's defaults would retry an idempotent producer forever; a bounded retry lets callers
      // (the relay) see the outage, back off and try again — duplicates are handled downstream.
      const p = client.producer({ idempotent: true, maxInFlightRequests: 1, retry, createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true });
      try {
        await p.connect();
      } catch (e) {
        producerReady = null;
        throw e;
      }
      producer = p;
      return p;
    })());

  const getAdmin = () =>
    (adminReady ??= (async () => {
      const a = client.admin({ retry });
      try {
        await a.connect();
      } catch (e) {
        adminReady = null;
        throw e;
      }
      admin = a;
      return a;
    })());

  return {
    async ensureTopics(topics) {
      await translated(async () => {
        const a = await getAdmin();
        const existing = new Set(await a.listTopics());
        const missing = topics.filter((t) => !existing.has(t.name));
        if (missing.length === 0) return;
        await a.createTopics({ waitForLeaders: true, topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions })) });
      }).catch((e: unknown) => {
        // Created meanwhile by another client: that is what was asked for.
        if (e instanceof NationPulseError && /already exists/i.test(e.message)) return;
        throw e;
      });
    },

    async publish(topic, messages) {
      if (messages.length === 0) return;
      if (closed) throw new MessageBusUnavailableError('The message bus is closed');
      await translated(async () => {
        const p = await getProducer();
        await p.send({ topic, acks: -1, timeout: options.requestTimeoutMs ?? 10_000, messages: messages.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })) });
      });
    },

    async subscribe({ groupId, topics, handler, onError, retryDelayMs = 500 }: ConsumeOptions) {
      let stopping = false;
      let current: Consumer | null = null;

      const eachMessage = (consumer: Consumer) => async (payload: EachMessagePayload) => {
        const { topic, partition, message } = payload;
        const delivered: DeliveredMessage = {
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value: message.value?.toString('utf8') ?? '',
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).flatMap(([k, v]) => {
              const value = headerValue(v);
              return value === undefined ? [] : [[k, value]];
            }),
          ),
          timestamp: new Date(Number(message.timestamp)).toISOString(),
        };
        for (;;) {
          if (stopping) throw new Error('consumer stopping: message left uncommitted for redelivery');
          try {
            await handler(delivered);
            break;
          } catch (e) {
            onError?.(e, delivered);
            await sleep(retryDelayMs);
            await payload.heartbeat().catch(() => undefined);
          }
        }
        await consumer.commitOffsets([{ topic, partition, offset: nextOffset(message.offset) }]);
      };

      /** A consumer of the group, connected and running; disconnected again if it could not start. */
      const start = async (): Promise<Consumer> => {
        const consumer: Consumer = client.consumer({
          groupId,
          sessionTimeout: options.sessionTimeoutMs ?? 10_000,
          heartbeatInterval: Math.max(500, Math.floor((options.sessionTimeoutMs ?? 10_000) / 5)),
          rebalanceTimeout: 20_000,
          retry: { ...retry, restartOnFailure: async () => true },
          maxWaitTimeInMs: 250,
        });
        // kafkajs restarts a crashed consumer only when the error's root cause is retriable. After a
        // broker restart a join can end in a non-retriable one (an old generation, a lock timeout:
        // kafkajs#1466), and the consumer then stays stopped for good while the process looks
        // healthy. Such a crash is taken here: a new consumer joins the group, with backoff.
        let stoppedForGood = false;
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (payload.restart || stopping) return;
          options.log?.('warn', 'kafka consumer stopped by a non-retriable error; starting a new one', { groupId, error: payload.error.message });
          stoppedForGood = true;
          if (current === consumer) void replace(consumer);
        });
        try {
          await consumer.connect();
          await consumer.subscribe({ topics: [...topics], fromBeginning: true });
          await consumer.run({ autoCommit: false, eachMessage: eachMessage(consumer) });
          // run() resolves even when the first join crashed: that consumer is not the group's member.
          if (stoppedForGood) throw new MessageBusUnavailableError(`The Kafka consumer of ${groupId} stopped while joining its group`);
          current = consumer;
          return consumer;
        } catch (e) {
          await consumer.disconnect().catch(() => undefined);
          throw e;
        }
      };

      /** Ends the backoff of a replacement at once when the subscription closes. */
      const closing = new AbortController();
      let replacing: Promise<void> | null = null;
      const replace = (crashed: Consumer) =>
        (replacing ??= (async () => {
          current = null;
          await crashed.disconnect().catch(() => undefined);
          for (let backoff = retry.initialRetryTime; !stopping; backoff = Math.min(retry.maxRetryTime, backoff * 2)) {
            await sleep(backoff, undefined, { signal: closing.signal }).catch(() => undefined);
            if (stopping) return;
            try {
              await start(); // close(), if it came meanwhile, waits for this and disconnects it
              return;
            } catch (e) {
              options.log?.('warn', 'kafka consumer could not start again; retrying', { groupId, error: e instanceof Error ? e.message : String(e) });
            }
          }
        })().finally(() => {
          replacing = null;
        }));

      await translated(start);
      const handle: BusConsumer = {
        async close() {
          if (stopping) return;
          stopping = true;
          consumers.delete(handle);
          closing.abort();
          // A replacement in flight ends first, so no consumer of this subscription outlives close().
          await replacing;
          await current?.disconnect().catch(() => undefined);
        },
      };
      consumers.add(handle);
      return handle;
    },

    async consumerLag(groupId, topics) {
      return translated(async () => {
        const a = await getAdmin();
        const committed = await a.fetchOffsets({ groupId, topics: [...topics] });
        const lags: ConsumerLag[] = [];
        for (const topic of topics) {
          const at = new Map((committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [p.partition, p.offset]));
          for (const end of await a.fetchTopicOffsets(topic)) {
            const offset = at.get(end.partition);
            // '-1': nothing committed yet; the group starts at the oldest retained message.
            const from = offset === undefined || offset === '-1' ? BigInt(end.low) : BigInt(offset);
            const lag = BigInt(end.high) - from;
            lags.push({ topic, partition: end.partition, lag: lag > 0n ? Number(lag) : 0 });
          }
        }
        return lags;
      });
    },

    async ping() {
      const limitMs = options.pingTimeoutMs ?? 5_000;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new MessageBusUnavailableError(`Kafka is unavailable: no answer within ${limitMs} ms`)), limitMs);
      });
      const probe = translated(async () => {
        const a = await getAdmin();
        await a.describeCluster();
      });
      probe.catch(() => undefined); // settled after the limit: nobody waits for it any more
      try {
        await Promise.race([probe, late]);
      } finally {
        clearTimeout(timer);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const c of [...consumers]) await c.close();
      await Promise.allSettled([producer?.disconnect(), admin?.disconnect()]);
    },
  };
}

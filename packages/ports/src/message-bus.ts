import { NationPulseError } from '@nationpulse/domain';

/** A message to publish. The key picks the partition: messages with one key keep their order. */
export interface OutgoingMessage {
  readonly key: string;
  readonly value: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A message as a consumer receives it. `offset` is a decimal string (Kafka offsets are 64-bit). */
export interface DeliveredMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
  /** When the log stored it (ISO-8601). */
  readonly timestamp: string;
}

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

export interface ConsumeOptions {
  /** Members of one group share the topics' partitions; each message is handled by one member. */
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * Handles one message. The offset is committed only after it resolves; when it throws, nothing
   * is committed and the message is delivered again (after retryDelayMs) — never skipped.
   * Messages of one partition are handled one at a time, in order.
   */
  readonly handler: (message: DeliveredMessage) => Promise<void>;
  /** Told about every handler failure before the redelivery (logging, metrics). */
  readonly onError?: (error: unknown, message: DeliveredMessage) => void;
  /** Pause before a failed message is delivered again (default 500 ms). */
  readonly retryDelayMs?: number;
}

/** How far a consumer group is behind on one partition: messages in the log it has not committed yet. */
export interface ConsumerLag {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

export interface BusConsumer {
  /** Stops fetching, waits for the message in hand, leaves the group. Uncommitted messages go to the next member. */
  close(): Promise<void>;
}

/**
 * The saga transport: durable topics of keyed partitions, consumer groups with committed
 * offsets, at-least-once delivery. A group with no committed offset starts at the beginning of
 * each partition. A message whose handler did not finish (crash, close, failure) is delivered
 * again to the group — so handlers must be idempotent.
 */
export interface MessageBus {
  /** Creates the topics that do not exist yet; existing topics are left as they are. */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /** Appends durably (acknowledged by the log) before resolving, in order per key. */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  subscribe(options: ConsumeOptions): Promise<BusConsumer>;
  /**
   * The group's lag on every partition of the topics: the log's end minus the group's committed
   * offset (the whole retained partition when the group has committed nothing there yet).
   */
  consumerLag(groupId: string, topics: readonly string[]): Promise<readonly ConsumerLag[]>;
  /** Answers when the bus can take messages now; throws MessageBusUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class MessageBusUnavailableError extends NationPulseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', 'MESSAGE_BUS_UNAVAILABLE', message, undefined, options);
  }
}

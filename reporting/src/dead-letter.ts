import type { Clock } from '@nationpulse/platform';
import type { DeliveredMessage, MessageBus } from '@nationpulse/ports';
import type { DeadLetter } from './messages.ts';

/** Parks an unusable message on the DLQ topic, keyed as it was, with the error and its origin. */
export const deadLetter = async (
  bus: MessageBus,
  dlqTopic: string,
  message: DeliveredMessage,
  consumer: string,
  error: DeadLetter['error'],
  clock: Clock,
): Promise<void> => {
  const letter: DeadLetter = {
    error,
    source: { topic: message.topic, partition: message.partition, offset: message.offset, consumer },
    key: message.key,
    value: message.value,
    headers: message.headers,
    failedAt: clock.now().toISOString(),
  };
  await bus.publish(dlqTopic, [{ key: message.key ?? `${message.topic}:${message.partition}:${message.offset}`, value: JSON.stringify(letter), headers: { 'message-type': 'DeadLetter', 'error-code': error.code } }]);
};

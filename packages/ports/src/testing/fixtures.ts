import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../event-store.ts';

/** A well-formed event for port contract tests; the payload is opaque to the store. */
export const newEvent = (type: string, data: unknown = {}, eventId: string = randomUUID()): NewEvent => ({
  type,
  data,
  metadata: {
    eventId,
    correlationId: eventId,
    causationId: null,
    actor: 'contract-test',
    occurredAt: new Date(0).toISOString(),
    traceparent: null,
    source: 'contract-test',
    schemaVersion: 1,
  },
});

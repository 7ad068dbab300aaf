import { StreamRevisionConflictError, type EventStore } from '@nationpulse/ports';
import type { Registry } from 'prom-client';
import { histogramOnce } from './metrics.ts';

/**
 * The same event store, with append latency and outcome measured
 * (`nationpulse_event_store_append_duration_seconds{outcome}`: ok, conflict, error).
 */
export const withEventStoreMetrics = (store: EventStore, registry: Registry): EventStore => {
  const appends = histogramOnce(registry, 'nationpulse_event_store_append_duration_seconds', 'Event-store append latency by outcome', ['outcome']);
  return {
    async append(streamId, events, expectedRevision) {
      const end = appends.startTimer();
      try {
        const result = await store.append(streamId, events, expectedRevision);
        end({ outcome: 'ok' });
        return result;
      } catch (e) {
        end({ outcome: e instanceof StreamRevisionConflictError ? 'conflict' : 'error' });
        throw e;
      }
    },
    readStream: (streamId, options) => store.readStream(streamId, options),
    streamRevision: (streamId) => store.streamRevision(streamId),
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
};

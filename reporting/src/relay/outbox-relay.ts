import { setTimeout as sleep } from 'node:timers/promises';
import { eventCatalogue, REPORT_STREAM_PREFIX, ReportRequested, ReportRetried, reportStreamId } from '@nationpulse/domain';
import type { Logger } from '@nationpulse/platform';
import type { EventStore, MessageBus, ReadStore, RecordedEvent } from '@nationpulse/ports';
import { messageHeaders, type GenerateReport } from '../messages.ts';
import type { ReportingMetrics } from '../metrics.ts';

export interface OutboxRelayOptions {
  readonly eventStore: EventStore;
  readonly bus: MessageBus;
  /** Keeps the relay's checkpoint (the read store's checkpoint table; the relay is not a projection, so rebuilds never touch it). */
  readonly checkpoints: Pick<ReadStore, 'checkpoint' | 'commit'>;
  readonly commandsTopic: string;
  readonly logger: Logger;
  readonly metrics?: ReportingMetrics;
  readonly checkpointName?: string;
  /** Backoff bounds while the bus or the store is unavailable. */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface OutboxRelay {
  start(): void;
  stop(): Promise<void>;
  /** The position of the last event whose command is published. */
  checkpoint(): Promise<number>;
}

export const RELAY_CHECKPOINT = 'reporting:outbox-relay';

/**
 * The event store is the outbox: every ReportRequested (attempt 1) and ReportRetried (attempt n)
 * becomes a GenerateReport command on the commands topic, keyed by report id. The checkpoint
 * moves only after the broker acknowledged the command, so a crash between the two publishes
 * it again (the worker is idempotent) and nothing appended is ever lost.
 */
export const createOutboxRelay = (options: OutboxRelayOptions): OutboxRelay => {
  const { eventStore, bus, checkpoints, commandsTopic, logger, metrics } = options;
  const name = options.checkpointName ?? RELAY_CHECKPOINT;
  const minBackoff = options.minBackoffMs ?? 200;
  const maxBackoff = options.maxBackoffMs ?? 5_000;
  let stopped = true;
  let running: Promise<void> | null = null;
  let subscription: { close(): Promise<void> } | null = null;

  const toCommand = async (event: RecordedEvent): Promise<GenerateReport | null> => {
    const decoded = eventCatalogue.decode(event);
    if (!decoded) return null;
    if (decoded.type === ReportRequested.type) {
      const data = decoded.data as ReturnType<typeof ReportRequested.schema.parse>;
      return { type: 'GenerateReport', reportId: data.reportId, attempt: 1, requestedBy: data.requestedBy, spec: data.spec, format: data.format, requestedAt: event.metadata.occurredAt, minPosition: event.position };
    }
    if (decoded.type === ReportRetried.type) {
      const data = decoded.data as ReturnType<typeof ReportRetried.schema.parse>;
      // The retry names only the attempt: the request itself is the first event of the stream.
      for await (const first of eventStore.readStream(reportStreamId(data.reportId), { maxCount: 1 })) {
        const request = eventCatalogue.decode(first);
        if (request?.type !== ReportRequested.type) return null;
        const r = request.data as ReturnType<typeof ReportRequested.schema.parse>;
        return { type: 'GenerateReport', reportId: r.reportId, attempt: data.attempt, requestedBy: r.requestedBy, spec: r.spec, format: r.format, requestedAt: first.metadata.occurredAt, minPosition: first.position };
      }
    }
    return null;
  };

  const publishUntilDone = async (event: RecordedEvent, command: GenerateReport): Promise<boolean> => {
    for (let backoff = minBackoff; !stopped; backoff = Math.min(maxBackoff, backoff * 2)) {
      try {
        await bus.publish(commandsTopic, [
          { key: command.reportId, value: JSON.stringify(command), headers: messageHeaders('GenerateReport', event.metadata.correlationId, event.metadata.traceparent) },
        ]);
        metrics?.commandsPublished.inc({ attempt: command.attempt > 1 ? 'retry' : 'first' });
        return true;
      } catch (err) {
        logger.warn({ err, reportId: command.reportId }, 'could not publish GenerateReport; retrying');
        await sleep(backoff);
      }
    }
    return false;
  };

  const loop = async () => {
    for (let backoff = minBackoff; !stopped; backoff = Math.min(maxBackoff, backoff * 2)) {
      try {
        const after = (await checkpoints.checkpoint(name)) ?? 0;
        const sub = eventStore.subscribeToAll({ after, filter: { streamPrefixes: [REPORT_STREAM_PREFIX], eventTypes: [ReportRequested.type, ReportRetried.type] } });
        subscription = sub;
        for await (const event of sub) {
          if (stopped) break;
          const command = await toCommand(event);
          if (command && !(await publishUntilDone(event, command))) break;
          await checkpoints.commit([], { name, position: event.position });
          backoff = minBackoff;
        }
      } catch (err) {
        if (stopped) break;
        logger.warn({ err }, 'outbox relay interrupted; resuming from its checkpoint');
        await sleep(backoff);
      }
    }
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      running = loop();
    },
    async stop() {
      stopped = true;
      await subscription?.close();
      await running;
    },
    async checkpoint() {
      return (await checkpoints.checkpoint(name)) ?? 0;
    },
  };
};

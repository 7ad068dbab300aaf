import {
  IngestionRunCompleted,
  IngestionRunFailed,
  IngestionRunStarted,
  ObservationCorrected,
  ObservationsRecorded,
  ReportFailed,
  ReportGenerated,
  ReportRequested,
  reportStreamId,
  eventCatalogue,
} from '@nationpulse/domain';
import type { EventStore, Notification, Notifications, RecordedEvent } from '@nationpulse/ports';

export interface Notifier {
  /** Subscribes from the event store's head: only events appended from now on cause notifications. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const REACTS_TO = [
  ReportGenerated.type,
  ReportFailed.type,
  IngestionRunStarted.type,
  IngestionRunCompleted.type,
  IngestionRunFailed.type,
  ObservationsRecorded.type,
  ObservationCorrected.type,
];

/**
 * Turns live events into notifications: a report's outcome to the user who requested it,
 * ingestion progress to those who may trigger ingestion, and a throttled "data changed" (with the
 * position to read at) to everyone who reads data. It starts at the store's head and keeps no
 * checkpoint, so it never replays history — rebuilding projections cannot make it fire again; a
 * notification missed while it was down is simply not sent (the read models still show it).
 */
export const createNotifier = (deps: {
  eventStore: EventStore;
  notifications: Notifications;
  /** Data changes are gathered for this many ms from the first one, then sent as one data.changed. */
  dataChangedThrottleMs: number;
  now: () => Date;
  onError: (error: unknown) => void;
}): Notifier => {
  const { eventStore, notifications } = deps;
  let subscription: ReturnType<EventStore['subscribeToAll']> | null = null;
  let loop: Promise<void> | null = null;
  let pending: { series: Set<string>; indicators: Set<string>; countries: Set<string>; position: number } | null = null;
  let flushTimer: NodeJS.Timeout | null = null;

  const note = (id: string, type: string, data: Record<string, unknown>, requires?: Notification['requires']): Notification => ({
    id,
    type,
    at: deps.now().toISOString(),
    data,
    ...(requires ? { requires } : {}),
  });

  const flush = async () => {
    flushTimer = null;
    if (!pending) return;
    const { series, indicators, countries, position } = pending;
    pending = null;
    await notifications.broadcast(
      note(`data-${position}`, 'data.changed', { series: series.size, indicators: [...indicators].sort(), countries: [...countries].sort().slice(0, 50), position }, 'data:read'),
    );
  };
  const dataChanged = (country: string, indicator: string, position: number) => {
    pending ??= { series: new Set(), indicators: new Set(), countries: new Set(), position };
    pending.series.add(`${country}:${indicator}`);
    pending.indicators.add(indicator);
    pending.countries.add(country);
    pending.position = position;
    // Gathered for one window from the first change, then sent as one: a 5,000-series ingestion
    // is a handful of notifications, not thousands.
    if (!flushTimer) flushTimer = setTimeout(() => void flush().catch(deps.onError), deps.dataChangedThrottleMs);
  };

  /** The user who asked for the report: the first event of its stream names them. */
  const requesterOf = async (reportId: string): Promise<string | null> => {
    for await (const first of eventStore.readStream(reportStreamId(reportId), { maxCount: 1 })) {
      const decoded = eventCatalogue.decode(first);
      return decoded?.type === ReportRequested.type ? (decoded.data as { requestedBy: string }).requestedBy : null;
    }
    return null;
  };

  const react = async (event: RecordedEvent) => {
    const decoded = eventCatalogue.decode(event);
    if (!decoded) return;
    const id = event.metadata.eventId;
    switch (decoded.type) {
      case ReportGenerated.type: {
        const data = decoded.data as { reportId: string; artifact: { fileName: string; sizeBytes: number }; rows: number };
        const to = await requesterOf(data.reportId);
        if (to) await notifications.publish(to, note(id, 'report.ready', { reportId: data.reportId, fileName: data.artifact.fileName, sizeBytes: data.artifact.sizeBytes, rows: data.rows, position: event.position }));
        return;
      }
      case ReportFailed.type: {
        const data = decoded.data as { reportId: string; reason: string; message: string };
        const to = await requesterOf(data.reportId);
        if (to) await notifications.publish(to, note(id, 'report.failed', { reportId: data.reportId, reason: data.reason, message: data.message, position: event.position }));
        return;
      }
      case IngestionRunStarted.type:
      case IngestionRunCompleted.type:
      case IngestionRunFailed.type: {
        const { rejected: _rejected, ...summary } = decoded.data as Record<string, unknown>;
        const type = { IngestionRunStarted: 'ingestion.started', IngestionRunCompleted: 'ingestion.completed', IngestionRunFailed: 'ingestion.failed' }[decoded.type];
        await notifications.broadcast(note(id, type, { ...summary, actor: event.metadata.actor, position: event.position }, 'ingestion:trigger'));
        return;
      }
      case ObservationsRecorded.type:
      case ObservationCorrected.type: {
        const data = decoded.data as { country: string; indicator: string };
        dataChanged(data.country, data.indicator, event.position);
        return;
      }
    }
  };

  return {
    async start() {
      const head = await eventStore.headPosition();
      const sub = eventStore.subscribeToAll({ after: head, filter: { eventTypes: REACTS_TO } });
      subscription = sub;
      loop = (async () => {
        try {
          for await (const event of sub) {
            // One bad event or a failed publish must not stop the notifications that follow.
            await react(event).catch(deps.onError);
          }
        } catch (error) {
          deps.onError(error);
        }
      })();
    },
    async stop() {
      await subscription?.close();
      await loop;
      if (flushTimer) clearTimeout(flushTimer);
      await flush().catch(deps.onError);
    },
  };
};

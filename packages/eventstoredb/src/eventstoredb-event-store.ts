import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type Filter,
  type JSONType,
  type ReadStreamOptions as EsdbReadStreamOptions,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import {
  EventStoreUnavailableError,
  StreamRevisionConflictError,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '@nationpulse/ports';
import {
  cursorAfter,
  isAfter,
  isStreamMissing,
  planFilter,
  positionOf,
  readFrom,
  toEsdbExpectedRevision,
  toEsdbRevision,
  toPortPosition,
  toPortRevision,
  translateError,
  type EsdbPosition,
  type ErrorContext,
  type ServerFilter,
} from './esdb-mapping.ts';

export interface EventStoreDbEventStoreOptions {
  /** e.g. `esdb://127.0.0.1:2113?tls=false`; credentials, TLS and cluster discovery go here. */
  readonly connectionString: string;
  /**
   * Deadline of every call, in ms (default 10 s). Bounds each append and point read, each page of
   * a streaming read, and the server's confirmation of a subscription (which then stays open).
   */
  readonly deadlineMs?: number;
}

/** Events per request when paging a stream or $all; each page is fetched whole within the deadline. */
const PAGE_SIZE = 500;
const CLOSED = Symbol('closed');

/**
 * The production event store: EventStoreDB over gRPC via `@eventstore/db-client` v6.
 *
 * - Positions are commit positions. Every event appended over gRPC commits at its own log
 *   position, so positions are unique and strictly increasing, within a batch too.
 * - Optimistic concurrency and idempotency by event id are EventStoreDB's own: a retried batch
 *   with the same ids and the same expected revision is acknowledged without writing (with ANY or
 *   STREAM_EXISTS the server's check relies on its recent-events cache and is best effort — the
 *   platform's command handlers pass explicit revisions).
 * - Reading $all and subscribing to it need a user allowed to read $all (admins by default).
 */
export function createEventStoreDbEventStore(options: EventStoreDbEventStoreOptions): EventStore {
  const deadlineMs = options.deadlineMs ?? 10_000;
  if (!Number.isFinite(deadlineMs) || deadlineMs <= 0) throw new RangeError(`deadlineMs must be positive, got ${deadlineMs}`);
  const client = EventStoreDBClient.connectionString(options.connectionString);
  const subscriptions = new Set<Subscription>();
  let closed = false;

  const ensureOpen = () => {
    if (closed) throw new EventStoreUnavailableError('The EventStoreDB event store is closed');
  };

  const deadlineError = (operation: string) => new EventStoreUnavailableError(`EventStoreDB ${operation} exceeded its ${deadlineMs} ms deadline`);

  /** Unary calls: the client's own deadline is passed too, but the batch-append path only hands it to the server. */
  const call = async <T>(context: ErrorContext, run: () => Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(deadlineError(context.operation)), deadlineMs);
    });
    try {
      return await Promise.race([run(), deadline]);
    } catch (error) {
      throw translateError(error, context);
    } finally {
      clearTimeout(timer);
    }
  };

  /**
   * Streaming reads: the client opens them with a gRPC deadline of Infinity, ignoring the
   * `deadline` option, so each page is read whole under our own timer, which cancels the call.
   */
  const readPage = async <E>(operation: string, open: () => StreamingRead<E>): Promise<E[]> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const stream = open();
      timer = setTimeout(() => {
        void stream.cancel().catch(() => undefined);
        stream.destroy(deadlineError(operation));
      }, deadlineMs);
      const events: E[] = [];
      for await (const event of stream) events.push(event);
      return events;
    } catch (error) {
      throw translateError(error, { operation });
    } finally {
      clearTimeout(timer);
    }
  };

  /** A stream that does not exist (or was tombstoned) reads as empty. */
  const readStreamPage = async (operation: string, streamId: string, request: EsdbReadStreamOptions) => {
    try {
      return await readPage(operation, () => client.readStream(streamId, request));
    } catch (error) {
      if (isStreamMissing(error)) return [];
      throw error;
    }
  };

  const toRecorded = (resolved: ResolvedEvent | AllStreamResolvedEvent, position: EsdbPosition): RecordedEvent | null => {
    const event = resolved.event;
    if (!event) return null;
    return {
      streamId: event.streamId,
      revision: toPortRevision(event.revision),
      position: toPortPosition(position.commit),
      type: event.type,
      // Written as JSON by append(); the client parses data and metadata back.
      data: event.data,
      metadata: (event.metadata ?? {}) as EventMetadata,
      recordedAt: event.created.toISOString(),
    };
  };

  const toClientFilter = (server: ServerFilter): Filter => {
    switch (server.on) {
      case 'eventType':
        return eventTypeFilter({ prefixes: [...server.prefixes] });
      case 'streamName':
        return streamNameFilter({ prefixes: [...server.prefixes] });
      case 'excludeSystemEvents':
        return excludeSystemEvents();
    }
  };

  // Event ids must be UUIDs (EventStoreDB's event id type); the platform mints them with randomUUID.
  const toEventData = (e: NewEvent) =>
    jsonEvent({ id: e.metadata.eventId, type: e.type, data: e.data as JSONType, metadata: e.metadata });

  const store: EventStore = {
    async append(streamId, events, expectedRevision) {
      ensureOpen();
      if (events.length === 0) return { nextRevision: (await store.streamRevision(streamId)) ?? -1, position: 0 };
      const context: ErrorContext = { operation: 'append', streamId, expected: expectedRevision };
      const expected = toEsdbExpectedRevision(expectedRevision);
      const result = await call(context, () =>
        client.appendToStream(streamId, events.map(toEventData), { expectedRevision: expected, deadline: deadlineMs }),
      );
      if (!result.success) {
        // Only when the connection string sets throwOnAppendFailure=false. The client's batch-append
        // path then reports BigInt(hasCurrentStreamRevision()) as the revision, so ask the stream.
        throw new StreamRevisionConflictError(streamId, expectedRevision, await store.streamRevision(streamId));
      }
      const nextRevision = toPortRevision(result.nextExpectedRevision);
      // A fresh write and a retry recognised as idempotent both answer with the last event's
      // revision and log position (servers since 20.6 look the original position up for the
      // retry), so a retried batch gets the original result. Older servers, and idempotent
      // writes the server cannot place, answer without a position: then read the event at
      // nextRevision — the batch's last event — and return its position, as the first call did.
      if (result.position && result.position.commit > 0n) return { nextRevision, position: toPortPosition(result.position.commit) };
      const [last] = await readStreamPage('append', streamId, { direction: FORWARDS, fromRevision: result.nextExpectedRevision, maxCount: 1 });
      const position = last && positionOf(last);
      if (!position) throw new EventStoreUnavailableError(`EventStoreDB did not report the position of ${streamId}@${nextRevision}`);
      return { nextRevision, position: toPortPosition(position.commit) } satisfies AppendResult;
    },

    async *readStream(streamId, opts: ReadStreamOptions = {}) {
      ensureOpen();
      if (streamId.startsWith('$')) return;
      const direction = opts.direction === 'backwards' ? BACKWARDS : FORWARDS;
      let remaining = opts.maxCount ?? Number.MAX_SAFE_INTEGER;
      let from = opts.fromRevision === undefined ? undefined : toEsdbRevision(opts.fromRevision, 'fromRevision');
      while (remaining > 0) {
        const maxCount = Math.min(PAGE_SIZE, remaining);
        const fromRevision = from ?? (direction === BACKWARDS ? END : START);
        const page = await readStreamPage('readStream', streamId, { direction, fromRevision, maxCount });
        for (const resolved of page) {
          const event = resolved.event;
          if (!event || event.type.startsWith('$')) continue;
          const position = positionOf(resolved);
          if (!position) throw new EventStoreUnavailableError(`EventStoreDB did not report the position of ${streamId}@${event.revision}`);
          const recorded = toRecorded(resolved, position);
          if (!recorded) continue;
          yield recorded;
          if (--remaining === 0) return;
        }
        const last = page.at(-1)?.event?.revision;
        if (page.length < maxCount || last === undefined) return;
        from = direction === BACKWARDS ? last - 1n : last + 1n;
        if (from < 0n) return;
      }
    },

    async streamRevision(streamId) {
      ensureOpen();
      const [last] = await readStreamPage('streamRevision', streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 });
      return last?.event ? toPortRevision(last.event.revision) : null;
    },

    async *readAll(opts: ReadAllOptions = {}) {
      ensureOpen();
      // v6's readAll sends no server-side filter (NoFilter), so the whole filter applies here.
      const plan = planFilter(opts.filter);
      let remaining = opts.maxCount ?? Number.MAX_SAFE_INTEGER;
      let cursor = cursorAfter(opts.after);
      while (remaining > 0) {
        const page = await readPage('readAll', () => client.readAll({ direction: FORWARDS, fromPosition: readFrom(cursor), maxCount: PAGE_SIZE }));
        let advanced = false;
        for (const resolved of page) {
          const position = positionOf(resolved);
          // Reads of $all include their start position: skip what the cursor already covers.
          if (!position || !isAfter(position, cursor)) continue;
          cursor = position;
          advanced = true;
          const event = resolved.event;
          if (!event || !plan.accepts(event.streamId, event.type)) continue;
          const recorded = toRecorded(resolved, position);
          if (!recorded) continue;
          yield recorded;
          if (--remaining === 0) return;
        }
        if (page.length < PAGE_SIZE || !advanced) return;
      }
    },

    subscribeToAll(opts: SubscribeOptions = {}): Subscription {
      ensureOpen();
      const plan = planFilter(opts.filter);
      const start = cursorAfter(opts.after);
      let stopped = false;
      let upstream: AllStreamSubscription | null = null;
      let signalClosed: () => void = () => undefined;
      const closedSignal = new Promise<typeof CLOSED>((resolve) => {
        signalClosed = () => resolve(CLOSED);
      });

      const stop = async () => {
        stopped = true;
        signalClosed();
        subscriptions.delete(subscription);
        const sub = upstream;
        upstream = null;
        if (!sub) return;
        // unsubscribe() cancels the gRPC call, whose cancellation the client swallows without
        // ending the stream: destroy it too, so nothing lingers.
        await sub.unsubscribe().catch(() => undefined);
        sub.destroy();
      };

      async function* run(): AsyncGenerator<RecordedEvent> {
        if (stopped) return;
        const sub = client.subscribeToAll({ fromPosition: readFrom(start), filter: toClientFilter(plan.server) });
        upstream = sub;
        // The deadline covers the server's confirmation; from then on the subscription is open-ended.
        const timer = setTimeout(() => {
          void sub.unsubscribe().catch(() => undefined);
          sub.destroy(deadlineError('subscribeToAll'));
        }, deadlineMs);
        sub.once('confirmation', () => clearTimeout(timer));
        const events = sub[Symbol.asyncIterator]();
        let cursor = start;
        try {
          while (!stopped) {
            const next = events.next();
            next.catch(() => undefined); // may reject after close() won the race below
            const result = await Promise.race([next, closedSignal]);
            if (result === CLOSED || stopped) return;
            if (result.done) throw new EventStoreUnavailableError('EventStoreDB ended the subscription to $all');
            const resolved = result.value;
            const position = positionOf(resolved);
            // Subscriptions start after their position; the check guards "strictly after" whatever the server does.
            if (!position || !isAfter(position, cursor)) continue;
            cursor = position;
            const event = resolved.event;
            if (!event || !plan.accepts(event.streamId, event.type)) continue;
            const recorded = toRecorded(resolved, position);
            if (recorded) yield recorded;
          }
        } catch (error) {
          if (stopped) return;
          throw translateError(error, { operation: 'subscribeToAll' });
        } finally {
          clearTimeout(timer);
          await stop();
        }
      }

      const iterator = run();
      const subscription: Subscription = {
        [Symbol.asyncIterator]: () => iterator,
        close: stop,
      };
      subscriptions.add(subscription);
      return subscription;
    },

    async headPosition() {
      ensureOpen();
      const [last] = await readPage('headPosition', () => client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
      const position = last && positionOf(last);
      return position ? toPortPosition(position.commit) : 0;
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.close()));
      await client.dispose();
    },
  };
  return store;
}

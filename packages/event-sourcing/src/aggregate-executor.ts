import { conflict, eventCatalogue } from '@nationpulse/domain';
import { deterministicId, newId, sha256Hex, type Clock } from '@nationpulse/platform';
import { StreamRevisionConflictError, type EventStore, type NewEvent, type RecordedEvent } from '@nationpulse/ports';
import { actorId, type CommandContext, type CommandReceipt } from './command-context.ts';

export interface Aggregate<S, C, E extends { readonly type: string; readonly data: unknown }> {
  readonly initial: S;
  readonly evolve: (state: S, event: E) => S;
  readonly decide: (command: C, state: S) => E[];
}

export interface LoadedStream<S> {
  readonly state: S;
  readonly revision: number | null;
  readonly position: number;
  readonly events: readonly RecordedEvent[];
}

export interface ExecuteOptions<S, C, E extends { readonly type: string; readonly data: unknown }> {
  readonly streamId: string;
  readonly aggregate: Aggregate<S, C, E>;
  readonly command: C;
  readonly commandName: string;
  readonly context: CommandContext;
  /** A canonical form of the request, to tell an honest retry from a reused key. */
  readonly fingerprint: unknown;
}

export interface AggregateExecutor {
  load<S, E extends { readonly type: string; readonly data: unknown }>(streamId: string, aggregate: Pick<Aggregate<S, never, E>, 'initial' | 'evolve'>): Promise<LoadedStream<S>>;
  execute<S, C, E extends { readonly type: string; readonly data: unknown }>(options: ExecuteOptions<S, C, E>): Promise<CommandReceipt>;
  /** As execute, also returning the events this call appended (none when replayed or when nothing changed). */
  executeWithEvents<S, C, E extends { readonly type: string; readonly data: unknown }>(options: ExecuteOptions<S, C, E>): Promise<{ receipt: CommandReceipt; events: readonly E[] }>;
}

export interface AggregateExecutorOptions {
  readonly eventStore: EventStore;
  readonly clock: Clock;
  /** Recorded in each event's metadata.source, e.g. 'write-api'. */
  readonly source: string;
  /** Re-decisions after losing a race when the client did not pin a revision. */
  readonly maxConflictRetries?: number;
}

/**
 * Runs a command against one stream: load and fold its events, honour the idempotency key,
 * decide, and append with the revision that was read — so a concurrent change is either
 * re-decided on fresh state or reported as a conflict, never overwritten.
 */
export const createAggregateExecutor = ({ eventStore, clock, source, maxConflictRetries = 3 }: AggregateExecutorOptions): AggregateExecutor => {
  const load: AggregateExecutor['load'] = async (streamId, aggregate) => {
    let state = aggregate.initial;
    let revision: number | null = null;
    let position = 0;
    const events: RecordedEvent[] = [];
    for await (const recorded of eventStore.readStream(streamId)) {
      // Upcast without re-validating: the stream holds only events this executor validated when
      // it appended them (`encode`), and every command reloads its whole stream, so zod on each
      // stored event was the load's main CPU cost. Input from outside is still validated: commands
      // at the edge, events at `encode`.
      const decoded = eventCatalogue.decode(recorded, { validate: false });
      if (decoded) state = aggregate.evolve(state, { type: decoded.type, data: decoded.data } as Parameters<typeof aggregate.evolve>[1]);
      revision = recorded.revision;
      position = recorded.position;
      events.push(recorded);
    }
    return { state, revision, position, events };
  };

  const executeWithEvents: AggregateExecutor['executeWithEvents'] = async ({ streamId, aggregate, command, commandName, context, fingerprint }) => {
    const keyHash = context.idempotencyKey ? sha256Hex(`${actorId(context.actor)}\u0000${commandName}\u0000${context.idempotencyKey}`) : null;
    // The request's hash is needed only to answer a replayed key or to record with an append:
    // a command that decides nothing (e.g. a re-ingested unchanged series, whose fingerprint is
    // every observation) or is refused never serialises and hashes its request.
    let requestHash: string | undefined;
    const hashOfRequest = (): string => (requestHash ??= sha256Hex(JSON.stringify(fingerprint)));
    const attempts = context.expectedRevision === null ? 1 + maxConflictRetries : 1;

    for (let attempt = 1; ; attempt++) {
      const loaded = await load(streamId, aggregate);
      if (keyHash) {
        const earlier = loaded.events.filter((e) => e.metadata['idempotencyKey'] === keyHash);
        const last = earlier.at(-1);
        if (last) {
          if (last.metadata['requestHash'] !== hashOfRequest()) {
            throw conflict('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different request');
          }
          return { receipt: { streamId, revision: last.revision, position: last.position, replayed: true }, events: [] };
        }
      }
      if (context.expectedRevision !== null && context.expectedRevision !== (loaded.revision ?? -1)) {
        throw new StreamRevisionConflictError(streamId, context.expectedRevision, loaded.revision);
      }

      const decided = aggregate.decide(command, loaded.state);
      if (decided.length === 0) return { receipt: { streamId, revision: loaded.revision ?? -1, position: loaded.position, replayed: false }, events: [] };

      const occurredAt = clock.now().toISOString();
      const toAppend: NewEvent[] = decided.map((event, i) => {
        const { data, schemaVersion } = eventCatalogue.encode(event.type, event.data);
        return {
          type: event.type,
          data,
          metadata: {
            // Deterministic ids make a retried append of the same decision idempotent in the store too.
            eventId: keyHash ? deterministicId(`${keyHash}:${streamId}:${i}`) : newId(),
            correlationId: context.correlationId,
            causationId: context.causationId,
            actor: actorId(context.actor),
            occurredAt,
            traceparent: context.traceparent,
            source,
            schemaVersion,
            ...(keyHash ? { idempotencyKey: keyHash, requestHash: hashOfRequest() } : {}),
          },
        };
      });
      try {
        const appended = await eventStore.append(streamId, toAppend, loaded.revision ?? 'no_stream');
        return { receipt: { streamId, revision: appended.nextRevision, position: appended.position, replayed: false }, events: decided };
      } catch (e) {
        if (e instanceof StreamRevisionConflictError && attempt < attempts) continue;
        throw e;
      }
    }
  };

  return { load, execute: async (options) => (await executeWithEvents(options)).receipt, executeWithEvents };
};

import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EventStore, RecordedEvent, Subscription } from '@nationpulse/ports';

/**
 * A budget of event-loop time for one kind of background work. In the embedded platform the
 * gateway, the APIs, the projectors, reporting and ingestion share one event loop, and the SQLite
 * stores answer synchronously: a chain of awaits on them (an ingestion folding stream after
 * stream, a projector reading its subscription) runs as one long run of microtasks, and every
 * request waits behind it. Work that spends its budget gives the loop a turn (I/O, timers) first.
 */
export interface Turns {
  /** The work has run `budgetMs` since it last gave the loop a turn. */
  due(): boolean;
  /** Gives the event loop a turn (setImmediate: after pending I/O callbacks) and starts a new budget. */
  yield(): Promise<void>;
}

export const createTurns = ({ budgetMs = 10, now = () => performance.now() }: { budgetMs?: number; now?: () => number } = {}): Turns => {
  let since = now();
  return {
    due: () => now() - since >= budgetMs,
    async yield() {
      await nextTurn();
      since = now();
    },
  };
};

/** The items of `source`, giving the loop a turn whenever the budget is spent. */
async function* paced<T>(source: AsyncIterable<T>, turns: Turns): AsyncGenerator<T> {
  if (turns.due()) await turns.yield();
  for await (const item of source) {
    yield item;
    if (turns.due()) await turns.yield();
  }
}

/**
 * The same event store, whose caller gives the event loop a turn each time it has used `turns`'
 * budget: before an append, before a read starts and between the events of reads and
 * subscriptions. Results, order and errors are the store's own; only the pacing changes.
 */
export const cooperativeEventStore = (store: EventStore, turns: Turns): EventStore => ({
  async append(streamId, events, expectedRevision) {
    if (turns.due()) await turns.yield();
    return store.append(streamId, events, expectedRevision);
  },
  readStream: (streamId, options) => paced(store.readStream(streamId, options), turns),
  streamRevision: (streamId) => store.streamRevision(streamId),
  readAll: (options) => paced(store.readAll(options), turns),
  subscribeToAll(options): Subscription {
    const subscription = store.subscribeToAll(options);
    const events: AsyncIterable<RecordedEvent> = paced(subscription, turns);
    return { [Symbol.asyncIterator]: () => events[Symbol.asyncIterator](), close: () => subscription.close() };
  },
  headPosition: () => store.headPosition(),
  close: () => store.close(),
});

import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import type { EventStore, RecordedEvent } from '@nationpulse/ports';
import { afterEach, beforeEach } from 'vitest';

export const readAllEvents = async (eventStore: EventStore): Promise<RecordedEvent[]> => {
  const out: RecordedEvent[] = [];
  for await (const e of eventStore.readAll()) out.push(e);
  return out;
};

/** A fresh in-memory SQLite event store for each test of the calling file. */
export const useMemoryEventStore = (): { readonly store: EventStore; all(): Promise<RecordedEvent[]> } => {
  let store: EventStore | null = null;
  beforeEach(() => {
    store = createSqliteEventStore({ path: ':memory:' });
  });
  afterEach(async () => {
    await store?.close();
    store = null;
  });
  return {
    get store(): EventStore {
      if (!store) throw new Error('the event store exists only inside a test');
      return store;
    },
    all: () => readAllEvents(store!),
  };
};

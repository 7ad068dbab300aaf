import { describe } from 'vitest';
import { testEventStore } from '@nationpulse/ports/testing';
import { createEventStoreDbEventStore } from './eventstoredb-event-store.ts';

/** e.g. esdb://127.0.0.1:2113?tls=false — CI sets it next to an EventStoreDB service. */
const url = process.env.EVENTSTORE_URL;

describe.skipIf(!url)(
  url
    ? `EventStoreDB adapter against ${url}`
    : 'EventStoreDB adapter — SKIPPED: EVENTSTORE_URL is not set (EventStoreDB is not obtainable on this machine; CI runs this suite when the URL is set)',
  () => {
    const connectionString = url ?? '';
    testEventStore('eventstoredb', {
      create: async () => createEventStoreDbEventStore({ connectionString }),
      // A second client is a second gRPC connection: another process' view of the same server.
      reopen: async () => createEventStoreDbEventStore({ connectionString }),
    });
  },
);

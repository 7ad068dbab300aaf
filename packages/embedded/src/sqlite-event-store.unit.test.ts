import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEventStore } from '@nationpulse/ports/testing';
import { createSqliteEventStore } from './sqlite-event-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'np-es-'));
const path = join(dir, 'events.db');

testEventStore('sqlite', {
  create: async () => createSqliteEventStore({ path }),
  // A second connection to the same file behaves like another process sharing it.
  reopen: async () => createSqliteEventStore({ path }),
});

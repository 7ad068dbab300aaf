import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testReadStore } from '@nationpulse/ports/testing';
import { createSqliteReadStore } from './sqlite-read-store.ts';

testReadStore('sqlite :memory:', {
  create: async () => createSqliteReadStore({ path: ':memory:' }),
});

const dir = mkdtempSync(join(tmpdir(), 'np-rs-'));
const path = join(dir, 'read.db');

testReadStore('sqlite file', {
  create: async () => createSqliteReadStore({ path }),
  // A second connection to the same file behaves like another process sharing it.
  reopen: async () => createSqliteReadStore({ path }),
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testMessageBus } from '@nationpulse/ports/testing';
import { createSqliteMessageBus } from './sqlite-message-bus.ts';

const path = join(mkdtempSync(join(tmpdir(), 'np-bus-')), 'bus.db');

// Each client opens its own connection to the file, as separate processes would.
testMessageBus('sqlite', { create: async () => createSqliteMessageBus({ path, pollIntervalMs: 20 }), settleMs: 400 });

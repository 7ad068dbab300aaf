/**
 * A bad configuration value fails start-up with a message naming the key (issue 7): every entry
 * point the containers and `npm start` run, started as its own process with one wrong setting,
 * exits with status 2 before it listens, and its stderr names the key to fix.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServiceProcess } from '@nationpulse/platform/testing';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');

/** Each entry point, the key set wrong, its wrong value (and what else makes the mistake one). */
const cases: { entry: string; key: string; env: Record<string, string> }[] = [
  { entry: 'write-api/src/main.ts', key: 'WRITE_API_GRPC_PORT', env: { WRITE_API_GRPC_PORT: 'abc' } },
  { entry: 'read-api/src/main.ts', key: 'READ_WAIT_TIMEOUT_MS', env: { READ_WAIT_TIMEOUT_MS: '-5' } },
  { entry: 'projectors/src/main.ts', key: 'PROJECTORS_HTTP_PORT', env: { PROJECTORS_HTTP_PORT: '70000' } },
  { entry: 'ingestion/src/main.ts', key: 'INGESTION_SCHEDULES', env: { INGESTION_SCHEDULES: 'every night' } },
  // A cross-field rule: the Kafka bus without its brokers.
  { entry: 'reporting/src/main.ts', key: 'KAFKA_BROKERS', env: { MESSAGE_BUS: 'kafka' } },
  { entry: 'gateway/src/main.ts', key: 'READ_API_URL', env: { READ_API_URL: 'read-api:8082' } },
  { entry: 'packages/embedded-platform/src/main.ts', key: 'PORT', env: { PORT: 'abc' } },
];

describe('a bad configuration value fails start-up, naming the key', () => {
  it.each(cases)('$entry with a bad $key exits with status 2 and says $key', async ({ entry, key, env }) => {
    const proc = startServiceProcess(entry, join(root, entry), { NATIONPULSE_DATA_DIR: mkdtempSync(join(tmpdir(), 'np-bad-config-')), ...env }, { cwd: root });
    const exit = await proc.waitForExit(60_000);
    expect(exit, proc.output()).toMatchObject({ code: 2, killed: false });
    expect(proc.output()).toMatch(new RegExp(`Invalid configuration: .*\\b${key}\\b`));
  });
});

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** The npm packages a process has loaded once it imported `module` (the CommonJS cache holds every one, imported or required). */
const loadedPackages = async (module: string): Promise<string[]> => {
  const script = `import(${JSON.stringify(module)}).then(() => {
    const { createRequire } = require('node:module');
    const cache = createRequire(process.cwd() + '/').cache;
    const names = new Set(Object.keys(cache).map((k) => k.match(/node_modules\\/((@[^/]+\\/)?[^/]+)/)?.[1]).filter(Boolean));
    process.stdout.write(JSON.stringify([...names]));
  })`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], { cwd: import.meta.dirname });
  return JSON.parse(stdout) as string[];
};

describe('the embedded platform loads no driver of the distributed adapters', () => {
  it('has not loaded MongoDB, EventStoreDB, ioredis, BullMQ or Kafka once its modules are imported', async () => {
    const loaded = await loadedPackages('@nationpulse/embedded-platform');
    expect(loaded).toContain('better-sqlite3'); // the check sees the embedded adapters' own driver
    expect(loaded.filter((name) => ['mongodb', '@eventstore/db-client', 'ioredis', 'bullmq', 'kafkajs'].includes(name))).toEqual([]);
  }, 60_000);
});

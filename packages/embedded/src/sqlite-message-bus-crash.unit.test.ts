import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeliveredMessage } from '@nationpulse/ports';
import { describe, expect, it } from 'vitest';
import { createSqliteMessageBus } from './sqlite-message-bus.ts';

const dir = mkdtempSync(join(tmpdir(), 'np-bus-crash-'));
const path = join(dir, 'bus.db');
const module = join(import.meta.dirname, 'sqlite-message-bus.ts');

/** A member in another process takes the message, prints "taken" and never finishes: SIGKILL it there. */
const member = `
  const { createSqliteMessageBus } = await import(${JSON.stringify(module)});
  const bus = createSqliteMessageBus({ path: ${JSON.stringify(path)}, sessionTimeoutMs: 600, pollIntervalMs: 10 });
  await bus.subscribe({ groupId: 'workers', topics: ['jobs'], handler: () => { process.stdout.write('taken\\n'); return new Promise(() => {}); } });
`;

describe('SQLite message bus: a member killed mid-work', () => {
  it('loses its partitions after the session timeout and the message is delivered to another member', { timeout: 20_000 }, async () => {
    const bus = createSqliteMessageBus({ path, sessionTimeoutMs: 600, pollIntervalMs: 10 });
    await bus.ensureTopics([{ name: 'jobs', partitions: 1 }]);
    await bus.publish('jobs', [{ key: 'job-1', value: 'generate' }]);

    writeFileSync(join(dir, 'member.mts'), member);
    const child = spawn(process.execPath, ['--import', 'tsx', join(dir, 'member.mts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('taken') && resolve());
      child.once('exit', (code) => reject(new Error(`member exited early (${code})`)));
    });
    const got: DeliveredMessage[] = [];
    await bus.subscribe({ groupId: 'workers', topics: ['jobs'], handler: async (m) => void got.push(m) });
    await sleep(300);
    expect(got).toEqual([]); // the live member still holds the partition
    child.kill('SIGKILL');

    const deadline = Date.now() + 5_000;
    while (got.length === 0 && Date.now() < deadline) await sleep(20);
    expect(got.map((m) => [m.key, m.value, m.offset])).toEqual([['job-1', 'generate', '0']]);
    await bus.close();
  });
});

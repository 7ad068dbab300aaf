import { afterAll, describe, expect, it } from 'vitest';
import { killedKinds, runCrashRecovery } from './crash-recovery.ts';
import type { Topology } from './service-processes.ts';

let topology: Topology | null = null;
afterAll(() => topology?.killAll());

// The short version of `npm run hardening -- crash` (which runs for minutes): one round of kills.
describe('crash recovery (SIGKILL each kind of service under load)', () => {
  it('loses no acknowledged command, stores none twice, finishes every report and run, and leaves read models equal to a clean rebuild', async () => {
    const result = await runCrashRecovery({
      seconds: 8,
      killEveryMs: 800,
      senders: 2,
      ingestionPath: 'packages/web/src/e2e/fixtures/wdi-sample',
      log: (m) => process.stderr.write(`[crash-recovery] ${m}\n`),
      onTopology: (t) => (topology = t),
    });
    for (const kind of killedKinds) expect(result.kills[kind], `${kind} was SIGKILLed`).toBeGreaterThan(0);
    expect(result.commands.acknowledged, 'commands were acknowledged during the kills').toBeGreaterThan(10);
    expect(result.reports.requested).toBeGreaterThan(0);
    expect(result.documentsCompared, 'read models were compared').toBeGreaterThan(0);
    expect(result.failures).toEqual([]);
  }, 900_000);
});

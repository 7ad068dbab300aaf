import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGateway, type FakeGateway } from '../testing/fake-gateway.ts';
import { pulse } from '../testing/fixtures.ts';
import { runNationpulse } from '../testing/run-cli.ts';

let gateway: FakeGateway;
let down: string[] = [];
beforeAll(async () => {
  gateway = await startFakeGateway();
  gateway.route('GET', '/api/v1/ops/pulse', () => ({ status: down.length === 0 ? 200 : 503, json: pulse(down) }));
});
afterAll(() => gateway.close());

describe('nationpulse pulse', () => {
  it('prints every dependency with status and latency, exit 0 when all are up', async () => {
    down = [];
    const run = await runNationpulse(['pulse', '--url', gateway.url]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^DEPENDENCY\s+STATUS\s+LATENCY\s+DETAIL$/);
    expect(lines.slice(2, 9).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ['write-api', 'up', '1'],
      ['read-api', 'up', '2'],
      ['projectors', 'up', '3'],
      ['ingestion', 'up', '4'],
      ['reporting', 'up', '5'],
      ['read-store', 'up', '6'],
      ['cache', 'up', '7'],
    ]);
    expect(lines.at(-1)).toBe('all 7 up');
  });

  it('exits 1 when any dependency is down (the gateway answers 503 with the same body) and names it', async () => {
    down = ['read-api'];
    const run = await runNationpulse(['pulse', '--url', gateway.url]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^read-api +down +2 ms +connect ECONNREFUSED 127\.0\.0\.1:8082$/m);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('1 of 7 not up: read-api');
  });

  it('says clearly when the pulse itself is unreachable (exit 69)', async () => {
    const closed = await startFakeGateway();
    await closed.close();
    const run = await runNationpulse(['pulse'], { env: { NATIONPULSE_URL: closed.url } });
    expect(run.code).toBe(69);
    expect(run.stderr).toContain(`UNREACHABLE: The pulse is unreachable: Cannot reach ${closed.url}/api/v1/ops/pulse`);
    expect(run.stderr).toContain('nationpulse up');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGateway, type FakeGateway } from '../testing/fake-gateway.ts';
import { ingestionRun } from '../testing/fixtures.ts';
import { runNationpulse } from '../testing/run-cli.ts';

let gateway: FakeGateway;
let env: Record<string, string>;
let outcome: 'completed' | 'failed';
let poll: number;
beforeAll(async () => {
  gateway = await startFakeGateway();
  env = { NATIONPULSE_URL: gateway.url, NATIONPULSE_TOKEN: 'admin-token' };
  gateway.route('POST', '/api/v1/ingestions', () => {
    poll = 0;
    return { status: 202, json: { runId: '0190a1b2-run-3', dataset: 'world-bank-csv:SP.POP.TOTL', status: 'running', position: 7 } };
  });
  gateway.route('GET', '/api/v1/ingestions/:runId', () => {
    poll++;
    return { json: poll < 3 ? ingestionRun('running', poll * 40) : ingestionRun(outcome, 100) };
  });
});
afterAll(() => gateway.close());

describe('nationpulse ingest --remote', () => {
  it('starts a run through the API and follows it with a progress bar until it completes', async () => {
    outcome = 'completed';
    const run = await runNationpulse(['ingest', '--remote', '--file', 'wdi/sp.pop.totl', '--indicator', 'sp.pop.totl'], { env });
    expect(run.code).toBe(0);
    expect(gateway.requests.at(-4)).toMatchObject({ method: 'POST', body: { kind: 'world-bank-csv', path: 'wdi/sp.pop.totl', indicator: 'SP.POP.TOTL' } });
    expect(gateway.requests.slice(-3).map((r) => r.path)).toEqual(Array(3).fill('/api/v1/ingestions/0190a1b2-run-3'));
    expect(run.stderr).toMatch(/^run 0190a1b2-run-3 started \(world-bank-csv:SP\.POP\.TOTL\)\n ingest world-bank-csv:SP\.POP\.TOTL \|.+\| 40% \| 6,703 rows \| 0 rejected\n/);
    expect(run.stderr).toMatch(/\| 100% \| 16,758 rows \| 0 rejected\n$/);
    expect(run.stdout).toBe('run 0190a1b2-run-3 completed in 2.0 s: 16,758 rows read, 120 changed, 16,638 unchanged, 0 rejected; 12 series changed; position 290\n');
  });

  it('sends any source spec given with --spec, and exits 1 when the run fails', async () => {
    outcome = 'failed';
    const spec = { kind: 'world-bank-csv', path: 'wdi' };
    const run = await runNationpulse(['ingest', '--remote', '--spec', JSON.stringify(spec)], { env });
    expect(run.code).toBe(1);
    expect(gateway.requests.at(-4)?.body).toEqual(spec);
    expect(run.stdout).toBe('run 0190a1b2-run-3 FAILED: The file header is not the World Bank one\n');
  });

  it('returns at once with --detach', async () => {
    const before = gateway.requests.length;
    const run = await runNationpulse(['ingest', '--remote', '--file', 'wdi', '--detach'], { env });
    expect(run).toMatchObject({ code: 0, stdout: 'run 0190a1b2-run-3 started (world-bank-csv:SP.POP.TOTL); see it with: nationpulse audit run 0190a1b2-run-3\n' });
    expect(gateway.requests.length).toBe(before + 1);
  });
});

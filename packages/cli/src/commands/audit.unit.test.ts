import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGateway, type FakeGateway } from '../testing/fake-gateway.ts';
import { asOf, auditChanges, auditRun, auditSeries } from '../testing/fixtures.ts';
import { runNationpulse } from '../testing/run-cli.ts';

let gateway: FakeGateway;
let env: Record<string, string>;
beforeAll(async () => {
  gateway = await startFakeGateway();
  env = { NATIONPULSE_URL: gateway.url, NATIONPULSE_TOKEN: 'token' };
  gateway.route('GET', '/api/v1/audit/series/:iso3/:indicator', () => ({ json: auditSeries }));
  gateway.route('GET', '/api/v1/audit/runs/:runId', () => ({ json: auditRun }));
  gateway.route('GET', '/api/v1/audit/changes', () => ({ json: auditChanges }));
  gateway.route('GET', '/api/v1/asof', () => ({ json: asOf }));
});
afterAll(() => gateway.close());

describe('nationpulse audit', () => {
  it("prints a series' history as a table (codes normalised to upper case)", async () => {
    const run = await runNationpulse(['audit', 'series', 'fra', 'sp.pop.totl', '--year', '2020'], { env });
    expect(run.code).toBe(0);
    const request = gateway.requests.at(-1)!;
    expect(request.path).toBe('/api/v1/audit/series/FRA/SP.POP.TOTL');
    expect(request.query.get('year')).toBe('2020');
    expect(request.headers.authorization).toBe('Bearer token');
    expect(run.stdout).toBe(
      [
        'FRA SP.POP.TOTL 2020: 2 change(s)',
        'YEAR  CHANGE                   KIND       SOURCE          ACTOR       AT                    ORIGIN',
        '----  -----------------------  ---------  --------------  ----------  --------------------  ----------------------',
        '2020  (new) → 67,391,582       ingested   world-bank-csv  user:admin  2026-04-30 08:00:00Z  run 0190a1b2-run-1',
        '2020  67,391,582 → 67,400,000  corrected  correction      user:ana    2026-04-30 09:15:30Z  reason: INSEE revision',
        '',
      ].join('\n'),
    );
  });

  it('prints one run with its counts, rejected rows and changes', async () => {
    const run = await runNationpulse(['audit', 'run', '0190a1b2-run-1'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('rows            16,758 read, 16,758 changed, 0 unchanged, 1 rejected\n');
    expect(run.stdout).toContain('duration        1.3 s\n');
    expect(run.stdout).toMatch(/rejected rows \(1\):\nROW {2}REASON\n--- {2}-+\n 17 {2}value is not a number\n/);
    expect(run.stdout).toMatch(/changes \(1\):\nAT +COUNTRY +INDICATOR/);
    expect(run.stdout).toContain('FRA      SP.POP.TOTL  2020  (new) → 67,391,582');
  });

  it('passes the change filters through and says when a page holds only part of them', async () => {
    const run = await runNationpulse(
      ['audit', 'changes', '--from', '2026-04-30T00:00:00Z', '--to', '2026-05-01T00:00:00Z', '--source', 'world-bank-csv', '--actor', 'user:admin', '--limit', '2'],
      { env },
    );
    expect(run.code).toBe(0);
    expect(Object.fromEntries(gateway.requests.at(-1)!.query)).toEqual({
      from: '2026-04-30T00:00:00Z',
      to: '2026-05-01T00:00:00Z',
      source: 'world-bank-csv',
      actor: 'user:admin',
      limit: '2',
    });
    const lines = run.stdout.split('\n');
    expect(lines[2]).toMatch(/^2026-04-30 09:15:30Z {2}FRA +SP\.POP\.TOTL +2020 {2}67,391,582 → 67,400,000 +corrected/);
    expect(lines[3]).toMatch(/^2026-04-30 08:00:00Z {2}DEU /);
    expect(lines[4]).toBe('2 of 3 shown (from 0); use --limit/--offset for more');
  });

  it("prints a country's indicators as known at an instant, or the raw answer with --json", async () => {
    const run = await runNationpulse(['asof', '--at', '2026-04-30T08:30:00Z', '--country', 'FRA'], { env });
    expect(run.stdout).toBe(
      [
        'FRA as known at 2026-04-30 08:30:00Z: 2 indicator(s)',
        'INDICATOR       YEAR       VALUE',
        '--------------  ----  ----------',
        'SP.DYN.LE00.IN  2021       82.32',
        'SP.POP.TOTL     2020  67,391,582',
        '',
      ].join('\n'),
    );
    const json = await runNationpulse(['asof', '--at', '2026-04-30T08:30:00Z', '--country', 'FRA', '--json'], { env });
    expect(JSON.parse(json.stdout)).toEqual(asOf);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, startFakeGateway, type FakeGateway } from './testing/fake-gateway.ts';
import { auditRuns } from './testing/fixtures.ts';
import { runNationpulse } from './testing/run-cli.ts';

let gateway: FakeGateway;
let env: Record<string, string>;
beforeAll(async () => {
  gateway = await startFakeGateway();
  env = { NATIONPULSE_URL: gateway.url, NATIONPULSE_TOKEN: 'token' };
  gateway.route('GET', '/api/v1/audit/runs', () => ({ json: auditRuns }));
  gateway.route('GET', '/api/v1/audit/runs/:runId', (_req, { runId }) => apiError(404, 'RUN_NOT_FOUND', `No ingestion run ${runId}`, { runId }));
  gateway.route('GET', '/api/v1/audit/changes', () =>
    apiError(400, 'VALIDATION_FAILED', 'The request is invalid', [{ path: 'source', message: 'Too big: expected string to have <=100 characters' }]),
  );
  gateway.route('GET', '/api/v1/asof', () => ({ json: { country: 'FRA' } }));
  gateway.route('GET', '/api/v1/ops/projections', () => ({ delayMs: 1_000, json: { projections: [] } }));
});
afterAll(() => gateway.close());

describe('nationpulse usage and errors', () => {
  it('prints the commands on --help (exit 0) and on stderr without a command (exit 64)', async () => {
    const help = await runNationpulse(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['up', 'signin', 'signout', 'ingest', 'projections', 'audit', 'asof', 'reports', 'pulse']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    const bare = await runNationpulse([]);
    expect(bare).toMatchObject({ code: 64, stdout: '' });
    expect(bare.stderr).toContain('Usage: nationpulse <command>');
  });

  it("prints a command's usage on <command> --help", async () => {
    const run = await runNationpulse(['reports', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: nationpulse reports <request|status|download>');
  });

  it.each([
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['audit', 'runs', '--limit', 'many'], '--limit: expected an integer from 1 to 300, got "many"'],
    [['audit', 'runs', '--bogus'], "Unknown option '--bogus'"],
    [['audit', 'series', 'FR', 'SP.POP.TOTL'], 'ISO3: expected an ISO 3166-1 alpha-3 code such as FRA (got "FR")'],
    [['audit', 'series', 'FRA'], 'missing INDICATOR'],
    [['audit', 'nothing'], 'unknown sub-command "nothing"'],
    [['asof', '--at', 'yesterday', '--country', 'FRA'], '--at: expected an ISO-8601 instant'],
    [['audit', 'changes', '--from', '2026-02-01T00:00:00Z', '--to', '2026-01-01T00:00:00Z'], '--from must not be after --to'],
    [['pulse', '--url', 'ftp://example.org'], '--url: expected an http(s) URL'],
    [['ingest'], '--file (or --remote --spec) is required'],
    [['ingest', '--file', 'x.csv', '--detach'], '--spec, --detach and --url need --remote'],
    [['projections', 'rebuild'], 'missing NAME'],
    [['projections', 'status', '--watch'], '--watch, --interval, --detach and --url need --remote'],
    [['reports', 'request', '--kind', 'ranking', '--indicator', 'SP.POP.TOTL'], 'year:'],
    [['reports', 'request', '--kind', 'pie-chart'], 'kind:'],
  ])('rejects %j with its usage on stderr, exit 64, before any request', async (argv, message) => {
    const before = gateway.requests.length;
    const run = await runNationpulse(argv, { env });
    expect(run.code).toBe(64);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('Usage: nationpulse');
    expect(gateway.requests.length).toBe(before);
  });

  it('prints an API error as {code}: {message}, exit 1', async () => {
    const run = await runNationpulse(['audit', 'run', 'no-such-run'], { env });
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'RUN_NOT_FOUND: No ingestion run no-such-run\n' });
  });

  it("lists a validation error's field details", async () => {
    const run = await runNationpulse(['audit', 'changes', '--source', 'x'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('VALIDATION_FAILED: The request is invalid\n  source: Too big: expected string to have <=100 characters\n');
  });

  it('refuses an answer in an unexpected shape instead of printing garbage', async () => {
    const run = await runNationpulse(['asof', '--at', '2026-01-01T00:00:00Z', '--country', 'fra'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^UNEXPECTED_RESPONSE: GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/asof\?at=2026-01-01T00%3A00%3A00Z&country=FRA answered a body this CLI does not understand \(at: /);
  });

  it('names the URL and suggests `nationpulse up` when nothing answers (exit 69)', async () => {
    const closed = await startFakeGateway();
    await closed.close();
    const run = await runNationpulse(['audit', 'runs', '--url', closed.url], { env });
    expect(run.code).toBe(69);
    expect(run.stderr).toBe(
      `UNREACHABLE: Cannot reach ${closed.url}/api/v1/audit/runs (ECONNREFUSED). Is the platform running? Start it with \`nationpulse up\`, or point --url / NATIONPULSE_URL at it.\n`,
    );
  });

  it('gives up on a request after --timeout milliseconds', async () => {
    const started = Date.now();
    const run = await runNationpulse(['projections', 'status', '--remote', '--timeout', '150'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`TIMEOUT: GET ${gateway.url}/api/v1/ops/projections got no answer within 150 ms (--timeout)\n`);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('shows tables by default and the raw answer with --json', async () => {
    const table = await runNationpulse(['audit', 'runs'], { env });
    expect(table.stdout.split('\n')[0]).toMatch(/^RUN\s+STATUS\s+DATASET\s+SOURCE\s+TRIGGER\s+STARTED\s+DURATION\s+READ\s+CHANGED\s+REJECTED$/);
    const json = await runNationpulse(['audit', 'runs', '--json'], { env });
    expect(JSON.parse(json.stdout)).toEqual(auditRuns);
  });
});

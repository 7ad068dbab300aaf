import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGateway, type FakeGateway } from '../testing/fake-gateway.ts';
import { reportStatus } from '../testing/fixtures.ts';
import { runNationpulse, tempDir } from '../testing/run-cli.ts';

/** A CSV large enough to arrive in several chunks. */
const file = Buffer.from(['country,iso3,value', ...Array.from({ length: 20_000 }, (_, i) => `Country ${i},C${String(i).padStart(2, '0')},${i * 1000}`)].join('\n'));
const sha256 = createHash('sha256').update(file).digest('hex');

let gateway: FakeGateway;
let env: Record<string, string>;
let polls: number;
let announcedSha: string;
beforeAll(async () => {
  gateway = await startFakeGateway();
  env = { NATIONPULSE_URL: gateway.url, NATIONPULSE_TOKEN: 'token' };
  gateway.route('POST', '/api/v1/reports', () => ({
    status: 202,
    json: { streamId: 'report-0190a1b2-report-1', revision: 0, position: 321, replayed: false, reportId: '0190a1b2-report-1' },
    headers: { 'x-position': '321' },
  }));
  gateway.route('GET', '/api/v1/reports/:id', () => {
    polls++;
    return { json: polls < 3 ? reportStatus('pending') : reportStatus('ready', { sizeBytes: file.length, sha256: announcedSha }) };
  });
  gateway.route('GET', '/api/v1/reports/:id/file', () => ({ body: file, headers: { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="from-header.csv"' } }));
});
afterAll(() => gateway.close());
beforeEach(() => {
  polls = 0;
  announcedSha = sha256;
});

describe('nationpulse reports', () => {
  it('requests a report (validated spec, idempotency key) and waits until it is generated', async () => {
    const run = await runNationpulse(['reports', 'request', '--kind', 'ranking', '--indicator', 'sp.pop.totl', '--year', '2020', '--wait'], { env });
    expect(run.code).toBe(0);
    const post = gateway.requests.find((r) => r.method === 'POST')!;
    expect(post.body).toEqual({ spec: { kind: 'ranking', indicator: 'SP.POP.TOTL', year: 2020, order: 'desc' }, format: 'csv' });
    expect(post.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    const statusPolls = gateway.requests.filter((r) => r.path === '/api/v1/reports/0190a1b2-report-1');
    expect(statusPolls).toHaveLength(3);
    // Read-your-writes: the status is read at least at the request's position.
    expect(statusPolls[0]!.query.get('minPosition')).toBe('321');
    expect(run.stdout).toContain('status     ready');
    expect(run.stdout).toContain(`sha256     ${sha256}`);
    expect(run.stdout).toContain('Download it with: nationpulse reports download 0190a1b2-report-1');
  });

  it('streams the file to -o, showing its size and a verified sha256', async () => {
    polls = 10;
    const dir = tempDir('np-cli-report-');
    const run = await runNationpulse(['reports', 'download', '0190a1b2-report-1', '-o', 'out/../ranking.csv'], { env, cwd: dir });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const target = join(dir, 'ranking.csv');
    expect(readFileSync(target).equals(file)).toBe(true);
    expect(run.stdout).toBe(`Saved ${target}\n  size    ${(file.length / 1024).toFixed(1)} KiB (${file.length.toLocaleString('en-US')} bytes)\n  sha256  ${sha256} (verified)\n`);
  });

  it("names the file after the report's artifact by default", async () => {
    polls = 10;
    const dir = tempDir('np-cli-report-');
    expect((await runNationpulse(['reports', 'download', '0190a1b2-report-1'], { env, cwd: dir })).code).toBe(0);
    expect(readdirSync(dir)).toEqual(['ranking-SP.POP.TOTL-2020.csv']);
  });

  it('keeps nothing when the bytes do not match the announced sha256 (exit 1)', async () => {
    polls = 10;
    announcedSha = 'f'.repeat(64);
    const dir = tempDir('np-cli-report-');
    const run = await runNationpulse(['reports', 'download', '0190a1b2-report-1', '-o', 'r.csv'], { env, cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`CHECKSUM_MISMATCH: The download of report 0190a1b2-report-1 has sha256 ${sha256}, the report says ${'f'.repeat(64)}; nothing was saved\n`);
    expect(existsSync(join(dir, 'r.csv'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses to download a report that is not generated yet', async () => {
    const run = await runNationpulse(['reports', 'download', '0190a1b2-report-1'], { env, cwd: tempDir('np-cli-report-') });
    expect(run).toMatchObject({ code: 1, stderr: 'REPORT_NOT_READY: Report 0190a1b2-report-1 is still being generated\n' });
  });
});

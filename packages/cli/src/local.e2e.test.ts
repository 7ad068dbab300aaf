import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@nationpulse/platform/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { runNationpulse, tempDir } from './testing/run-cli.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'nationpulse.mjs');
const dataDir = tempDir('np-cli-data-');
const csvDir = join(tempDir('np-cli-csv-'), 'sp.pop.totl');
mkdirSync(csvDir);
writeFileSync(join(csvDir, 'data.csv'), 'Country Name,Country Code,Year,Value\nFrance,FRA,2019,67248926\nFrance,FRA,2020,67391582\nGermany,DEU,2020,83160871\n');
const env = { NATIONPULSE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };

/** The nationpulse command as its own process (real clock, real stdout). */
const runBin = (args: readonly string[], env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const cli = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    cli.once('exit', (code) => resolve({ code, stdout, stderr }));
  });

let child: ReturnType<typeof spawn> | null = null;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('nationpulse on the embedded data folder', () => {
  it('ingest --file runs the ingestion CLI on the data folder', async () => {
    const run = await runNationpulse(['ingest', '--file', csvDir], { env });
    expect(run.stderr).not.toContain('FAILED');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^run \S+ completed in [\d.]+ s: 3 rows read, 3 changed, 0 unchanged, 0 rejected; 2 series events; position \d+\n$/);
  });

  it('projections status runs the projectors CLI on the same folder', async () => {
    const run = await runNationpulse(['projections', 'status'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^series\s+v\d+ /m);
  });

  it('up serves the platform from this process until Ctrl-C, then exits 0', async () => {
    // Every service on a free port, so the test never meets another platform running here.
    const portVars = ['PORT', 'WRITE_API_HTTP_PORT', 'WRITE_API_GRPC_PORT', 'READ_API_HTTP_PORT', 'READ_API_GRPC_PORT', 'PROJECTORS_HTTP_PORT', 'REPORTING_HTTP_PORT', 'INGESTION_HTTP_PORT', 'INGESTION_GRPC_PORT'];
    const ports: Record<string, string> = Object.fromEntries(await Promise.all(portVars.map(async (name) => [name, String(await freePort())])));
    const readApi = `http://127.0.0.1:${ports['READ_API_HTTP_PORT']}`;
    child = spawn(process.execPath, [bin, 'up', '--data-dir', dataDir], {
      env: { ...process.env, ...ports, LOG_LEVEL: 'warn', NATIONPULSE_ADMIN_USER: 'admin', NATIONPULSE_ADMIN_PASSWORD: 'a long admin password' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 90_000;
    while (!output.includes('is up') && Date.now() < deadline && child.exitCode === null) await new Promise((res) => setTimeout(res, 100));
    expect(output).toContain(`read API   ${readApi}/api/v1/countries`);

    // The data ingested above is served once the projections have caught up.
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await fetch(`${readApi}/api/v1/series/FRA/SP.POP.TOTL`)).status;
      if (status !== 200) await new Promise((res) => setTimeout(res, 200));
    }
    expect(status).toBe(200);

    // The reports commands against the real gateway and reporting service (their answers' words,
    // not a fixture's): request and wait, then status and download.
    const gateway = `http://127.0.0.1:${ports['PORT']}`;
    const signin = await fetch(`${gateway}/api/v1/auth/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'a long admin password' }) });
    expect(signin.status).toBe(200);
    const cliEnv = { ...process.env, NATIONPULSE_URL: gateway, NATIONPULSE_TOKEN: ((await signin.json()) as { accessToken: string }).accessToken };
    const requested = await runBin(['reports', 'request', '--kind', 'ranking', '--indicator', 'SP.POP.TOTL', '--year', '2020', '--wait', '--wait-timeout', '60'], cliEnv);
    expect(requested.code, requested.stderr).toBe(0);
    expect(requested.stdout).toMatch(/^status\s+ready$/m);
    const reportId = /^report\s+(\S+)$/m.exec(requested.stdout)?.[1];
    expect(reportId).toBeTruthy();
    const shown = await runBin(['reports', 'status', reportId!], cliEnv);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^status\s+ready$/m);
    const target = join(tempDir('np-cli-report-'), 'ranking.csv');
    const downloaded = await runBin(['reports', 'download', reportId!, '-o', target], cliEnv);
    expect(downloaded.code, downloaded.stderr).toBe(0);
    expect(downloaded.stdout).toContain('(verified)');
    expect(readFileSync(target, 'utf8')).toContain('FRA');

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('SIGINT received, shutting down');
  });
});

import { spawn } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
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
    const portVars = ['WRITE_API_HTTP_PORT', 'WRITE_API_GRPC_PORT', 'READ_API_HTTP_PORT', 'READ_API_GRPC_PORT', 'PROJECTORS_HTTP_PORT'];
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

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('SIGINT received, shutting down');
  });
});

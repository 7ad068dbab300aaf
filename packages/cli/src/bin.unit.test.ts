import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', 'bin', 'nationpulse.mjs');
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NATIONPULSE_URL: 'http://127.0.0.1:9' } });

// Each spawn starts node and tsx: seconds on a loaded machine.
describe('the nationpulse bin', { timeout: 120_000 }, () => {
  it('runs the TypeScript CLI through its shim: --help exits 0 with the commands', () => {
    const result = run(['--help']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: nationpulse <command> \[options\]\n/);
    expect(result.stdout).toContain('  pulse ');
  });

  it('exits with the command status: 64 for bad arguments, 69 when the platform is not there', () => {
    expect(run(['audit', 'series', 'FRANCE', 'SP.POP.TOTL']).status).toBe(64);
    const pulse = run(['pulse']);
    expect(pulse.status).toBe(69);
    expect(pulse.stderr).toContain('Cannot reach http://127.0.0.1:9/api/v1/ops/pulse');
  });
});

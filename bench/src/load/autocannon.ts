import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly requests: number;
}

interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/**
 * Drives one URL with autocannon in its own process (so the load generator is not in the
 * server's event loop), with a fixed number of connections for a fixed time.
 */
export const load = (url: string, options: { connections: number; seconds: number; headers?: Record<string, string> }): Promise<LoadResult> =>
  new Promise((resolve, reject) => {
    const headerArgs = Object.entries(options.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}=${v}`]);
    const child = spawn(process.execPath, [bin, '-j', '-c', String(options.connections), '-d', String(options.seconds), ...headerArgs, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err}`));
      const r = JSON.parse(out) as AutocannonJson;
      resolve({ requestsPerSecond: r.requests.average, p50Ms: r.latency.p50, p99Ms: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx, requests: r.requests.total });
    });
  });

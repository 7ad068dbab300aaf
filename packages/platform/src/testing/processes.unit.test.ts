import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForHealth, waitForHealthWhileRunning } from './processes.ts';

/** A service that is never healthy (503), counting the probes it gets. */
const unhealthy = async () => {
  let probes = 0;
  const server: Server = createServer((_req, res) => {
    probes++;
    res.statusCode = 503;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, probes: () => probes, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe('waiting for a service to be healthy', () => {
  it('stops polling at once when its signal aborts, long before its timeout', async () => {
    const service = await unhealthy();
    servers.push(service);
    const stop = new AbortController();
    const waiting = waitForHealth(service.url, 600_000, { signal: stop.signal });
    await sleep(250);
    stop.abort(new Error('no longer needed'));
    await expect(waiting).rejects.toThrow('no longer needed');
    const seen = service.probes();
    expect(seen).toBeGreaterThan(0);
    await sleep(400);
    expect(service.probes()).toBe(seen);
  });

  it('fails with the exit as soon as the process exits first, and polls no more', async () => {
    const service = await unhealthy();
    servers.push(service);
    let exit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (exit = resolve));
    const waiting = waitForHealthWhileRunning(service.url, 600_000, exited, (code) => new Error(`exited with ${code}`));
    await sleep(250);
    exit(3);
    await expect(waiting).rejects.toThrow('exited with 3');
    const seen = service.probes();
    await sleep(400);
    expect(service.probes()).toBe(seen);
  });

  it('resolves once the service answers 200, whatever the process does later', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const { port } = server.address() as { port: number };
    let exit: () => void = () => undefined;
    const exited = new Promise<void>((resolve) => (exit = resolve));
    await waitForHealthWhileRunning(`http://127.0.0.1:${port}`, 5_000, exited, () => new Error('exited'));
    exit(); // a later exit is not an unhandled rejection
    await sleep(10);
  });
});

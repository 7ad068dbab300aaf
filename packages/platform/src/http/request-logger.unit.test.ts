import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { createServiceApp } from './service-app.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/** A service app whose logger writes JSON lines into an array, and a spy on the child loggers made from it. */
const appLogging = async (level: string) => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, next) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      next();
    },
  });
  const logger = pino({ level }, sink);
  const app = await createServiceApp({ title: 'test', logger, health: async () => ({ ok: true, details: {} }) });
  // Fastify wraps the instance it is given; children of the wrapper are what requests get.
  const children = vi.spyOn(app.log, 'child');
  app.get('/quiet', async () => ({ ok: true }));
  app.get('/chatty', async (request) => {
    request.log.warn({ thing: 1 }, 'something to say');
    request.log.debug('below the level');
    return { ok: true };
  });
  app.get('/own-level', { logLevel: 'debug' }, async (request) => {
    request.log.debug('route level');
    return { ok: true };
  });
  await app.ready();
  return { app, lines, children };
};

describe('per-request logger', () => {
  it('makes no child for a request that writes nothing at the level', async () => {
    const { app, lines, children } = await appLogging('warn');
    const res = await app.inject({ url: '/quiet', headers: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` } });
    expect(res.statusCode).toBe(200);
    expect(children).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
    await app.close();
  });

  it('writes a request’s lines with its request id and trace id, and only at enabled levels', async () => {
    const { app, lines, children } = await appLogging('warn');
    const res = await app.inject({ url: '/chatty', headers: { 'x-request-id': 'req-1', traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` } });
    expect(res.statusCode).toBe(200);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, msg: 'something to say', thing: 1, reqId: 'req-1', trace_id: TRACE_ID });
    // Made once the line is written: the request's child, then the trace's (pino children inherit the spied method).
    expect(children).toHaveBeenCalledTimes(2);
    await app.close();
  });

  it('logs Fastify’s own request lines at info, bound to the request', async () => {
    const { app, lines } = await appLogging('info');
    await app.inject({ url: '/quiet', headers: { 'x-request-id': 'req-2' } });
    expect(lines.map((l) => [l.msg, l.reqId])).toEqual([
      ['incoming request', 'req-2'],
      ['request completed', 'req-2'],
    ]);
    await app.close();
  });

  it('honours a route’s own log level', async () => {
    const { app, lines } = await appLogging('warn');
    await app.inject({ url: '/own-level', headers: { 'x-request-id': 'req-3' } });
    expect(lines.find((l) => l.msg === 'route level')).toMatchObject({ level: 20, reqId: 'req-3' });
    await app.close();
  });
});

import { describe, expect, it } from 'vitest';
import { sendJson, useTestServers, type Handler, type TestServer } from '../../testing/http-server.ts';
import { createHttpClient, parseRetryAfter, type HttpClientOptions } from './http-client.ts';

const servers = useTestServers();
const serve = (handler: Handler): Promise<TestServer> => servers.start(handler);

/** A client whose waits are recorded, not slept (except where a test wants real time). */
const client = (overrides: Partial<HttpClientOptions> = {}) => {
  const waits: number[] = [];
  const http = createHttpClient({
    name: 'Test API',
    timeoutMs: 2_000,
    attempts: 3,
    backoffMs: 100,
    maxBackoffMs: 5_000,
    minIntervalMs: 0,
    random: () => 0.5,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...overrides,
  });
  return { http, waits };
};

describe('http client', () => {
  it('retries a 503 with exponential backoff and jitter, then returns the 200 body', async () => {
    const s = await serve((_req, res, call) => (call < 3 ? sendJson(res, { error: 'busy' }, 503) : sendJson(res, [1, 2])));
    const { http, waits } = client();
    const response = await http.getText(`${s.url}/data`);
    expect(JSON.parse(response.text)).toEqual([1, 2]);
    expect(s.requests).toHaveLength(3);
    // 100 then 200 ms, each jittered into [half, full] — random() = 0.5 gives three quarters.
    expect(waits).toEqual([75, 150]);
  });

  it('honours Retry-After on a 429', async () => {
    const s = await serve((_req, res, call) => (call === 1 ? sendJson(res, 'slow down', 429, { 'retry-after': '2' }) : sendJson(res, { ok: true })));
    const { http, waits } = client();
    await expect(http.getText(`${s.url}/x`)).resolves.toMatchObject({ status: 200 });
    expect(waits).toEqual([2_000]);
  });

  it('gives up at once with a rate-limit error when Retry-After is beyond the longest backoff', async () => {
    const s = await serve((_req, res) => sendJson(res, 'come back in an hour', 429, { 'retry-after': '3600' }));
    const { http } = client();
    await expect(http.getText(`${s.url}/x`)).rejects.toMatchObject({ kind: 'rate_limited', code: 'UPSTREAM_RATE_LIMITED' });
    expect(s.requests).toHaveLength(1);
  });

  it('fails at once on a 4xx other than 429, quoting the body', async () => {
    const s = await serve((_req, res) => sendJson(res, 'NoResultsFound', 404));
    const { http } = client();
    await expect(http.getText(`${s.url}/missing`)).rejects.toMatchObject({ kind: 'validation', code: 'UPSTREAM_REJECTED', message: expect.stringMatching(/HTTP 404 .*NoResultsFound/) });
    expect(s.requests).toHaveLength(1);
  });

  it('times out a response that never comes, on every attempt, then reports the API unavailable', async () => {
    const s = await serve(() => {
      /* never answers */
    });
    const { http } = client({ timeoutMs: 150, attempts: 2 });
    const started = Date.now();
    await expect(http.getText(`${s.url}/hang`)).rejects.toMatchObject({ kind: 'unavailable', code: 'UPSTREAM_UNAVAILABLE', message: expect.stringMatching(/within 150 ms after 2 attempt/) });
    expect(s.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('retries network errors (nothing listening)', async () => {
    const s = await serve((_req, res) => sendJson(res, {}));
    const url = s.url;
    await s.close();
    const { http, waits } = client({ attempts: 2 });
    await expect(http.getText(`${url}/x`)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringMatching(/network error/) });
    expect(waits).toHaveLength(1);
  });

  it('spaces calls by the minimum interval', async () => {
    const s = await serve((_req, res) => sendJson(res, {}));
    let now = 1_000;
    const { http, waits } = client({ minIntervalMs: 3_000, now: () => now, sleep: async (ms) => void (now += ms, waits.push(ms)) });
    await http.getText(`${s.url}/1`);
    await http.getText(`${s.url}/2`);
    await http.getText(`${s.url}/3`);
    expect(waits).toEqual([3_000, 3_000]);
  });

  it('refuses a body over the size limit', async () => {
    const s = await serve((_req, res) => sendJson(res, 'x'.repeat(5_000)));
    const { http } = client();
    await expect(http.getText(`${s.url}/big`, undefined, 1_000)).rejects.toMatchObject({ code: 'UPSTREAM_REJECTED', message: expect.stringMatching(/limit/) });
  });

  it('streams a body line by line across chunks, CRLF or LF', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write('A,B\r\n1,');
      setTimeout(() => res.end('2\n3,4'), 20);
    });
    const { http } = client();
    const { lines } = await http.getLines(`${s.url}/csv`);
    const out: string[] = [];
    for await (const line of lines) out.push(line);
    expect(out).toEqual(['A,B', '1,2', '3,4']);
  });

  it('fails a streamed body that stalls longer than the timeout', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write('A,B\n');
    });
    const { http } = client({ timeoutMs: 150 });
    const { lines } = await http.getLines(`${s.url}/csv`);
    const out: string[] = [];
    await expect(
      (async () => {
        for await (const line of lines) out.push(line);
      })(),
    ).rejects.toThrow(/stalled for 150 ms/);
    expect(out).toEqual(['A,B']);
  });

  it('stops retrying when the caller aborts', async () => {
    const s = await serve((_req, res) => sendJson(res, {}, 503));
    const controller = new AbortController();
    const { http } = client({ sleep: async () => controller.abort(new Error('run cancelled')) });
    await expect(http.getText(`${s.url}/x`, controller.signal)).rejects.toThrow('run cancelled');
    expect(s.requests).toHaveLength(1);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', 0)).toBe(120_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter(null, 0)).toBeNull();
    expect(parseRetryAfter('soon', 0)).toBeNull();
  });
});

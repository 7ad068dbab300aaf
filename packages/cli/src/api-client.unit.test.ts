import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApiClient } from './api-client.ts';
import { CliError } from './errors.ts';
import { startFakeGateway, type FakeGateway } from './testing/fake-gateway.ts';

let gateway: FakeGateway;
let drops: number;
beforeAll(async () => {
  gateway = await startFakeGateway();
  gateway.route('GET', '/api/v1/countries', () => (drops-- > 0 ? { drop: true } : { json: [{ iso3: 'FRA' }], headers: { 'x-position': '42' } }));
  gateway.route('POST', '/api/v1/corrections', (req) => (drops-- > 0 ? { drop: true } : { status: 201, json: { position: 43, key: req.headers['idempotency-key'] } }));
});
afterAll(() => gateway.close());

const client = () => createApiClient({ baseUrl: gateway.url, timeoutMs: 2_000, credentials: { kind: 'token', token: 't' } });
const countries = z.array(z.object({ iso3: z.string() }));
const receipt = z.object({ position: z.number(), key: z.string().optional() });

describe('the API client', () => {
  it('retries a read whose connection dropped, and reports the consistency token', async () => {
    drops = 2;
    const before = gateway.requests.length;
    await expect(client().request('GET', '/api/v1/countries', { schema: countries })).resolves.toEqual({ status: 200, body: [{ iso3: 'FRA' }], position: 42 });
    expect(gateway.requests.length - before).toBe(3);
  });

  it('retries a command only when an idempotency key makes the retry safe', async () => {
    drops = 1;
    const failed = await client()
      .post('/api/v1/corrections', { body: {}, schema: receipt })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(CliError);
    expect((failed as CliError).code).toBe('CONNECTION_FAILED');
    expect((failed as CliError).exitCode).toBe(1);

    drops = 1;
    const before = gateway.requests.length;
    await expect(client().post('/api/v1/corrections', { body: {}, schema: receipt, idempotencyKey: 'k-1' })).resolves.toEqual({ position: 43, key: 'k-1' });
    expect(gateway.requests.slice(before).map((r) => r.headers['idempotency-key'])).toEqual(['k-1', 'k-1']);
  });
});

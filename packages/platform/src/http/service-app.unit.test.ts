import { describe, expect, it } from 'vitest';
import { createServiceApp, registeredRoutes } from './service-app.ts';

const app = async () => {
  const built = await createServiceApp({ title: 'test', logger: false, health: async () => ({ ok: true, details: {} }) });
  built.get('/things/:id', async (request) => request.params);
  built.route({ method: ['POST', 'DELETE'], url: '/things/*', handler: async () => ({}) });
  return built;
};

describe('the service app', () => {
  it('answers a URL that is not valid percent-encoded UTF-8 with 400 BAD_URL in the error shape', async () => {
    const built = await app();
    for (const url of ['/things/%FF', '/things/%ED%A0%80', '/things/%', '/things/%zz', '/nowhere/%C0%AE']) {
      const res = await built.inject({ url });
      expect([res.statusCode, res.json()], url).toEqual([400, { error: { code: 'BAD_URL', message: 'The URL is not validly percent-encoded' } }]);
    }
  });

  it('lists every route it registered, without the HEAD twins of GETs', async () => {
    const built = await app();
    await built.ready();
    expect(registeredRoutes(built).map((r) => `${r.method} ${r.url}`)).toEqual(['GET /openapi.json', 'GET /health', 'GET /things/:id', 'POST /things/*', 'DELETE /things/*']);
    expect(registeredRoutes({})).toEqual([]);
  });
});

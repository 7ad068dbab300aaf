import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { seedPopulation } from '@nationpulse/platform/testing/seed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPlatform, type EmbeddedPlatform } from './embedded-platform.ts';
import { testPlatformEnv } from './testing/platform-env.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'np-gateway-downloads-'));
let platform: EmbeddedPlatform;

const call = async (path: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
  fetch(`${platform.urls.gateway}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
const signIn = async (username: string, password: string): Promise<string> => {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await call('/api/v1/auth/signin', { method: 'POST', body: { username, password } });
    if (res.status === 200) return ((await res.json()) as { accessToken: string }).accessToken;
    if (Date.now() > deadline) throw new Error(`sign-in of ${username}: ${res.status} ${await res.text()}`);
    await sleep(100);
  }
};

beforeAll(async () => {
  const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
  await seedPopulation(store, { FRA: 67_000_000 }, { expected: 'no_stream' });
  await store.close();
  platform = await startEmbeddedPlatform(testPlatformEnv(dataDir));
}, 60_000);
afterAll(async () => {
  await platform?.close();
});

describe('report downloads through the gateway', () => {
  it('streams the file from the reporting service to its requester; another user gets 403, an unknown report 404 (admin)', async () => {
    const admin = await signIn('admin', 'a long admin password');
    const created = await call('/api/v1/users', { method: 'POST', token: admin, body: { username: 'olga', password: 'olga has a long password', roles: ['analyst'] } });
    expect(created.status, await created.clone().text()).toBe(201);
    const other = await call('/api/v1/users', { method: 'POST', token: admin, body: { username: 'otto', password: 'otto has a long password', roles: ['analyst'] } });
    expect(other.status).toBe(201);
    const owner = await signIn('olga', 'olga has a long password');
    const stranger = await signIn('otto', 'otto has a long password');

    const requested = await call('/api/v1/reports', { method: 'POST', token: owner, body: { spec: { kind: 'ranking', indicator: 'SP.POP.TOTL', year: 2020 }, format: 'csv' } });
    expect([201, 202], await requested.clone().text()).toContain(requested.status);
    const { reportId } = (await requested.json()) as { reportId: string };

    // The file answers 409 REPORT_NOT_READY until the worker has stored it.
    let file = await call(`/api/v1/reports/${reportId}/file`, { token: owner });
    const deadline = Date.now() + 30_000;
    while (file.status === 409 && Date.now() < deadline) {
      await file.arrayBuffer();
      await sleep(100);
      file = await call(`/api/v1/reports/${reportId}/file`, { token: owner });
    }
    const body = Buffer.from(await file.arrayBuffer());
    expect(file.status, body.toString()).toBe(200);
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
    expect(file.headers.get('content-length')).toBe(String(body.length));
    expect(createHash('sha256').update(body).digest('hex')).toBe(file.headers.get('x-checksum-sha256'));
    expect(body.toString()).toContain('FRA');

    const refused = await call(`/api/v1/reports/${reportId}/file`, { token: stranger });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');

    // An admin may download anyone's report.
    expect((await call(`/api/v1/reports/${reportId}/file`, { token: admin })).status).toBe(200);

    // Unknown: 404 for an admin; others learn no more than 403 (whether a report exists is not theirs to know).
    const unknown = await call('/api/v1/reports/no-such-report/file', { token: admin });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('REPORT_NOT_FOUND');
    expect((await call('/api/v1/reports/no-such-report/file', { token: owner })).status).toBe(403);
  }, 60_000);
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testNotifications, testRateLimiter, testRefreshTokenStore } from '@nationpulse/ports/testing';
import { describe, expect, it } from 'vitest';
import { createInProcessNotifications } from './in-process-notifications.ts';
import { createInProcessRateLimiter } from './in-process-rate-limiter.ts';
import { createSqliteRefreshTokenStore } from './sqlite-refresh-token-store.ts';

/** One file, opened by several clients: as two processes sharing the data folder would. */
const tokensFile = join(mkdtempSync(join(tmpdir(), 'np-rt-')), 'gateway.db');
testRefreshTokenStore('sqlite', {
  create: async () => createSqliteRefreshTokenStore({ path: tokensFile }),
  reopen: async () => createSqliteRefreshTokenStore({ path: tokensFile }),
});
testRateLimiter('in-process', { create: async () => createInProcessRateLimiter() });
testNotifications('in-process', { create: async () => createInProcessNotifications() });

describe('in-process rate limiter specifics', () => {
  it('refills by the injected clock, one request per windowMs/limit', async () => {
    let now = 0;
    const limiter = createInProcessRateLimiter({ clock: () => now });
    const limit = { limit: 4, windowMs: 1_000 };
    for (let i = 0; i < 4; i++) expect((await limiter.consume('k', limit)).allowed).toBe(true);
    expect(await limiter.consume('k', limit)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 250 });
    now = 249;
    expect((await limiter.consume('k', limit)).allowed).toBe(false);
    now = 250;
    expect((await limiter.consume('k', limit)).allowed).toBe(true);
  });

  it('keeps at most maxKeys buckets, dropping refilled ones first', async () => {
    let now = 0;
    const limiter = createInProcessRateLimiter({ clock: () => now, maxKeys: 2 });
    const limit = { limit: 1, windowMs: 1_000 };
    await limiter.consume('a', limit);
    now = 2_000;
    await limiter.consume('b', limit);
    await limiter.consume('c', limit); // 'a' is full again and makes room
    expect((await limiter.consume('b', limit)).allowed).toBe(false);
    expect((await limiter.consume('c', limit)).allowed).toBe(false);
  });
});

describe('sqlite refresh token store specifics', () => {
  it('keeps tokens across reopening the file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'np-rt-')), 'gateway.db');
    const first = createSqliteRefreshTokenStore({ path });
    await first.issue({ tokenHash: 'h1', familyId: 'f1', userId: 'u1', expiresAt: Date.now() + 60_000 });
    await first.close();
    const again = createSqliteRefreshTokenStore({ path });
    expect(await again.rotate({ tokenHash: 'h1', familyId: 'f1' }, { tokenHash: 'h2', expiresAt: Date.now() + 60_000 }, Date.now())).toEqual({ outcome: 'rotated', userId: 'u1', familyId: 'f1' });
    await again.close();
  });
});

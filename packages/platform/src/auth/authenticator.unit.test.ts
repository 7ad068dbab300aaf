import { describe, expect, it } from 'vitest';
import { createAuthenticator, userAccessOf, type AccessLookup, type UserAccess } from './authenticator.ts';
import { createTokenService, type TokenService } from './tokens.ts';

const access: AccessLookup = {
  get: async (userId): Promise<UserAccess> => ({ userId, username: userId, roles: ['viewer'], permissions: new Set(['data:read']), disabled: false }),
};

const setup = (maxRemembered: number) => {
  const clock = { ms: Date.UTC(2026, 0, 1) };
  const tokens = createTokenService({ secret: 'x'.repeat(32), issuer: 'test', accessTtlSeconds: 60, clock: { now: () => new Date(clock.ms) } });
  const verified: string[] = [];
  const counting: TokenService = {
    issueAccessToken: (claims) => tokens.issueAccessToken(claims),
    verifyAccessToken: async (token) => {
      const claims = await tokens.verifyAccessToken(token);
      verified.push(claims.sub);
      return claims;
    },
  };
  const auth = createAuthenticator({ tokens: counting, access, now: () => clock.ms, maxRemembered });
  const issue = (sub: string) => tokens.issueAccessToken({ sub, username: sub });
  return { clock, auth, verified, issue };
};

describe('authenticator: verified tokens', () => {
  it('checks a token once until it expires, remembering the most recently used tokens', async () => {
    const { auth, verified, issue } = setup(2);
    const [a, b, c] = await Promise.all([issue('a'), issue('b'), issue('c')]);
    await auth.authenticate(a);
    await auth.authenticate(b);
    await auth.authenticate(a); // remembered, and now the most recently used
    expect(verified).toEqual(['a', 'b']);
    await auth.authenticate(c); // full: b, the least recently used, goes
    await auth.authenticate(a);
    expect(verified).toEqual(['a', 'b', 'c']);
    await auth.authenticate(b);
    expect(verified).toEqual(['a', 'b', 'c', 'b']);
  });

  it('checks a remembered token again once it has expired: 401 TOKEN_EXPIRED', async () => {
    const { clock, auth, verified, issue } = setup(10);
    const token = await issue('a');
    expect((await auth.authenticate(token)).userId).toBe('a');
    clock.ms += 66_000; // past its expiry and the 5 s clock tolerance
    await expect(auth.authenticate(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    await expect(auth.authenticate(`${token.slice(0, -2)}xx`)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    expect(verified).toEqual(['a']);
  });
});

describe('authenticator: access', () => {
  it('answers with the access the lookup gives now, never an earlier one', async () => {
    const clock = { now: () => new Date(Date.UTC(2026, 0, 1)) };
    const tokens = createTokenService({ secret: 'x'.repeat(32), issuer: 'test', accessTtlSeconds: 60, clock });
    let current: UserAccess = { userId: 'a', username: 'a', roles: ['analyst'], permissions: new Set(['data:read', 'audit:read']), disabled: false };
    const auth = createAuthenticator({ tokens, access: { get: async () => current }, now: () => clock.now().getTime() });
    const token = await tokens.issueAccessToken({ sub: 'a', username: 'a' });
    const before = await auth.authenticate(token);
    expect(() => auth.authorize(before, 'audit:read')).not.toThrow();
    current = { ...current, roles: ['viewer'], permissions: new Set(['data:read']) };
    const after = await auth.authenticate(token);
    expect(() => auth.authorize(after, 'audit:read')).toThrow(expect.objectContaining({ code: 'PERMISSION_DENIED' }));
    current = { ...current, disabled: true };
    await expect(auth.authenticate(token)).rejects.toMatchObject({ code: 'USER_DISABLED' });
  });
});

describe('authenticator: user documents', () => {
  it('grants the permissions a user document names, leaving out names that are no permission', () => {
    const access = userAccessOf({ userId: 'u', username: 'ann', roles: ['analyst'], permissions: ['data:read', 'no:such'], disabled: false });
    expect(access).toEqual({ userId: 'u', username: 'ann', roles: ['analyst'], permissions: new Set(['data:read']), disabled: false });
  });
});

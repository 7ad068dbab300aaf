import { describe, expect, it } from 'vitest';
import { decodeTokenClaims, identityFromToken, mayAccess, pagePermissions, showInNav } from './identity.ts';

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: unknown) => `${b64url({ alg: 'HS256' })}.${b64url(claims)}.sig`;

describe('identity', () => {
  it('reads who is signed in from the access token', () => {
    expect(decodeTokenClaims(jwt({ sub: 'u1', username: 'zoë' }))).toEqual({ sub: 'u1', username: 'zoë' });
    expect(identityFromToken(jwt({ sub: 'u1', username: 'ada', roles: ['analyst'] }))).toEqual({ userId: 'u1', username: 'ada', roles: ['analyst'], permissions: [] });
    expect(identityFromToken('garbage')).toBeNull();
    expect(identityFromToken(jwt({ username: 'no-sub' }))).toBeNull();
  });

  it('allows a page when one of its permissions is held, or when permissions are unknown (the server decides)', () => {
    const viewer = { userId: 'u', username: 'v', roles: ['viewer'], permissions: ['data:read'] };
    expect(mayAccess(viewer, ['users:manage', 'ops:manage'])).toBe(false);
    expect(mayAccess({ ...viewer, permissions: ['data:read', 'ops:manage'] }, ['users:manage', 'ops:manage'])).toBe(true);
    expect(mayAccess(null, ['users:manage'])).toBe(true);
    expect(mayAccess({ userId: 'u', username: 'x', roles: [], permissions: [] }, ['users:manage'])).toBe(true);
  });

  it('keeps permission-gated links out of the navigation until who-am-I is known, then shows what the user may open', () => {
    const analyst = { userId: 'u', username: 'a', roles: ['analyst'], permissions: ['data:read', 'reports:request', 'audit:read'] };
    expect(showInNav(null, false, pagePermissions.admin)).toBe(false);
    expect(showInNav(analyst, false, pagePermissions.reports)).toBe(false);
    expect(showInNav(null, false, undefined)).toBe(true);
    expect(showInNav(analyst, true, pagePermissions.reports)).toBe(true);
    expect(showInNav(analyst, true, pagePermissions.admin)).toBe(false);
    // Known but unknowable (no /me, a token without roles): the server decides, the link shows.
    expect(showInNav(null, true, pagePermissions.admin)).toBe(true);
  });
});

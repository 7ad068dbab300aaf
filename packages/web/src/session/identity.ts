import type { Me } from '../api/types.ts';

/** The claims of a JWT access token, read (not verified: the server does that) to show who is signed in. */
export const decodeTokenClaims = (token: string): Record<string, unknown> | null => {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const json = new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
    const claims: unknown = JSON.parse(json);
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Who the token says is signed in, for when the gateway has no /me: roles and permissions only if the token carries them. */
export const identityFromToken = (token: string): Me | null => {
  const claims = decodeTokenClaims(token);
  if (!claims || typeof claims['sub'] !== 'string') return null;
  return {
    userId: claims['sub'],
    username: typeof claims['username'] === 'string' ? claims['username'] : claims['sub'],
    roles: strings(claims['roles']),
    permissions: strings(claims['permissions']),
  };
};

/** Pages and actions by the permission they need (the server enforces them; the UI only hides what would be refused). */
export const pagePermissions = {
  reports: ['reports:request'],
  audit: ['audit:read'],
  admin: ['users:manage', 'ingestion:trigger', 'ops:manage'],
} as const;

/**
 * Whether the user may see something needing any of these permissions. Unknown permissions (a token
 * without them and no /me) allow it: the server answers 403 if not, and the page says so.
 */
export const mayAccess = (me: Me | null, needed: readonly string[]): boolean =>
  me === null || (me.permissions.length === 0 && me.roles.length === 0) || needed.some((p) => me.permissions.includes(p));

/**
 * Whether a link to something needing these permissions belongs in the navigation. Not while
 * who-am-I is still loading: a viewer must not see the Admin link flash up and vanish. Once known,
 * as `mayAccess` says.
 */
export const showInNav = (me: Me | null, meKnown: boolean, needed?: readonly string[]): boolean =>
  !needed || (meKnown && mayAccess(me, needed));

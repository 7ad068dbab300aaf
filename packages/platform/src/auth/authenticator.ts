import { forbidden, NationPulseError, permissionSchema, type Permission } from '@nationpulse/domain';
import { decodeJwt } from 'jose';
import type { AccessClaims, TokenService } from './tokens.ts';

/** A user's access as a service checks it on every request (from the users read model). */
export interface UserAccess {
  readonly userId: string;
  readonly username: string;
  readonly roles: readonly string[];
  readonly permissions: ReadonlySet<Permission>;
  readonly disabled: boolean;
}

export interface AccessLookup {
  /** The user's current access, or null when the users read model does not know them. */
  get(userId: string): Promise<UserAccess | null>;
}

/** The access a user document of the users read model grants (names that are no permission left out). */
export const userAccessOf = (user: { userId: string; username: string; roles: readonly string[]; permissions: readonly string[]; disabled: boolean }): UserAccess => ({
  userId: user.userId,
  username: user.username,
  roles: user.roles,
  permissions: permissionsOf(user.permissions),
  disabled: user.disabled,
});

export const permissionsOf = (names: readonly string[]): Set<Permission> =>
  new Set(names.filter((p): p is Permission => permissionSchema.safeParse(p).success));

export interface SignedInUser extends UserAccess {
  /** When the access token expires (epoch ms): long-lived streams end then. */
  readonly tokenExpiresAt: number;
}

export interface Authenticator {
  /** Verifies the access token and loads the user's current access: 401 for a bad token or unknown user, 403 when disabled. */
  authenticate(token: string | undefined): Promise<SignedInUser>;
  /** 403 PERMISSION_DENIED unless the user holds the permission. */
  authorize(user: UserAccess, permission: Permission): void;
}

/** A verified token, remembered until it expires. */
interface Remembered {
  readonly claims: AccessClaims;
  readonly expiresAt: number;
  /** Used since the last eviction pass: spared once (second chance). */
  used: boolean;
  /** The last answer, reused while the access lookup hands out the same access object. */
  signedIn: { readonly from: UserAccess; readonly user: SignedInUser } | null;
}

/**
 * Who is calling, for every service that checks access tokens itself (the gateway, and the read
 * API for the queries whose answer depends on who asks): one token check (TokenService: algorithm
 * pinned, exp/iat/sub required), then the user's current access from the lookup.
 *
 * Verified tokens are remembered until they expire, keyed by the token itself (bounded by
 * `maxRemembered`, least recently used out first), so the signature is checked once per token
 * rather than once per request; the user's access is still looked up every time.
 */
export const createAuthenticator = (deps: { tokens: TokenService; access: AccessLookup; now: () => number; maxRemembered?: number }): Authenticator => {
  const verified = new Map<string, Remembered>();
  const maxRemembered = deps.maxRemembered ?? 10_000;

  /**
   * Makes room for one token: expired ones go, and the oldest not used since the last pass
   * (second chance, an LRU approximation that costs nothing on a hit).
   */
  const evict = () => {
    const now = deps.now();
    for (const [token, entry] of verified) {
      verified.delete(token);
      if (entry.expiresAt <= now) continue;
      if (!entry.used) return;
      entry.used = false;
      verified.set(token, entry);
    }
  };

  const verify = async (token: string | undefined): Promise<Remembered> => {
    const claims = await deps.tokens.verifyAccessToken(token); // throws TOKEN_MISSING / TOKEN_EXPIRED / TOKEN_INVALID
    const exp = decodeJwt(token!).exp;
    const entry: Remembered = { claims, expiresAt: typeof exp === 'number' ? exp * 1000 : deps.now(), used: false, signedIn: null };
    verified.delete(token!);
    if (verified.size >= maxRemembered) evict();
    verified.set(token!, entry);
    return entry;
  };

  return {
    async authenticate(token) {
      let entry = token ? verified.get(token) : undefined;
      if (entry && entry.expiresAt > deps.now()) entry.used = true;
      else entry = await verify(token);
      const user = await deps.access.get(entry.claims.sub);
      if (!user) throw new NationPulseError('unauthenticated', 'USER_UNKNOWN', 'The token names no known user');
      if (user.disabled) throw forbidden('USER_DISABLED', 'This account is disabled');
      // The access lookup hands out the same object until it reads the user again.
      if (entry.signedIn?.from !== user) entry.signedIn = { from: user, user: { ...user, tokenExpiresAt: entry.expiresAt } };
      return entry.signedIn.user;
    },
    authorize(user, permission) {
      if (!user.permissions.has(permission)) throw forbidden('PERMISSION_DENIED', `This action needs the permission ${permission}`, { permission });
    },
  };
};

import { forbidden, NationPulseError } from '@nationpulse/domain';
import { hashPassword, verifyPassword, type AccessLookup, type TokenService } from '@nationpulse/platform';
import type { ReadStore, RefreshTokenStore } from '@nationpulse/ports';
import { collections, type UserDoc } from '@nationpulse/read-models';
import { mintRefreshToken, parseRefreshToken } from './refresh-tokens.ts';

export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
}

export interface AuthService {
  signIn(username: string, password: string): Promise<TokenPair>;
  refresh(refreshToken: string): Promise<TokenPair>;
  /** Revokes the token's whole family (this device's session). */
  signOut(refreshToken: string): Promise<void>;
}

const unauthenticated = (code: string, message: string) => new NationPulseError('unauthenticated', code, message);
const badCredentials = () => unauthenticated('INVALID_CREDENTIALS', 'Unknown username or wrong password');

/**
 * Sign-in against the users read model (which holds the scrypt hash), short-lived access tokens,
 * and rotating refresh tokens kept hashed in the RefreshTokenStore.
 */
export const createAuthService = (deps: {
  readStore: ReadStore;
  access: AccessLookup;
  tokens: TokenService;
  refreshTokens: RefreshTokenStore;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  now: () => number;
}): AuthService => {
  // Verifying against this when the user is unknown takes as long as a real check, so response
  // times do not reveal which usernames exist.
  let decoy: Promise<string> | undefined;
  const decoyHash = () => (decoy ??= hashPassword('decoy password that matches nothing'));

  const pair = async (userId: string, username: string, refreshToken: string): Promise<TokenPair> => ({
    accessToken: await deps.tokens.issueAccessToken({ sub: userId, username }),
    refreshToken,
    tokenType: 'Bearer',
    expiresIn: deps.accessTtlSeconds,
  });
  const refreshExpiry = () => deps.now() + deps.refreshTtlSeconds * 1000;

  return {
    async signIn(username, password) {
      const [found] = await deps.readStore.find<UserDoc>(collections.users, { where: { username }, limit: 1 });
      const user = found?.doc;
      if (!user?.passwordHash) {
        await verifyPassword(password, await decoyHash());
        throw badCredentials();
      }
      if (!(await verifyPassword(password, user.passwordHash))) throw badCredentials();
      if (user.disabled) throw forbidden('USER_DISABLED', 'This account is disabled');
      const minted = mintRefreshToken();
      await deps.refreshTokens.issue({ tokenHash: minted.tokenHash, familyId: minted.familyId, userId: user.userId, expiresAt: refreshExpiry() });
      return pair(user.userId, user.username, minted.token);
    },

    async refresh(refreshToken) {
      const presented = parseRefreshToken(refreshToken);
      if (!presented) throw unauthenticated('REFRESH_TOKEN_INVALID', 'The refresh token is invalid');
      const next = mintRefreshToken(presented.familyId);
      const result = await deps.refreshTokens.rotate(presented, { tokenHash: next.tokenHash, expiresAt: refreshExpiry() }, deps.now());
      switch (result.outcome) {
        case 'rotated': {
          const user = await deps.access.get(result.userId);
          if (!user) throw unauthenticated('USER_UNKNOWN', 'The refresh token names no known user');
          if (user.disabled) {
            await deps.refreshTokens.revokeFamily({ tokenHash: next.tokenHash, familyId: next.familyId });
            throw forbidden('USER_DISABLED', 'This account is disabled');
          }
          return pair(result.userId, user.username, next.token);
        }
        case 'reused':
          throw unauthenticated('REFRESH_TOKEN_REUSED', 'This refresh token was already used: every session it belongs to is now signed out');
        case 'revoked':
          throw unauthenticated('REFRESH_TOKEN_REVOKED', 'This session was signed out');
        case 'expired':
          throw unauthenticated('REFRESH_TOKEN_EXPIRED', 'The refresh token has expired');
        case 'unknown':
          throw unauthenticated('REFRESH_TOKEN_INVALID', 'The refresh token is invalid');
      }
    },

    async signOut(refreshToken) {
      const presented = parseRefreshToken(refreshToken);
      if (!presented || !(await deps.refreshTokens.revokeFamily(presented))) {
        throw unauthenticated('REFRESH_TOKEN_INVALID', 'The refresh token is invalid');
      }
    },
  };
};

import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { NationPulseError } from '@nationpulse/domain';
import type { Clock } from '../clock.ts';

export interface AccessClaims {
  /** The user id. */
  readonly sub: string;
  readonly username: string;
}

export interface TokenService {
  issueAccessToken(claims: AccessClaims): Promise<string>;
  /** Throws an 'unauthenticated' NationPulseError for a missing, expired, future-dated, tampered or expiry-less token. */
  verifyAccessToken(token: string | undefined): Promise<AccessClaims>;
}

export interface TokenServiceOptions {
  /** At least 32 bytes of secret shared by the services that verify tokens. */
  readonly secret: string;
  readonly issuer: string;
  readonly accessTtlSeconds: number;
  readonly clock: Clock;
}

const ALGORITHM = 'HS256';
const unauthenticated = (code: string, message: string) => new NationPulseError('unauthenticated', code, message);

/** Short-lived access tokens. The algorithm is pinned, so a token signed otherwise (or 'none') is refused. */
export const createTokenService = ({ secret, issuer, accessTtlSeconds, clock }: TokenServiceOptions): TokenService => {
  if (Buffer.byteLength(secret) < 32) throw new Error('The token secret must be at least 32 bytes');
  const key = new TextEncoder().encode(secret);
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
  return {
    async issueAccessToken(claims) {
      const now = nowSeconds();
      return new SignJWT({ username: claims.username })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(claims.sub)
        .setIssuer(issuer)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + accessTtlSeconds)
        .sign(key);
    },
    async verifyAccessToken(token) {
      if (!token) throw unauthenticated('TOKEN_MISSING', 'An access token is required');
      try {
        // exp is required: a token without one (only a holder of the secret could make it) would never expire.
        const { payload } = await jwtVerify(token, key, { algorithms: [ALGORITHM], issuer, currentDate: clock.now(), clockTolerance: 5, requiredClaims: ['exp', 'iat', 'sub'] });
        if (typeof payload.sub !== 'string' || typeof payload.username !== 'string' || typeof payload.iat !== 'number') {
          throw unauthenticated('TOKEN_INVALID', 'The access token lacks required claims');
        }
        if (payload.iat > nowSeconds() + 5) throw unauthenticated('TOKEN_INVALID', 'The access token was issued in the future');
        return { sub: payload.sub, username: payload.username };
      } catch (e) {
        if (e instanceof NationPulseError) throw e;
        if (e instanceof joseErrors.JWTExpired) throw unauthenticated('TOKEN_EXPIRED', 'The access token has expired');
        throw unauthenticated('TOKEN_INVALID', 'The access token is invalid');
      }
    },
  };
};

export const bearerToken = (header: string | undefined): string | undefined => {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
};

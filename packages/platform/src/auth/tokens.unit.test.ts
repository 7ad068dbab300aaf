import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT, base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { NationPulseError } from '@nationpulse/domain';
import { createTokenService } from './tokens.ts';

// The one verifier every service uses (gateway, write API, ingestion, reporting): what it refuses
// here, every route refuses (route-security.e2e.test.ts checks the routes use it).

const SECRET = 'a-test-secret-of-at-least-32-bytes-long!';
const NOW = new Date('2026-06-01T12:00:00Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);
const service = createTokenService({ secret: SECRET, issuer: 'nationpulse', accessTtlSeconds: 300, clock: { now: () => NOW } });
const key = new TextEncoder().encode(SECRET);
const claims = { sub: 'user-1', username: 'vera' };

const b64 = (value: unknown) => base64url.encode(JSON.stringify(value));

/** The stable code of the refusal, or 'ACCEPTED'. */
const outcome = async (token: string | undefined): Promise<string> => {
  try {
    await service.verifyAccessToken(token);
    return 'ACCEPTED';
  } catch (e) {
    if (e instanceof NationPulseError && e.kind === 'unauthenticated') return e.code;
    throw e;
  }
};

/** A token signed with our secret but with chosen header and claims. */
const signed = (payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }) =>
  new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key);
const standard = (overrides: Record<string, unknown> = {}) => ({ ...claims, iss: 'nationpulse', iat: nowSeconds, nbf: nowSeconds, exp: nowSeconds + 300, ...overrides });

describe('access tokens: what the verifier refuses', () => {
  it('accepts its own token', async () => {
    expect(await service.verifyAccessToken(await service.issueAccessToken(claims))).toEqual(claims);
  });

  it('refuses alg none, other HMAC algorithms, and tokens signed with keys of any other kind (algorithm confusion)', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' });
    const cases: [string, string][] = [
      ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(standard())}.`],
      ['alg None, signature kept', `${b64({ alg: 'None' })}.${b64(standard())}.${(await signed(standard())).split('.')[2]}`],
      ['HS512 with the right secret', await signed(standard(), { alg: 'HS512' })],
      ['HS384 with the right secret', await signed(standard(), { alg: 'HS384' })],
      ['RS256 signed by a foreign RSA key', await new SignJWT(standard()).setProtectedHeader({ alg: 'RS256' }).sign(privateKey)],
      ['ES256 signed by a foreign EC key', await new SignJWT(standard()).setProtectedHeader({ alg: 'ES256' }).sign(ec.privateKey)],
      ['HS256 keyed with a public key (the RS→HS confusion)', await new SignJWT(standard()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(String(publicPem)))],
      ['header says RS256, HMAC-signed with our secret', await (async () => {
        const good = (await signed(standard())).split('.');
        return `${b64({ alg: 'RS256', typ: 'JWT' })}.${good[1]}.${good[2]}`;
      })()],
      ['an embedded jwk header', await new SignJWT(standard()).setProtectedHeader({ alg: 'RS256', jwk: publicKey.export({ format: 'jwk' }) }).sign(privateKey)],
    ];
    for (const [label, token] of cases) expect(await outcome(token), label).toBe('TOKEN_INVALID');
  });

  it('refuses a tampered payload, a wrong issuer, missing claims, and dates outside the validity window', async () => {
    const [header, , signature] = (await service.issueAccessToken(claims)).split('.');
    expect(await outcome(`${header}.${b64(standard({ sub: 'admin-id', username: 'admin' }))}.${signature}`), 'tampered').toBe('TOKEN_INVALID');
    expect(await outcome(await signed(standard({ iss: 'someone-else' }))), 'issuer').toBe('TOKEN_INVALID');
    expect(await outcome(await signed(standard({ iss: undefined }))), 'no issuer').toBe('TOKEN_INVALID');
    expect(await outcome(await signed(standard({ sub: undefined }))), 'no subject').toBe('TOKEN_INVALID');
    expect(await outcome(await signed(standard({ username: 42 }))), 'username not a string').toBe('TOKEN_INVALID');
    expect(await outcome(await signed(standard({ iat: undefined }))), 'no iat').toBe('TOKEN_INVALID');
    expect(await outcome(await signed(standard({ exp: undefined }))), 'no expiry: it would never expire').toBe('TOKEN_INVALID');
    expect(await outcome(await signed(standard({ exp: nowSeconds - 60 }))), 'expired').toBe('TOKEN_EXPIRED');
    expect(await outcome(await signed(standard({ nbf: nowSeconds + 60 }))), 'not yet valid').toBe('TOKEN_INVALID');
    expect(await outcome(await signed(standard({ iat: nowSeconds + 60 }))), 'issued in the future').toBe('TOKEN_INVALID');
    expect(await outcome(await signed(standard({ exp: 'never' }))), 'exp not a number').toBe('TOKEN_INVALID');
    // Within the 5 s clock tolerance, a token from a server whose clock runs a little ahead is fine.
    expect(await outcome(await signed(standard({ iat: nowSeconds + 3, nbf: nowSeconds + 3 })))).toBe('ACCEPTED');
  });

  it('refuses garbage of any kind with TOKEN_INVALID (TOKEN_MISSING when empty), never another error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'binary' }).map((s) => `${s}.${s}.${s}`),
          fc.tuple(fc.json(), fc.json(), fc.base64String()).map(([h, p, s]) => `${base64url.encode(h)}.${base64url.encode(p)}.${s}`),
        ),
        async (token) => {
          expect(await outcome(token)).toBe(token === '' ? 'TOKEN_MISSING' : 'TOKEN_INVALID');
        },
      ),
      { numRuns: 300, seed: 9 },
    );
  });

  it('a token changed anywhere is refused, or still says exactly the same (base64 padding bits)', async () => {
    const token = await service.issueAccessToken(claims);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.='), async (at, char) => {
        const changed = token.slice(0, at) + char + token.slice(at + 1);
        fc.pre(changed !== token);
        const result = await service.verifyAccessToken(changed).catch((e: unknown) => e);
        if (result instanceof NationPulseError) expect(result.code).toBe('TOKEN_INVALID');
        else expect(result).toEqual(claims);
      }),
      { numRuns: 300, seed: 9 },
    );
  });
});

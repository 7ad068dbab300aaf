import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * Refresh tokens are opaque: `<familyId>.<256 random bits>`. The family id in clear lets the
 * store find the family (and keep its keys together) without a lookup; the random part is what
 * makes the token unguessable. Only its SHA-256 is stored.
 */
export interface PresentedRefreshToken {
  readonly familyId: string;
  readonly tokenHash: string;
}

const FORMAT = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export const mintRefreshToken = (familyId: string = randomUUID()): { token: string; familyId: string; tokenHash: string } => {
  const token = `${familyId}.${randomBytes(32).toString('base64url')}`;
  return { token, familyId, tokenHash: hashToken(token) };
};

/** The token's family and hash, or null when it is not shaped like one of ours. */
export const parseRefreshToken = (token: string): PresentedRefreshToken | null => {
  const match = FORMAT.exec(token);
  return match ? { familyId: match[1]!, tokenHash: hashToken(token) } : null;
};

import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefreshTokenStore } from '../refresh-token-store.ts';

export interface RefreshTokenStoreFactory {
  /** A store to test against; it may be shared with other runs (every family and token here is random). */
  create(): Promise<RefreshTokenStore>;
  /** Another client of the same store (another gateway instance), if the backend has one. */
  reopen?(): Promise<RefreshTokenStore>;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const HOUR = 3_600_000;

/** The behaviour every RefreshTokenStore adapter must show: rotation, reuse detection, revocation, expiry. */
export function testRefreshTokenStore(name: string, factory: RefreshTokenStoreFactory): void {
  describe(`RefreshTokenStore contract: ${name}`, () => {
    let store: RefreshTokenStore;
    beforeAll(async () => {
      store = await factory.create();
    });
    afterAll(async () => {
      await store?.close();
    });

    /** A new family signed in now, with its first token. */
    const signIn = async (userId = `u-${randomUUID()}`) => {
      const familyId = randomUUID();
      const first = { tokenHash: hashOf(randomUUID()), familyId };
      await store.issue({ ...first, userId, expiresAt: Date.now() + HOUR });
      return { userId, familyId, first };
    };
    const successor = () => ({ tokenHash: hashOf(randomUUID()), expiresAt: Date.now() + HOUR });

    it('rotates the current token into its successor, again and again', async () => {
      const { userId, familyId, first } = await signIn();
      const second = successor();
      expect(await store.rotate(first, second, Date.now())).toEqual({ outcome: 'rotated', userId, familyId });
      const third = successor();
      expect(await store.rotate({ tokenHash: second.tokenHash, familyId }, third, Date.now())).toEqual({ outcome: 'rotated', userId, familyId });
    });

    it('treats a spent token presented again as a reuse and revokes the whole family', async () => {
      const { userId, familyId, first } = await signIn();
      const second = successor();
      await store.rotate(first, second, Date.now());
      expect(await store.rotate(first, successor(), Date.now())).toEqual({ outcome: 'reused', userId, familyId });
      // The legitimate holder's newer token is revoked with its family…
      expect(await store.rotate({ tokenHash: second.tokenHash, familyId }, successor(), Date.now())).toEqual({ outcome: 'revoked' });
      // …and so is the replayed one from now on.
      expect(await store.rotate(first, successor(), Date.now())).toEqual({ outcome: 'revoked' });
    });

    it('lets exactly one of concurrent rotations of a token win; the others are reuses', async () => {
      const { first } = await signIn();
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => store.rotate(first, successor(), Date.now())));
      expect(outcomes.filter((o) => o.outcome === 'rotated')).toHaveLength(1);
      // The first loser detects the reuse and revokes the family; later ones find it revoked.
      expect(outcomes.filter((o) => o.outcome === 'reused').length).toBeGreaterThanOrEqual(1);
      expect(outcomes.filter((o) => o.outcome !== 'rotated').every((o) => o.outcome === 'reused' || o.outcome === 'revoked')).toBe(true);
      expect(await store.rotate(first, successor(), Date.now())).toEqual({ outcome: 'revoked' });
    });

    it('refuses unknown tokens and tokens presented with another family', async () => {
      const { first } = await signIn();
      expect(await store.rotate({ tokenHash: hashOf(randomUUID()), familyId: first.familyId }, successor(), Date.now())).toEqual({ outcome: 'unknown' });
      expect(await store.rotate({ tokenHash: first.tokenHash, familyId: randomUUID() }, successor(), Date.now())).toEqual({ outcome: 'unknown' });
      // The failed attempts did not spend the real token.
      expect(await store.rotate(first, successor(), Date.now())).toMatchObject({ outcome: 'rotated' });
    });

    it('refuses an expired token without spending or revoking anything', async () => {
      const familyId = randomUUID();
      const token = { tokenHash: hashOf(randomUUID()), familyId };
      const expiresAt = Date.now() + HOUR;
      await store.issue({ ...token, userId: 'u-expiring', expiresAt });
      expect(await store.rotate(token, successor(), expiresAt)).toEqual({ outcome: 'expired' });
      expect(await store.rotate(token, successor(), expiresAt - 1)).toMatchObject({ outcome: 'rotated' });
    });

    it('revokes a family on sign-out, idempotently, and leaves other families alone', async () => {
      const a = await signIn('u-same');
      const b = await signIn('u-same');
      expect(await store.revokeFamily(a.first)).toBe(true);
      expect(await store.revokeFamily(a.first)).toBe(true);
      expect(await store.rotate(a.first, successor(), Date.now())).toEqual({ outcome: 'revoked' });
      expect(await store.rotate(b.first, successor(), Date.now())).toMatchObject({ outcome: 'rotated' });
      expect(await store.revokeFamily({ tokenHash: hashOf(randomUUID()), familyId: a.familyId })).toBe(false);
    });

    it('revokes the family from a spent token too (sign-out with an older token)', async () => {
      const { familyId, first } = await signIn();
      const second = successor();
      await store.rotate(first, second, Date.now());
      expect(await store.revokeFamily(first)).toBe(true);
      expect(await store.rotate({ tokenHash: second.tokenHash, familyId }, successor(), Date.now())).toEqual({ outcome: 'revoked' });
    });

    it.runIf(factory.reopen !== undefined)('shares state between clients (gateway instances)', async () => {
      const other = await factory.reopen!();
      try {
        const { userId, familyId, first } = await signIn();
        const second = successor();
        expect(await other.rotate(first, second, Date.now())).toEqual({ outcome: 'rotated', userId, familyId });
        expect(await store.rotate(first, successor(), Date.now())).toEqual({ outcome: 'reused', userId, familyId });
        expect(await other.rotate({ tokenHash: second.tokenHash, familyId }, successor(), Date.now())).toEqual({ outcome: 'revoked' });
      } finally {
        await other.close();
      }
    });
  });
}

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetLock } from '../scheduling.ts';

export interface DatasetLockFactory {
  /** A lock to test against; it may be shared with other runs (every test uses a fresh key). */
  create(): Promise<DatasetLock>;
  /** Another client of the same lock (another worker's view), if the backend has one. */
  reopen?(): Promise<DatasetLock>;
}

/**
 * The behaviour every DatasetLock adapter must show, with real time and short TTLs. Run it from
 * each adapter's test file.
 */
export function testDatasetLock(name: string, factory: DatasetLockFactory): void {
  describe(`DatasetLock contract: ${name}`, () => {
    let lock: DatasetLock;
    let other: DatasetLock;
    const run = randomUUID().slice(0, 8);
    const key = (label: string) => `lock_${run}:${label}:${randomUUID().slice(0, 8)}`;

    beforeAll(async () => {
      lock = await factory.create();
      other = factory.reopen ? await factory.reopen() : lock;
    });
    afterAll(async () => {
      await lock.close();
      if (other !== lock) await other.close();
    });

    it('grants a free key, refuses it to anyone else while held, and frees it on release', async () => {
      const k = key('basic');
      expect(await lock.isHeld(k)).toBe(false);
      const lease = await lock.acquire(k, 10_000);
      expect(lease).toMatchObject({ key: k });
      expect(lease!.token.length).toBeGreaterThan(0);
      expect(await lock.isHeld(k)).toBe(true);
      expect(await other.acquire(k, 10_000)).toBeNull();
      expect(await lock.acquire(k, 10_000)).toBeNull();
      expect(await lock.release(lease!)).toBe(true);
      expect(await other.isHeld(k)).toBe(false);
      const next = await other.acquire(k, 10_000);
      expect(next).not.toBeNull();
      expect(next!.token).not.toBe(lease!.token);
      await other.release(next!);
    });

    it('lets only the holder release or renew: a stale token changes nothing', async () => {
      const k = key('holder');
      const lease = await lock.acquire(k, 10_000);
      const impostor = { key: k, token: randomUUID() };
      expect(await other.release(impostor)).toBe(false);
      expect(await other.renew(impostor, 10_000)).toBe(false);
      expect(await other.isHeld(k)).toBe(true);
      expect(await lock.release(lease!)).toBe(true);
      expect(await lock.release(lease!)).toBe(false);
      expect(await lock.renew(lease!, 10_000)).toBe(false);
      expect(await lock.isHeld(k)).toBe(false);
    });

    it("expires a crashed holder's lease after its TTL, and the late holder can no longer release the new one", async () => {
      const k = key('expiry');
      const crashed = await lock.acquire(k, 200);
      expect(crashed).not.toBeNull();
      expect(await other.acquire(k, 10_000)).toBeNull();
      await sleep(350);
      expect(await other.isHeld(k)).toBe(false);
      const taken = await other.acquire(k, 10_000);
      expect(taken).not.toBeNull();
      expect(await lock.release(crashed!)).toBe(false);
      expect(await lock.renew(crashed!, 10_000)).toBe(false);
      expect(await other.isHeld(k)).toBe(true);
      await other.release(taken!);
    });

    it('keeps a renewed lease past its first TTL (heartbeat)', async () => {
      const k = key('renew');
      const lease = await lock.acquire(k, 300);
      for (let i = 0; i < 3; i++) {
        await sleep(150);
        expect(await lock.renew(lease!, 300)).toBe(true);
      }
      expect(await other.acquire(k, 10_000)).toBeNull();
      await lock.release(lease!);
    });

    it('grants a contended key to exactly one of many concurrent acquirers', async () => {
      const k = key('race');
      const leases = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : lock).acquire(k, 10_000)));
      const winners = leases.filter((l) => l !== null);
      expect(winners).toHaveLength(1);
      await (leases.indexOf(winners[0]!) % 2 ? other : lock).release(winners[0]!);
    });

    it('keeps keys independent', async () => {
      const [a, b] = [key('a'), key('b')];
      const la = await lock.acquire(a, 10_000);
      const lb = await other.acquire(b, 10_000);
      expect(la).not.toBeNull();
      expect(lb).not.toBeNull();
      await lock.release(la!);
      await other.release(lb!);
    });
  });
}

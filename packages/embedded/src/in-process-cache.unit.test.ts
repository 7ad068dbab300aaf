import { testCache } from '@nationpulse/ports/testing';
import { describe, expect, it } from 'vitest';
import { compareMembers, createInProcessCache } from './in-process-cache.ts';

testCache('in-process', { create: async () => createInProcessCache() });

describe('in-process cache specifics', () => {
  it('expires responses by the injected clock, to the millisecond', async () => {
    let now = 1_000;
    const cache = createInProcessCache({ clock: () => now });
    await cache.responses.set('k', 'v', 100);
    now = 1_099;
    expect(await cache.responses.get('k')).toBe('v');
    now = 1_100;
    expect(await cache.responses.get('k')).toBeNull();
    await cache.close();
  });

  it('sweeps expired responses without a read, on an unref’d timer', async () => {
    let now = 0;
    const cache = createInProcessCache({ clock: () => now, sweepIntervalMs: 10 });
    await cache.responses.set('a', 'v', 5);
    await cache.responses.set('b', 'v', 60_000);
    now = 10;
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Only the live key is left to delete: the expired one is gone already.
    expect(await cache.responses.deleteByPrefix('')).toBe(1);
    await cache.close();
  });

  it('drops expired responses under any prefix while invalidating a prefix, counting only live keys it deleted', async () => {
    let now = 0;
    const cache = createInProcessCache({ clock: () => now, sweepIntervalMs: 0 });
    await cache.responses.set('series:a', 'v', 5);
    await cache.responses.set('series:b', 'v', 60_000);
    await cache.responses.set('rankings:a', 'v', 5);
    await cache.responses.set('rankings:b', 'v', 60_000);
    now = 10;
    expect(cache.heldResponses()).toBe(4);

    expect(await cache.responses.deleteByPrefix('series:')).toBe(1);
    // Only the live response of the other prefix is left; it is still served.
    expect(cache.heldResponses()).toBe(1);
    expect(await cache.responses.get('rankings:b')).toBe('v');
    await cache.close();
  });

  it('compares members by code point (UTF-8 byte order), like Redis', () => {
    const sorted = ['😀', 'ｚ', 'é', 'b', 'a', 'B', '', 'ab', '\uffff', '\ue000', '𝒳'].sort(compareMembers);
    const byBytes = [...sorted].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(sorted).toEqual(byBytes);
    expect(compareMembers('a', 'a')).toBe(0);
  });

  it('keeps a board sorted through many single upserts and removals', async () => {
    const cache = createInProcessCache();
    const reference = new Map<string, number>();
    for (let i = 0; i < 2_000; i++) {
      const member = `m${(i * 7919) % 613}`;
      if (i % 5 === 0) {
        await cache.rankings.remove('b', [member]);
        reference.delete(member);
      } else {
        const score = (i * 31) % 17;
        await cache.rankings.upsert('b', [{ member, score }]);
        reference.set(member, score);
      }
    }
    const expected = [...reference]
      .map(([member, score]) => ({ member, score }))
      .sort((a, b) => a.score - b.score || compareMembers(a.member, b.member));
    expect(await cache.rankings.range('b', { order: 'asc', limit: 10_000 })).toEqual(expected);
    await cache.close();
  });
});

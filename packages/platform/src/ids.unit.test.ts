import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deterministicId, newId } from './ids.ts';

describe('ids', () => {
  it('creates version-7 UUIDs that sort by creation time', () => {
    const ids = [newId(1_700_000_000_000), newId(1_700_000_000_001), newId(1_800_000_000_000)];
    for (const id of ids) {
      expect(z.uuid().safeParse(id).success).toBe(true);
      expect(id[14]).toBe('7');
      expect(['8', '9', 'a', 'b']).toContain(id[19]);
    }
    expect([...ids].sort()).toEqual(ids);
    expect(newId(1_700_000_000_000)).not.toBe(newId(1_700_000_000_000));
    expect(newId(0x0123_4567_89ab).startsWith('01234567-89ab-7')).toBe(true);
  });

  it('derives the same version-5 UUID from the same name, and different ones from different names', () => {
    expect(deterministicId('a')).toBe(deterministicId('a'));
    expect(deterministicId('a')).not.toBe(deterministicId('b'));
    expect(deterministicId('a')[14]).toBe('5');
    expect(z.uuid().safeParse(deterministicId('a')).success).toBe(true);
  });
});

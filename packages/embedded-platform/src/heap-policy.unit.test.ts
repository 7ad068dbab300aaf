import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { applyEmbeddedHeapPolicy } from './heap-policy.ts';

const churn = async (mode: 'policy' | 'default'): Promise<number> => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'testing', 'heap-churn.ts'), mode]);
  return (JSON.parse(stdout.trim()) as { maxHeapTotalMb: number }).maxHeapTotalMb;
};

describe('embedded heap policy', () => {
  it('keeps the heap near what is alive while promoted garbage streams through (V8 alone lets it grow ~1.8× larger)', async () => {
    // ~30 MB kept plus a window of ~25 MB: V8's default reached ~204 MB heapTotal here, the policy 108–113 MB.
    expect(await churn('policy')).toBeLessThan(150);
  }, 60_000);

  it('refuses a percentage V8 would not take', () => {
    expect(() => applyEmbeddedHeapPolicy(0)).toThrow(RangeError);
    expect(() => applyEmbeddedHeapPolicy(1.5)).toThrow(RangeError);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeMappings, longTasks, type CpuProfile } from './stall-profile.ts';

const frame = (functionName: string, url = 'file:///repo/projectors/src/runner/projection-runner.ts') => ({ functionName, url, lineNumber: 0, columnNumber: 0 });

// (root) → idle | commit → run ; (root) → answer (another entry)
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', ''), children: [2, 3, 5] },
    { id: 2, callFrame: frame('(idle)', '') },
    { id: 3, callFrame: frame('commit'), children: [4] },
    { id: 4, callFrame: frame('run', 'file:///repo/node_modules/better-sqlite3/lib/methods/wrappers.js') },
    { id: 5, callFrame: frame('answer', 'file:///repo/gateway/src/routing/micro-cache.ts') },
  ],
  startTime: 0,
  endTime: 100_000,
  // idle, 40 ms of commit (1 ms samples), then 20 ms of answer, idle
  samples: [2, ...Array<number>(40).fill(4), ...Array<number>(20).fill(5), 2],
  timeDeltas: [0, ...Array<number>(60).fill(1000), 1000],
};

describe('longTasks', () => {
  it('cuts runs of busy samples at idle samples, and at each new entry frame with split', () => {
    expect(longTasks(profile, 30).map((t) => [t.samples, t.ms])).toEqual([[60, 59]]);
    const split = longTasks(profile, 10, { split: true });
    expect(split.map((t) => t.samples)).toEqual([40, 20]);
    expect(split[0]!.frames[0]).toEqual({ frame: 'commit projectors/src/runner/projection-runner.ts:1', share: 1 });
    expect(split[0]!.self[0]!.frame).toBe('run better-sqlite3/lib/methods/wrappers.js:1');
    expect(longTasks(profile, 30, { split: true })).toHaveLength(1);
  });
});

describe('decodeMappings', () => {
  it('maps a generated column to its source line', () => {
    // Segments [0,0,0,0], [10,0,2,0], [5,0,3,0]: columns 0, 10, 15 of line 0 → source lines 0, 2, 5 (0-based).
    const lineOf = decodeMappings('AAAA,UAEA,KAGA');
    expect([lineOf(0, 0), lineOf(0, 9), lineOf(0, 12), lineOf(0, 99)]).toEqual([1, 1, 3, 6]);
    expect(lineOf(1, 0)).toBeUndefined();
  });
});

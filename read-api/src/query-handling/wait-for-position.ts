import type { Position, ReadStore } from '@nationpulse/ports';

/**
 * Waits until the named checkpoint reaches `position` or `timeoutMs` passes, and answers the last
 * checkpoint it saw (null when the projection has none yet). Pluggable: polling by default; a
 * projector running in the same process can notify instead.
 */
export type WaitForPosition = (checkpoint: string, position: Position, timeoutMs: number) => Promise<Position | null>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `readStore.checkpoint(name)` every `intervalMs` (default 25 ms). */
export const pollingWaitForPosition =
  (readStore: ReadStore, options: { intervalMs?: number } = {}): WaitForPosition =>
  async (checkpoint, position, timeoutMs) => {
    const intervalMs = Math.max(1, options.intervalMs ?? 25);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await readStore.checkpoint(checkpoint);
      if (current !== null && current >= position) return current;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return current;
      await sleep(Math.min(intervalMs, remaining));
    }
  };

import type { CliContext } from './context.ts';
import { CliError } from './errors.ts';

/**
 * Calls `step` every `intervalMs` until it returns a result. Ctrl-C ends the wait with an
 * INTERRUPTED error saying `onInterrupt` (what goes on without us, how to look at it later).
 */
export const pollUntil = async <T>(ctx: CliContext, intervalMs: number, onInterrupt: string, step: () => Promise<T | undefined>): Promise<T> => {
  for (;;) {
    const result = await step();
    if (result !== undefined) return result;
    await ctx.sleep(intervalMs, ctx.signal);
    if (ctx.signal.aborted) throw new CliError('INTERRUPTED', `Interrupted; ${onInterrupt}`);
  }
};

import cliProgress from 'cli-progress';
import type { CliContext } from '../context.ts';

export interface ProgressBar {
  start(total: number, value: number, payload: Record<string, unknown>): void;
  update(value: number, payload: Record<string, unknown>, total?: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr. On a terminal it redraws in place; otherwise (pipes, CI logs) it
 * prints a line when it starts, every few seconds, and when it stops.
 */
export const createProgressBar = (ctx: CliContext, format: string): ProgressBar => {
  const interactive = ctx.stderr.isTTY === true;
  const bar = new cliProgress.SingleBar(
    { format, hideCursor: interactive, noTTYOutput: !interactive, notTTYSchedule: 5_000, clearOnComplete: !interactive, stream: ctx.stderr, gracefulExit: false },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    start(total, value, payload) {
      bar.start(Math.max(total, 1), value, payload);
      started = true;
    },
    update(value, payload, total) {
      if (!started) return this.start(total ?? value, value, payload);
      if (total !== undefined) bar.setTotal(Math.max(total, 1));
      bar.update(value, payload);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
};

export const formatEta = (seconds: number | null | undefined): string => {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
};

import type { z } from 'zod';
import { ConfigError, parseConfig } from './config.ts';

export interface RunningService {
  /** Stops accepting work, finishes what is in flight, releases what the service opened. */
  close(): Promise<void>;
}

/**
 * The life of a service process: parse its configuration once (a bad value exits with status 2
 * and a message naming the key), start it, and close it cleanly on SIGINT or SIGTERM.
 */
export const runService = async <S extends z.ZodObject>(
  name: string,
  schema: S,
  start: (config: z.infer<S>) => Promise<RunningService>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> => {
  let config: z.infer<S>;
  try {
    config = parseConfig(schema, env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${name}: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const service = await start(config);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`${name}: ${signal} received, shutting down\n`);
    service.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`${name}: shutdown failed: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
};

import { z } from 'zod';
import { ConfigError, parseConfig } from './config.ts';
import { startTracing } from './observability/tracing.ts';

/** Telemetry settings every service process reads, beside its own schema. */
export const telemetryConfigSchema = z.object({
  /** OTLP/HTTP collector base URL (e.g. http://jaeger:4318); tracing is off when unset. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
});

export interface RunningService {
  /** Stops accepting work, finishes what is in flight, releases what the service opened. */
  close(): Promise<void>;
}

/**
 * The life of a service process: parse its configuration once (a bad value exits with status 2
 * and a message naming the key), start tracing when an OTLP endpoint is configured, start the
 * service, and close it (then flush traces) cleanly on SIGINT or SIGTERM.
 */
export const runService = async <S extends z.ZodObject>(
  name: string,
  schema: S,
  start: (config: z.infer<S>) => Promise<RunningService>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> => {
  let config: z.infer<S>;
  let telemetry: z.infer<typeof telemetryConfigSchema>;
  try {
    config = parseConfig(schema, env);
    telemetry = parseConfig(telemetryConfigSchema, env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${name}: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const tracing = startTracing({ service: name, otlpEndpoint: telemetry.OTEL_EXPORTER_OTLP_ENDPOINT });
  const service = await start(config);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`${name}: ${signal} received, shutting down\n`);
    service
      .close()
      .then(() => tracing.shutdown())
      .then(
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

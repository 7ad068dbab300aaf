import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly issues: readonly { key: string; message: string }[]) {
    super(`Invalid configuration: ${issues.map((i) => `${i.key}: ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses a service's configuration once, at start-up. Schemas are keyed by the environment
 * variable itself, so every error names the key to fix; every key has a default.
 */
export const parseConfig = <S extends z.ZodObject>(schema: S, env: Readonly<Record<string, string | undefined>> = process.env): z.infer<S> => {
  const known = Object.fromEntries(Object.keys(schema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = schema.safeParse(known);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ key: i.path.join('.') || '(config)', message: i.message })));
  }
  return parsed.data;
};

/** Reusable config fields. */
export const configFields = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  durationMs: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
};

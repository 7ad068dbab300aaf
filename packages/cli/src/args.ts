import { parseArgs } from 'node:util';
import { countryCode, indicatorCode } from '@nationpulse/domain';
import { z } from 'zod';
import { DEFAULT_URL, type CliContext } from './context.ts';
import { UsageError } from './errors.ts';

/** Options every command accepts. */
export const globalOptions = {
  url: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const globalOptionsHelp = `Global options:
  --url URL        the gateway (default $NATIONPULSE_URL or ${DEFAULT_URL})
  --timeout MS     per-request timeout in milliseconds (default 10000)
  --json           print the API's JSON instead of tables
  -h, --help       this help`;

type OptionsConfig = NonNullable<Parameters<typeof parseArgs>[0]>['options'] & object;
type CommandArgsConfig<O extends OptionsConfig> = { args: string[]; strict: true; allowPositionals: true; options: typeof globalOptions & O };

/**
 * A command's arguments: its own options plus the global ones, checked strictly; positionals are
 * the command's to check. Any parse failure becomes a usage error (exit 64).
 */
export const parseCommandArgs = <O extends OptionsConfig>(args: readonly string[], options: O, usage: string): ReturnType<typeof parseArgs<CommandArgsConfig<O>>> => {
  const config: CommandArgsConfig<O> = { args: [...args], strict: true, allowPositionals: true, options: { ...globalOptions, ...options } };
  try {
    return parseArgs(config);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e), usage);
  }
};

/** The connection settings shared by every remote command. */
export interface Connection {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly json: boolean;
}

const urlSchema = z.url({ protocol: /^https?$/ });

export const connectionOf = (values: { url?: string | undefined; timeout?: string | undefined; json?: boolean | undefined }, ctx: CliContext, usage: string): Connection => {
  const raw = values.url ?? ctx.env['NATIONPULSE_URL'] ?? DEFAULT_URL;
  const url = urlSchema.safeParse(raw);
  if (!url.success) throw new UsageError(`--url: expected an http(s) URL, got "${raw}"`, usage);
  return {
    baseUrl: url.data.replace(/\/+$/, ''),
    timeoutMs: values.timeout === undefined ? 10_000 : intArg('--timeout', values.timeout, usage, { min: 1, max: 3_600_000 }),
    json: values.json === true,
  };
};

export const intArg = (name: string, raw: string, usage: string, range: { min: number; max: number }): number => {
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw) || n < range.min || n > range.max) throw new UsageError(`${name}: expected an integer from ${range.min} to ${range.max}, got "${raw}"`, usage);
  return n;
};

const checked = (schema: z.ZodType<string>, name: string, raw: string, usage: string): string => {
  const result = schema.safeParse(raw.toUpperCase());
  if (!result.success) throw new UsageError(`${name}: ${result.error.issues[0]?.message ?? 'invalid'} (got "${raw}")`, usage);
  return result.data;
};

export const countryArg = (name: string, raw: string, usage: string): string => checked(countryCode, name, raw, usage);
export const indicatorArg = (name: string, raw: string, usage: string): string => checked(indicatorCode, name, raw, usage);

const instant = z.iso.datetime({ offset: true });
export const instantArg = (name: string, raw: string, usage: string): string => {
  if (!instant.safeParse(raw).success) throw new UsageError(`${name}: expected an ISO-8601 instant such as 2024-05-01T12:00:00Z, got "${raw}"`, usage);
  return raw;
};

/** Exactly `count` positionals, named in the message when missing. */
export const positionalsOf = (positionals: readonly string[], names: readonly string[], usage: string): string[] => {
  if (positionals.length < names.length) throw new UsageError(`missing ${names.slice(positionals.length).join(' ')}`, usage);
  if (positionals.length > names.length) throw new UsageError(`unexpected argument "${positionals[names.length]}"`, usage);
  return [...positionals];
};

/** Process exit codes of `nationpulse` (sysexits.h where one fits). */
export const exitCodes = {
  ok: 0,
  /** An API error, a failed run, a dependency down, a timeout. */
  failure: 1,
  /** Bad arguments (EX_USAGE). */
  usage: 64,
  /** The platform could not be reached at all (EX_UNAVAILABLE). */
  unavailable: 69,
} as const;

/**
 * A failure the CLI reports as `{code}: {message}` on stderr. API errors keep the API's stable
 * code (`RUN_NOT_FOUND`, `TOKEN_EXPIRED`, …); the CLI's own use its own codes (`UNREACHABLE`,
 * `TIMEOUT`, `CHECKSUM_MISMATCH`, …).
 */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: number;
  /** The HTTP status when the error came from the API. */
  readonly status: number | undefined;
  readonly details: unknown;

  constructor(code: string, message: string, options: { exitCode?: number; status?: number; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.exitCode = options.exitCode ?? exitCodes.failure;
    this.status = options.status;
    this.details = options.details;
  }
}

/** Bad arguments: printed with the command's usage, exit 64. */
export class UsageError extends Error {
  readonly usage: string;

  constructor(message: string, usage: string) {
    super(message);
    this.name = 'UsageError';
    this.usage = usage;
  }
}

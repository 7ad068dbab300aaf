/**
 * The one error vocabulary of NationPulse. `kind` decides the transport status (HTTP, gRPC);
 * `code` is the stable string clients match on. Adapters translate driver errors into these.
 */
export type ErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export class NationPulseError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details: unknown;

  constructor(kind: ErrorKind, code: string, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NationPulseError';
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
}

export const validationError = (message: string, details?: unknown): NationPulseError =>
  new NationPulseError('validation', 'VALIDATION_FAILED', message, details);

export const notFound = (code: string, message: string, details?: unknown): NationPulseError =>
  new NationPulseError('not_found', code, message, details);

export const conflict = (code: string, message: string, details?: unknown): NationPulseError =>
  new NationPulseError('conflict', code, message, details);

export const forbidden = (code: string, message: string, details?: unknown): NationPulseError =>
  new NationPulseError('forbidden', code, message, details);

export const isNationPulseError = (e: unknown): e is NationPulseError => e instanceof NationPulseError;

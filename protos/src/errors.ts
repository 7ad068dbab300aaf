import * as grpc from '@grpc/grpc-js';
import { NationPulseError, type ErrorKind } from '@nationpulse/domain';
import { errorKindOfGrpcStatus, grpcStatusOf } from '@nationpulse/platform';

/** Trailing metadata carrying the stable NationPulse error code and its details (JSON). */
export const ERROR_CODE_KEY = 'error-code';
export const ERROR_DETAILS_KEY = 'error-details';

/** Metadata values travel in HTTP/2 headers (8 KiB by default): larger details are trimmed or left out. */
const MAX_DETAILS_CHARS = 4_096;

/** JSON restricted to printable ASCII (what a non-binary metadata value allows), still valid JSON. */
const asciiJson = (value: unknown): string | undefined =>
  JSON.stringify(value)?.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const encodeDetails = (details: unknown): string | undefined => {
  if (details === undefined) return undefined;
  let json: string | undefined;
  try {
    json = asciiJson(details);
    // A list (e.g. validation issues) keeps as many leading items as fit.
    if (json !== undefined && json.length > MAX_DETAILS_CHARS && Array.isArray(details)) {
      let n = details.length;
      while (n > 0 && json !== undefined && json.length > MAX_DETAILS_CHARS) json = asciiJson(details.slice(0, --n));
    }
  } catch {
    return undefined; // not serialisable (a cycle, a BigInt): the code and message still go through
  }
  return json !== undefined && json.length <= MAX_DETAILS_CHARS ? json : undefined;
};

const INTERNAL_MESSAGE = 'An unexpected error occurred';

/**
 * A failure as a grpc-js ServiceError (for a handler's callback or `call.destroy`): the status
 * mapped from the error kind, the message as status details, and `error-code` / `error-details`
 * in the trailing metadata. Anything but a NationPulseError is INTERNAL with a generic message,
 * so internals do not leak (log the original).
 */
export const grpcErrorFrom = (error: unknown): grpc.ServiceError => {
  const known = error instanceof NationPulseError;
  const code = known ? grpcStatusOf[error.kind] : grpc.status.INTERNAL;
  const message = known ? error.message : INTERNAL_MESSAGE;
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_CODE_KEY, known ? error.code : 'INTERNAL');
  const details = known ? encodeDetails(error.details) : undefined;
  if (details !== undefined) metadata.set(ERROR_DETAILS_KEY, details);
  return Object.assign(new Error(message), { name: 'ServiceError', code, details: message, metadata });
};

/** Statuses the platform never sends but a peer or the channel may: the closest kind. */
const extraKinds: Partial<Record<grpc.status, ErrorKind>> = {
  [grpc.status.DEADLINE_EXCEEDED]: 'unavailable',
  [grpc.status.ALREADY_EXISTS]: 'conflict',
  [grpc.status.FAILED_PRECONDITION]: 'conflict',
  [grpc.status.OUT_OF_RANGE]: 'validation',
};

const firstString = (metadata: grpc.Metadata | undefined, key: string): string | undefined => {
  const value = metadata?.get(key)[0];
  return typeof value === 'string' ? value : undefined;
};

/**
 * The client side of grpcErrorFrom: a failed call's ServiceError back into a NationPulseError
 * with the same kind, code, message and details. A status from elsewhere (the channel, a proxy)
 * keeps the status name as its code, e.g. UNAVAILABLE or DEADLINE_EXCEEDED.
 */
export const nationPulseErrorFrom = (error: unknown): NationPulseError => {
  if (error instanceof NationPulseError) return error;
  const status = error !== null && typeof error === 'object' && 'code' in error && typeof error.code === 'number' ? (error.code as grpc.status) : grpc.status.UNKNOWN;
  const metadata = error !== null && typeof error === 'object' && 'metadata' in error && error.metadata instanceof grpc.Metadata ? error.metadata : undefined;
  const message =
    error !== null && typeof error === 'object' && 'details' in error && typeof error.details === 'string'
      ? error.details
      : error instanceof Error
        ? error.message
        : String(error);
  const kind = extraKinds[status] ?? errorKindOfGrpcStatus(status);
  const code = firstString(metadata, ERROR_CODE_KEY) ?? grpc.status[status] ?? 'UNKNOWN';
  const rawDetails = firstString(metadata, ERROR_DETAILS_KEY);
  let details: unknown;
  if (rawDetails !== undefined) {
    try {
      details = JSON.parse(rawDetails);
    } catch {
      details = rawDetails;
    }
  }
  return new NationPulseError(kind, code, message, details, { cause: error });
};

import type { ErrorKind } from '@nationpulse/domain';

export const httpStatusOf: Readonly<Record<ErrorKind, number>> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** gRPC status codes (numeric, as in grpc-js' `status` enum). */
export const grpcStatusOf: Readonly<Record<ErrorKind, number>> = {
  validation: 3, // INVALID_ARGUMENT
  unauthenticated: 16, // UNAUTHENTICATED
  forbidden: 7, // PERMISSION_DENIED
  not_found: 5, // NOT_FOUND
  conflict: 10, // ABORTED
  rate_limited: 8, // RESOURCE_EXHAUSTED
  unavailable: 14, // UNAVAILABLE
  internal: 13, // INTERNAL
};

export const errorKindOfGrpcStatus = (code: number): ErrorKind =>
  (Object.entries(grpcStatusOf).find(([, c]) => c === code)?.[0] as ErrorKind | undefined) ?? 'internal';

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

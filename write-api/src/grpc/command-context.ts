import type * as grpc from '@grpc/grpc-js';
import { validationError } from '@nationpulse/domain';
import type { CommandRequestHeaders } from '../command-handling/request-context.ts';

/** One metadata value: absent, or given once as text (a repeated key is refused rather than guessed). */
const single = (metadata: grpc.Metadata, key: string): string | undefined => {
  const values = metadata.get(key);
  if (values.length === 0) return undefined;
  const [value] = values;
  if (values.length > 1 || typeof value !== 'string') {
    throw validationError(`Metadata ${key} must be given once, as text`, [{ path: key, message: 'given once, as text' }]);
  }
  return value;
};

/** The gRPC spelling of the command headers: the same names, lower-case, as request metadata. */
export const commandHeadersFromMetadata = (metadata: grpc.Metadata): CommandRequestHeaders => ({
  authorization: single(metadata, 'authorization'),
  idempotencyKey: single(metadata, 'idempotency-key'),
  ifMatch: single(metadata, 'if-match'),
  correlationId: single(metadata, 'x-correlation-id'),
  traceparent: single(metadata, 'traceparent'),
});

import { randomUUID } from 'node:crypto';
import { validationError } from '@nationpulse/domain';
import { bearerToken } from '@nationpulse/platform';
import type { AccessControl } from './access-control.ts';
import type { CommandContext } from '@nationpulse/event-sourcing';

/**
 * The request attributes every command transport carries, as plain strings: HTTP headers and
 * gRPC metadata use the same names, so both transports build their context here.
 */
export interface CommandRequestHeaders {
  readonly authorization?: string | undefined;
  readonly idempotencyKey?: string | undefined;
  readonly ifMatch?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly traceparent?: string | undefined;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
const IF_MATCH = /^"?\d+"?$/;

/**
 * The CommandContext of one request, built as the HTTP routes build it: If-Match and
 * Idempotency-Key checked (400 / INVALID_ARGUMENT), then the bearer token authenticated
 * (401 / UNAUTHENTICATED); a correlation id over 200 characters is replaced by a fresh one.
 */
export const commandContextFrom = async (
  headers: CommandRequestHeaders,
  access: AccessControl,
  fallbackCorrelationId: () => string = randomUUID,
): Promise<CommandContext> => {
  if (headers.idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(headers.idempotencyKey)) {
    throw validationError('Idempotency-Key must be 1-200 visible ASCII characters', [{ path: 'idempotency-key', message: 'visible ASCII only, 1-200 characters' }]);
  }
  let expectedRevision: number | null = null;
  if (headers.ifMatch !== undefined) {
    expectedRevision = IF_MATCH.test(headers.ifMatch) ? Number(headers.ifMatch.replaceAll('"', '')) : Number.NaN;
    if (!Number.isSafeInteger(expectedRevision)) {
      throw validationError('If-Match must be a stream revision', [{ path: 'if-match', message: 'a stream revision, e.g. "3"' }]);
    }
  }
  const correlation = headers.correlationId;
  return {
    actor: await access.authenticate(bearerToken(headers.authorization)),
    idempotencyKey: headers.idempotencyKey ?? null,
    expectedRevision,
    correlationId: correlation !== undefined && correlation.length > 0 && correlation.length <= 200 ? correlation : fallbackCorrelationId(),
    causationId: null,
    traceparent: headers.traceparent ?? null,
  };
};


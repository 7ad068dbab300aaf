import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { nastyNumber, nastyString } from '@nationpulse/platform/testing/hostile-input';
import { ERROR_CODE_KEY } from '../errors.ts';

/** How a unary call ended: the gRPC status (0 for OK) and the `error-code` trailer. */
export interface CallOutcome {
  readonly status: grpc.status;
  readonly code: string | undefined;
  readonly message: string;
}

/** A unary call with the request as raw bytes (any bytes: not necessarily a valid message), answered within the deadline. */
export const rawUnary = (client: grpc.Client, path: string, request: Buffer, metadata: grpc.Metadata, timeoutMs = 5_000): Promise<CallOutcome> =>
  new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => bytes,
      request,
      metadata,
      { deadline: Date.now() + timeoutMs },
      (error) => {
        if (!error) return resolve({ status: grpc.status.OK, code: undefined, message: '' });
        const code = error.metadata?.get(ERROR_CODE_KEY)[0];
        resolve({ status: error.code, code: typeof code === 'string' ? code : undefined, message: error.details });
      },
    );
  });

/** What bad input may end in: refused as the caller's fault, never INTERNAL, UNKNOWN, UNAVAILABLE or a missed deadline. */
export const CALLER_FAULTS: ReadonlySet<number> = new Set([
  grpc.status.INVALID_ARGUMENT,
  grpc.status.UNAUTHENTICATED,
  grpc.status.PERMISSION_DENIED,
  grpc.status.NOT_FOUND,
  grpc.status.ABORTED,
  grpc.status.ALREADY_EXISTS,
  grpc.status.FAILED_PRECONDITION,
  grpc.status.OUT_OF_RANGE,
  grpc.status.RESOURCE_EXHAUSTED,
]);

/** The sample with each string replaced by a hostile one and each number by an edge value (recursively), enums by any number. */
const hostile = (sample: unknown): fc.Arbitrary<unknown> => {
  if (typeof sample === 'string') return fc.oneof(nastyString, fc.integer());
  if (typeof sample === 'number') return nastyNumber;
  if (Array.isArray(sample)) return fc.array(sample.length > 0 ? hostile(sample[0]) : nastyString, { maxLength: 4 });
  if (sample !== null && typeof sample === 'object') {
    return fc.record(Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, hostile(v)])), { requiredKeys: [] });
  }
  return fc.constant(sample);
};

/** Bytes that serialise a message whose fields are hostile; a value protobuf cannot encode (a string in an int field) falls back to the sample. */
const hostileBytes = (method: grpc.MethodDefinition<unknown, unknown>, sample: object): fc.Arbitrary<Buffer> =>
  hostile(sample).map((message) => {
    try {
      return method.requestSerialize(message);
    } catch {
      return method.requestSerialize(sample);
    }
  });

/** A valid message with bytes flipped, cut or appended: wrong wire types, truncated fields, bad lengths. */
const mutatedBytes = (method: grpc.MethodDefinition<unknown, unknown>, sample: object): fc.Arbitrary<Buffer> => {
  const valid = method.requestSerialize(sample);
  return fc
    .tuple(fc.array(fc.tuple(fc.nat({ max: Math.max(0, valid.length - 1) }), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat({ max: valid.length }), fc.uint8Array({ maxLength: 8 }))
    .map(([flips, cut, tail]) => {
      const bytes = Buffer.from(valid);
      for (const [at, value] of flips) if (bytes.length > 0) bytes[at] = value;
      return Buffer.concat([bytes.subarray(0, cut), Buffer.from(tail)]);
    });
};

/**
 * A call to one of the service's methods with a bad request: random bytes, a valid message
 * mutated on the wire, or a well-formed message whose fields are hostile. `samples` holds one
 * valid request per method name.
 */
export const badGrpcRequest = (definition: grpc.ServiceDefinition, samples: Readonly<Record<string, object>>): fc.Arbitrary<{ readonly name: string; readonly path: string; readonly bytes: Buffer }> =>
  fc.oneof(
    ...Object.entries(samples).map(([name, sample]) => {
      const method = definition[name] as grpc.MethodDefinition<unknown, unknown> | undefined;
      if (!method) throw new Error(`no method ${name}`);
      return fc
        .oneof(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), mutatedBytes(method, sample), hostileBytes(method, sample))
        .map((bytes) => ({ name, path: method.path, bytes }));
    }),
  );

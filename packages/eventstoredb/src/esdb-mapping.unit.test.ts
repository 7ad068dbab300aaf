import {
  ANY,
  AccessDeniedError,
  NO_STREAM,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  DeadlineExceededError,
  WrongExpectedVersionError,
  convertToCommandError,
  type AllStreamResolvedEvent,
  type ResolvedEvent,
} from '@eventstore/db-client';
// The protobuf message the client unpacks from a batch-append error (CommonJS, hence the default import).
import shared from '@eventstore/db-client/generated/shared_pb.js';
import { EventStoreUnavailableError, StreamRevisionConflictError } from '@nationpulse/ports';
import { describe, expect, it } from 'vitest';
import {
  cursorAfter,
  isAfter,
  isStreamMissing,
  isSystemEvent,
  planFilter,
  positionOf,
  readFrom,
  toEsdbExpectedRevision,
  toEsdbRevision,
  toPortPosition,
  toPortRevision,
  translateError,
} from './esdb-mapping.ts';

/** A gRPC ServiceError as @grpc/grpc-js delivers it (status code, details, metadata map). */
const serviceError = (code: number, details: string, metadata: Record<string, string> = {}) =>
  Object.assign(new Error(`${code} ${details}`), { code, details, metadata: { getMap: () => metadata } });

describe('expected revision mapping', () => {
  it('maps the named expectations onto the client constants', () => {
    expect(toEsdbExpectedRevision('any')).toBe(ANY);
    expect(toEsdbExpectedRevision('no_stream')).toBe(NO_STREAM);
    expect(toEsdbExpectedRevision('stream_exists')).toBe(STREAM_EXISTS);
  });

  it('maps a revision to a bigint', () => {
    expect(toEsdbExpectedRevision(0)).toBe(0n);
    expect(toEsdbExpectedRevision(41)).toBe(41n);
    expect(toEsdbExpectedRevision(Number.MAX_SAFE_INTEGER)).toBe(BigInt(Number.MAX_SAFE_INTEGER));
  });

  it('refuses revisions the server would read as another expectation, or cannot be exact', () => {
    for (const bad of [-1, -2, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
      expect(() => toEsdbExpectedRevision(bad)).toThrow(RangeError);
    }
  });
});

describe('position and revision conversion', () => {
  it('converts commit positions and revisions to numbers', () => {
    expect(toPortPosition(123_456n)).toBe(123_456);
    expect(toPortPosition(BigInt(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(toPortRevision(9_999n)).toBe(9_999);
    expect(toEsdbRevision(7)).toBe(7n);
  });

  it('throws rather than round an unsafe number', () => {
    expect(() => toPortPosition(BigInt(Number.MAX_SAFE_INTEGER) + 1n)).toThrow(RangeError);
    expect(() => toPortPosition(2n ** 64n - 1n)).toThrow(RangeError);
    expect(() => toPortRevision(-1n)).toThrow(RangeError);
    expect(() => toEsdbRevision(-1)).toThrow(RangeError);
    expect(() => toEsdbRevision(2 ** 53)).toThrow(RangeError);
  });

  it('resumes after a port position at {commit: P, prepare: P}, and from the start for 0 or nothing', () => {
    expect(cursorAfter(undefined)).toBeNull();
    expect(cursorAfter(4_096)).toEqual({ commit: 4_096n, prepare: 4_096n });
    expect(readFrom(null)).toBe('start');
    expect(readFrom(cursorAfter(0))).toBe('start');
    expect(readFrom(cursorAfter(4_096))).toEqual({ commit: 4_096n, prepare: 4_096n });
    expect(() => cursorAfter(-5)).toThrow(RangeError);
  });

  it('treats as "after P" exactly the events whose commit position is greater than P', () => {
    const cursor = cursorAfter(1_000);
    expect(isAfter({ commit: 1_000n, prepare: 1_000n }, cursor)).toBe(false); // the event at P itself
    expect(isAfter({ commit: 1_000n, prepare: 800n }, cursor)).toBe(false); // same legacy transaction as P
    expect(isAfter({ commit: 1_200n, prepare: 1_200n }, cursor)).toBe(true);
    expect(isAfter({ commit: 1_500n, prepare: 900n }, cursor)).toBe(true); // later commit, earlier prepare
    expect(isAfter({ commit: 1n, prepare: 1n }, null)).toBe(true);
  });

  it('pages on the exact {commit, prepare} of the last event', () => {
    const last = { commit: 2_000n, prepare: 1_900n };
    expect(isAfter({ commit: 2_000n, prepare: 1_900n }, last)).toBe(false);
    expect(isAfter({ commit: 2_000n, prepare: 1_950n }, last)).toBe(true);
  });

  it('takes the record position, or the commit position of the read when the record has none', () => {
    const recorded = (position: { commit: bigint; prepare: bigint }) =>
      ({ streamId: 's', id: 'x', isJson: true, revision: 0n, type: 'T', created: new Date(0), data: {}, metadata: undefined, position }) as const;
    const fromAll = { event: recorded({ commit: 700n, prepare: 690n }), commitPosition: 700n } as unknown as AllStreamResolvedEvent;
    expect(positionOf(fromAll)).toEqual({ commit: 700n, prepare: 690n });
    // Servers before 22.6 leave the record's positions unset (0 in protobuf) on stream reads.
    const oldServer = { event: recorded({ commit: 0n, prepare: 0n }), commitPosition: 512n } as unknown as ResolvedEvent;
    expect(positionOf(oldServer)).toEqual({ commit: 512n, prepare: 512n });
    expect(positionOf({ event: recorded({ commit: 0n, prepare: 0n }) })).toBeNull();
  });
});

describe('filter split', () => {
  it('filters system events out server-side when the port filter is empty', () => {
    const plan = planFilter(undefined);
    expect(plan.server).toEqual({ on: 'excludeSystemEvents' });
    expect(plan.accepts('order-1', 'Placed')).toBe(true);
    expect(plan.accepts('order-1', '$>')).toBe(false);
    expect(plan.accepts('$ce-order', 'Placed')).toBe(false);
    expect(plan.accepts('$$order-1', '$metadata')).toBe(false);
  });

  it('sends event types as prefixes and re-checks them exactly', () => {
    const plan = planFilter({ eventTypes: ['Keep'] });
    expect(plan.server).toEqual({ on: 'eventType', prefixes: ['Keep'] });
    expect(plan.accepts('a', 'Keep')).toBe(true);
    expect(plan.accepts('a', 'KeepAlive')).toBe(false);
  });

  it('sends stream prefixes when they are the only criterion', () => {
    const plan = planFilter({ streamPrefixes: ['order-', 'invoice-'] });
    expect(plan.server).toEqual({ on: 'streamName', prefixes: ['order-', 'invoice-'] });
    expect(plan.accepts('order-7', 'Any')).toBe(true);
    expect(plan.accepts('user-7', 'Any')).toBe(false);
  });

  it('filters server-side on event types and client-side on stream prefixes when both are given', () => {
    const plan = planFilter({ eventTypes: ['Keep'], streamPrefixes: ['order-'] });
    expect(plan.server).toEqual({ on: 'eventType', prefixes: ['Keep'] });
    expect(plan.accepts('order-1', 'Keep')).toBe(true);
    expect(plan.accepts('user-1', 'Keep')).toBe(false);
    expect(plan.accepts('order-1', 'Drop')).toBe(false);
  });

  it('never accepts system streams, even when a prefix asks for them', () => {
    const plan = planFilter({ streamPrefixes: ['$ce-'] });
    expect(plan.accepts('$ce-order', '$>')).toBe(false);
    expect(isSystemEvent('$ce-order', 'Placed')).toBe(true);
  });

  it('accepts nothing for an empty list, without sending an empty prefix list to the server', () => {
    const plan = planFilter({ eventTypes: [], streamPrefixes: ['order-'] });
    expect(plan.server).toEqual({ on: 'streamName', prefixes: ['order-'] });
    expect(plan.accepts('order-1', 'Keep')).toBe(false);
    expect(planFilter({ eventTypes: [] }).server).toEqual({ on: 'excludeSystemEvents' });
  });
});

describe('error translation', () => {
  const appendContext = { operation: 'append', streamId: 'order-1', expected: 1 } as const;

  it('turns the unary append path’s WrongExpectedVersionError into a conflict with the actual revision', () => {
    // dist/streams/appendToStream/append.js: new WrongExpectedVersionError(null, { streamName, current, expected })
    const error = new WrongExpectedVersionError(undefined, { streamName: 'order-1', current: 4n, expected: 1n });
    const translated = translateError(error, appendContext);
    expect(translated).toBeInstanceOf(StreamRevisionConflictError);
    expect(translated).toMatchObject({ streamId: 'order-1', expected: 1, actual: 4, code: 'STREAM_REVISION_CONFLICT', kind: 'conflict' });
    expect((translated as Error).cause).toBe(error);
  });

  it('reports no actual revision when the stream does not exist', () => {
    const error = new WrongExpectedVersionError(undefined, { streamName: 'order-1', current: NO_STREAM, expected: STREAM_EXISTS });
    expect(translateError(error, { ...appendContext, expected: 'stream_exists' })).toMatchObject({ actual: null, expected: 'stream_exists' });
  });

  it('turns the batch-append path’s error (unpacked from the WrongExpectedVersion message) into a conflict', () => {
    // dist/streams/appendToStream/unpackError.js → WrongExpectedVersionError.fromWrongExpectedVersion(details, streamName)
    const details = new shared.WrongExpectedVersion();
    details.setCurrentStreamRevision('7');
    details.setExpectedStreamPosition('1');
    const error = WrongExpectedVersionError.fromWrongExpectedVersion(details, 'order-1');
    expect(translateError(error, appendContext)).toMatchObject({ actual: 7, expected: 1 });

    const noStream = new shared.WrongExpectedVersion();
    noStream.setExpectedStreamPosition('0');
    expect(translateError(WrongExpectedVersionError.fromWrongExpectedVersion(noStream, 'order-1'), appendContext)).toMatchObject({
      actual: null,
    });
  });

  it('turns a WrongExpectedVersion sent as gRPC status metadata into a conflict', () => {
    const error = convertToCommandError(
      serviceError(9, 'Append failed due to WrongExpectedVersion', {
        exception: 'wrong-expected-version',
        'stream-name': 'order-1',
        'expected-version': '1',
        'actual-version': '3',
      }),
    );
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(translateError(error, appendContext)).toMatchObject({ actual: 3 });
  });

  it('turns unavailable, deadline, timeout, cancellation and not-leader errors into EventStoreUnavailableError', () => {
    const errors = [
      convertToCommandError(serviceError(14, 'No connection established')),
      convertToCommandError(serviceError(4, 'Deadline exceeded')),
      convertToCommandError(serviceError(10, 'Operation timed out')), // ABORTED → TimeoutError
      convertToCommandError(serviceError(1, 'Cancelled by server')),
      convertToCommandError(
        serviceError(5, 'Leader info available', { exception: 'not-leader', 'leader-endpoint-host': '10.0.0.2', 'leader-endpoint-port': '2113' }),
      ),
      // The "write after end" workaround in convertToCommandError also yields UnavailableError.
      convertToCommandError(serviceError(13, 'write after end')),
    ];
    expect(errors[0]).toBeInstanceOf(UnavailableError);
    expect(errors[1]).toBeInstanceOf(DeadlineExceededError);
    for (const error of errors) {
      const translated = translateError(error, { operation: 'readAll' });
      expect(translated).toBeInstanceOf(EventStoreUnavailableError);
      expect(translated).toMatchObject({ kind: 'unavailable', code: 'EVENT_STORE_UNAVAILABLE' });
      expect((translated as Error).cause).toBe(error);
    }
  });

  it('turns raw gRPC errors and discovery failures the client passes through unconverted into EventStoreUnavailableError', () => {
    // Client.capabilities rejects with the raw ServiceError; cluster discovery throws a plain Error.
    expect(translateError(serviceError(14, 'No connection established'), { operation: 'append' })).toBeInstanceOf(EventStoreUnavailableError);
    expect(translateError(serviceError(4, 'Deadline exceeded'), { operation: 'append' })).toBeInstanceOf(EventStoreUnavailableError);
    expect(translateError(new Error('Failed to discover after 10 attempts.'), { operation: 'append' })).toBeInstanceOf(
      EventStoreUnavailableError,
    );
  });

  it('recognises missing and tombstoned streams, and leaves them to the caller', () => {
    // dist/streams/utils/ReadStream.js: new StreamNotFoundError(null, streamName)
    const notFound = new StreamNotFoundError(undefined, 'order-1');
    const deleted = StreamDeletedError.fromStreamName('order-1');
    expect(isStreamMissing(notFound)).toBe(true);
    expect(isStreamMissing(deleted)).toBe(true);
    expect(isStreamMissing(new UnavailableError())).toBe(false);
    expect(translateError(notFound, { operation: 'readStream' })).toBe(notFound);
  });

  it('leaves other errors, and errors already translated, unchanged', () => {
    const denied = new AccessDeniedError();
    expect(translateError(denied, appendContext)).toBe(denied);
    const unavailable = new EventStoreUnavailableError('down');
    expect(translateError(unavailable, appendContext)).toBe(unavailable);
    const bug = new TypeError('boom');
    expect(translateError(bug, appendContext)).toBe(bug);
    expect(translateError('not an error', appendContext)).toBe('not an error');
  });
});

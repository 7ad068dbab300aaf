/**
 * Pure translation between the event-store port and the vocabulary of `@eventstore/db-client`
 * v6. It imports only the driver's *types*, so it runs (and is unit-tested) without a server;
 * `eventstoredb-event-store.ts` is the one file that loads the driver.
 */
import type {
  AllStreamResolvedEvent,
  AppendExpectedRevision,
  Position as EsdbPosition,
  ResolvedEvent,
} from '@eventstore/db-client';
import { NationPulseError } from '@nationpulse/domain';
import {
  EventStoreUnavailableError,
  StreamRevisionConflictError,
  matchesFilter,
  type EventFilter,
  type ExpectedRevision,
  type Position,
} from '@nationpulse/ports';

export type { EsdbPosition };

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const checkedNumber = (value: bigint, what: string): number => {
  if (value < 0n || value > MAX_SAFE) {
    throw new RangeError(`EventStoreDB ${what} ${value} is outside 0..Number.MAX_SAFE_INTEGER`);
  }
  return Number(value);
};

const checkedBigInt = (value: number, what: string): bigint => {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative safe integer, got ${value}`);
  return BigInt(value);
};

/** The port's Position is the commit half of EventStoreDB's {commit, prepare}, as a JS number. */
export const toPortPosition = (commit: bigint): Position => checkedNumber(commit, 'commit position');

/** Stream revisions are u64 on the wire (bigint in the client) and plain numbers in the port. */
export const toPortRevision = (revision: bigint): number => checkedNumber(revision, 'stream revision');

export const toEsdbRevision = (revision: number, what = 'revision'): bigint => checkedBigInt(revision, what);

/** Port expectation → the client's AppendExpectedRevision (ANY / NO_STREAM / STREAM_EXISTS / bigint). */
export const toEsdbExpectedRevision = (expected: ExpectedRevision): AppendExpectedRevision => {
  switch (expected) {
    case 'any':
      return 'any';
    case 'no_stream':
      return 'no_stream';
    case 'stream_exists':
      return 'stream_exists';
    default:
      // A negative number would reach the server as a *different* expectation (-1 is NoStream,
      // -2 Any, ...), so it is rejected here rather than silently reinterpreted.
      return checkedBigInt(expected, 'expectedRevision');
  }
};

/**
 * Where to resume strictly after a port position P, which only carries the commit position.
 *
 * Events appended over gRPC are committed by their own prepare record, so their commit and
 * prepare positions are equal; only legacy explicit transactions give several events one shared
 * commit position (their commit record's) with prepare positions *below* it. {commit: P,
 * prepare: P} is therefore the greatest log position any event with commit P can have, and
 * "strictly after {P, P}" is exactly "every event whose commit is greater than P" — the port's
 * semantics, with no event skipped or repeated. Paging inside one read resumes from the exact
 * {commit, prepare} of the last event seen instead (see isAfter).
 */
export const cursorAfter = (after: Position | undefined): EsdbPosition | null => {
  if (after === undefined) return null;
  const p = checkedBigInt(after, 'after');
  return { commit: p, prepare: p };
};

/** The `fromPosition` for a read or subscription starting at a cursor (position 0: the start). */
export const readFrom = (cursor: EsdbPosition | null): EsdbPosition | 'start' =>
  cursor === null || (cursor.commit === 0n && cursor.prepare === 0n) ? 'start' : cursor;

/**
 * Log order of $all is (commit, prepare) lexicographic. Reads of $all from a position are
 * inclusive and subscriptions exclusive, so every event is checked against the cursor: the
 * adapter yields only events strictly after it, whichever way the server counts.
 */
export const isAfter = (position: EsdbPosition, cursor: EsdbPosition | null): boolean =>
  cursor === null ||
  position.commit > cursor.commit ||
  (position.commit === cursor.commit && position.prepare > cursor.prepare);

/**
 * The exact log position of a read result. Links are never resolved (resolveLinkTos stays
 * false: a link's target is in $all at its own position), so `event` is the record itself.
 * Servers before 22.6 do not put positions on records read from a stream; protobuf then leaves
 * them at 0 (no real event sits at 0: the log starts with an epoch record), so fall back to the
 * commit position the server reports on the read response.
 */
export const positionOf = (resolved: ResolvedEvent | AllStreamResolvedEvent): EsdbPosition | null => {
  const own = resolved.event?.position;
  if (own && own.commit > 0n) return own;
  if (resolved.commitPosition !== undefined && resolved.commitPosition > 0n) {
    return { commit: resolved.commitPosition, prepare: resolved.commitPosition };
  }
  return null;
};

/** System streams ($…, including $$metadata streams) and system events ($…, links `$>`) are never yielded. */
export const isSystemEvent = (streamId: string, type: string): boolean => streamId.startsWith('$') || type.startsWith('$');

/** What the server filters on; a pre-selection only, never the final word. */
export type ServerFilter =
  | { readonly on: 'eventType' | 'streamName'; readonly prefixes: readonly string[] }
  | { readonly on: 'excludeSystemEvents' };

export interface FilterPlan {
  readonly server: ServerFilter;
  /** The exact decision, applied client-side to everything the server sends. */
  readonly accepts: (streamId: string, type: string) => boolean;
}

/**
 * Splits a port filter for EventStoreDB, whose server-side filters match one dimension (event
 * type or stream name) by prefix. With both dimensions the server filters on event types and the
 * stream prefixes are checked client-side. Event types are exact in the port but prefixes on the
 * server ('Keep' also lets 'KeepAlive' through), so the whole port filter is always re-applied
 * client-side with matchesFilter, together with the system-event exclusion.
 */
export const planFilter = (filter: EventFilter | undefined): FilterPlan => {
  const accepts = (streamId: string, type: string) => !isSystemEvent(streamId, type) && matchesFilter(filter, streamId, type);
  if (filter?.eventTypes && filter.eventTypes.length > 0) return { server: { on: 'eventType', prefixes: [...filter.eventTypes] }, accepts };
  if (filter?.streamPrefixes && filter.streamPrefixes.length > 0) {
    return { server: { on: 'streamName', prefixes: [...filter.streamPrefixes] }, accepts };
  }
  return { server: { on: 'excludeSystemEvents' }, accepts };
};

/** The `type` discriminator every client CommandError carries (see ErrorType in the client). */
const errorType = (error: unknown): unknown => (error instanceof Error ? (error as { type?: unknown }).type : undefined);

/** Reads of a stream that does not exist, or was tombstoned, yield nothing. */
export const isStreamMissing = (error: unknown): boolean => {
  const type = errorType(error);
  return type === 'stream-not-found' || type === 'stream-deleted';
};

/**
 * Transient failures: the node is unreachable, the call outlived its deadline, the server timed
 * the write out (ABORTED, outcome unknown: retry with the same event ids), the server cancelled
 * the call, or the node is not the leader (the client reconnects on the next call).
 */
const TRANSIENT_TYPES = new Set(['unavailable', 'deadline-exceeded', 'timeout', 'cancelled', 'not-leader']);
/** gRPC status codes of raw ServiceErrors the client passes through unconverted (e.g. when fetching server features). */
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

const isTransient = (error: Error): boolean => {
  const type = errorType(error);
  if (type !== undefined) return typeof type === 'string' && TRANSIENT_TYPES.has(type);
  const code = (error as { code?: unknown }).code;
  if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED) return true;
  // Thrown by the client's cluster discovery (dist/Client/discovery.js).
  return error.message.startsWith('Failed to discover after');
};

export interface ErrorContext {
  readonly operation: string;
  readonly streamId?: string;
  readonly expected?: ExpectedRevision;
}

const actualRevision = (current: unknown): number | null => (typeof current === 'bigint' && current >= 0n ? toPortRevision(current) : null);

/**
 * Driver error → port error: WrongExpectedVersionError → StreamRevisionConflictError (with the
 * actual revision the error carries, null for no stream); connection, unavailable, timeout and
 * deadline errors → EventStoreUnavailableError. Anything else (access denied, invalid argument,
 * ...) is a bug or a misconfiguration and is returned unchanged.
 */
export const translateError = (error: unknown, context: ErrorContext): unknown => {
  if (error instanceof NationPulseError || !(error instanceof Error)) return error;
  if (errorType(error) === 'wrong-expected-version' && context.streamId !== undefined) {
    const actual = actualRevision((error as { actualVersion?: unknown }).actualVersion);
    return new StreamRevisionConflictError(context.streamId, context.expected ?? 'any', actual, { cause: error });
  }
  if (isTransient(error)) {
    return new EventStoreUnavailableError(`EventStoreDB ${context.operation} failed: ${error.message}`, { cause: error });
  }
  return error;
};

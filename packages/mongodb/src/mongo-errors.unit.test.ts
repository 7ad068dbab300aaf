import { MongoBulkWriteError, MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { isUnavailable } from './mongo-read-store.ts';

// The driver builds these itself; the second argument is the BulkWriteResult, unused by the check.
const bulkError = (cause: Error | { message: string; code: number; writeErrors: unknown[] }) => new MongoBulkWriteError(cause as never, {} as never);

describe('isUnavailable: which MongoDB failures are "not now" (503, retried) rather than wrong', () => {
  it('counts a bulk write the driver could not send (the server stopped mid-write) as unavailable', () => {
    // Seen when mongo-java-server is stopped under a projector's commit: wrapped, without code or labels.
    expect(isUnavailable(bulkError(new MongoNetworkError('connection 25 to 127.0.0.1:37253 closed')))).toBe(true);
    expect(isUnavailable(bulkError(new MongoNetworkError('connect ECONNREFUSED 127.0.0.1:45139')))).toBe(true);
  });

  it('counts the socket error the driver lets through unwrapped (a command written to a socket the server closed) as unavailable', () => {
    // Seen as a 500 from the read API while mongo-java-server stopped: Node's writeAfterFIN error.
    const epipe = Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' });
    expect(isUnavailable(epipe)).toBe(true);
    expect(isUnavailable(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isUnavailable(new Error('something else'))).toBe(false);
    expect(isUnavailable(Object.assign(new Error('no such file'), { code: 'ENOENT' }))).toBe(false);
  });

  it('does not count a bulk write the server refused (a duplicate key, a validation error) as unavailable', () => {
    expect(isUnavailable(bulkError({ message: 'E11000 duplicate key error', code: 11000, writeErrors: [] }))).toBe(false);
    expect(isUnavailable(bulkError(new MongoServerError({ message: 'Document failed validation', code: 121 })))).toBe(false);
  });

  it('still counts the plain network and selection errors, and not other server errors', () => {
    expect(isUnavailable(new MongoNetworkError('connection 1 to 127.0.0.1:1 closed'))).toBe(true);
    expect(isUnavailable(new MongoServerSelectionError('Server selection timed out after 2000 ms', {} as never))).toBe(true);
    expect(isUnavailable(new MongoServerError({ message: 'unknown operator: $foo', code: 2 }))).toBe(false);
  });
});

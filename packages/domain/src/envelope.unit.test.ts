import { describe, expect, it } from 'vitest';
import { eventCatalogue } from './catalogue.ts';
import { EventDecodingError, type EventMetadata } from './envelope.ts';

const metadata = (schemaVersion: number): EventMetadata => ({
  eventId: '0b6a4a8e-3c55-4c3a-9a52-4b0f5a4b2c11',
  correlationId: 'c1',
  causationId: null,
  actor: 'system',
  occurredAt: '2024-01-01T00:00:00.000Z',
  traceparent: null,
  source: 'test',
  schemaVersion,
});

describe('event envelope', () => {
  it('upcasts a stored v1 UserRegistered to the current schema on read, leaving the stored data untouched', () => {
    const stored = { type: 'UserRegistered', data: { userId: 'u1', name: 'ada' }, metadata: metadata(1) };
    const decoded = eventCatalogue.decode(stored);
    expect(decoded).toEqual({ type: 'UserRegistered', schemaVersion: 2, data: { userId: 'u1', username: 'ada', displayName: 'ada' }, metadata: metadata(1) });
    expect(stored.data).toEqual({ userId: 'u1', name: 'ada' });
  });

  it('upcasts without re-validating when asked to (hot read paths over validated events)', () => {
    const stored = { type: 'UserRegistered', data: { userId: 'u1', name: 'ada' }, metadata: metadata(1) };
    expect(eventCatalogue.decode(stored, { validate: false })?.data).toEqual({ userId: 'u1', username: 'ada', displayName: 'ada' });
    const invalid = { type: 'RoleGranted', data: { userId: 'u1', role: 'emperor' }, metadata: metadata(1) };
    expect(eventCatalogue.decode(invalid, { validate: false })?.data).toEqual(invalid.data);
  });

  it('decodes current-version events as they are', () => {
    const data = { userId: 'u1', username: 'ada', displayName: 'Ada L.' };
    expect(eventCatalogue.decode({ type: 'UserRegistered', data, metadata: metadata(2) })?.data).toEqual(data);
  });

  it('rejects stored data that does not match its schema, and versions from the future', () => {
    expect(() => eventCatalogue.decode({ type: 'RoleGranted', data: { userId: 'u1', role: 'emperor' }, metadata: metadata(1) })).toThrow(EventDecodingError);
    expect(() => eventCatalogue.decode({ type: 'UserRegistered', data: {}, metadata: metadata(3) })).toThrow(EventDecodingError);
  });

  it('skips event types this code does not know (forward compatibility)', () => {
    expect(eventCatalogue.decode({ type: 'SomethingNew', data: {}, metadata: metadata(1) })).toBeUndefined();
  });

  it('validates data before it is written and stamps the current version', () => {
    expect(eventCatalogue.encode('UserRegistered', { userId: 'u1', username: 'ada', displayName: 'Ada' }).schemaVersion).toBe(2);
    expect(() => eventCatalogue.encode('ObservationCorrected', { country: 'france' })).toThrow(EventDecodingError);
  });
});

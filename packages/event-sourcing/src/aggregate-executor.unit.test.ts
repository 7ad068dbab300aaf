import { EventDecodingError, eventCatalogue, userAggregate, userStreamId, type EventMetadata } from '@nationpulse/domain';
import { StreamRevisionConflictError, type EventStore, type NewEvent, type RecordedEvent } from '@nationpulse/ports';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAggregateExecutor } from './aggregate-executor.ts';
import type { CommandContext } from './command-context.ts';

/** Just enough of an event store for the executor: append with an expected revision, read a stream. */
const memoryEventStore = (): EventStore & { readonly all: RecordedEvent[] } => {
  const all: RecordedEvent[] = [];
  const stream = (id: string) => all.filter((e) => e.streamId === id);
  return {
    all,
    async append(streamId, events: readonly NewEvent[], expected) {
      const current = stream(streamId).at(-1)?.revision ?? null;
      const ok = expected === 'any' || (expected === 'no_stream' ? current === null : expected === 'stream_exists' ? current !== null : expected === current);
      if (!ok) throw new StreamRevisionConflictError(streamId, expected, current);
      let revision = current ?? -1;
      for (const e of events) all.push({ ...e, streamId, revision: ++revision, position: all.length + 1, recordedAt: new Date(0).toISOString() });
      return { nextRevision: revision, position: all.length };
    },
    async *readStream(streamId) {
      yield* stream(streamId);
    },
    streamRevision: async (streamId) => stream(streamId).at(-1)?.revision ?? null,
    // eslint-disable-next-line require-yield
    async *readAll() {
      throw new Error('not used');
    },
    subscribeToAll: () => {
      throw new Error('not used');
    },
    headPosition: async () => all.length,
    close: async () => {},
  };
};

const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
const context = (overrides: Partial<CommandContext> = {}): CommandContext => ({
  actor: { kind: 'system', name: 'test' },
  idempotencyKey: null,
  expectedRevision: null,
  correlationId: 'c1',
  causationId: null,
  traceparent: null,
  ...overrides,
});
const metadata = (schemaVersion: number): EventMetadata => ({
  eventId: '0b6a4a8e-3c55-4c3a-9a52-4b0f5a4b2c11',
  correlationId: 'c0',
  causationId: null,
  actor: 'system:test',
  occurredAt: '2024-01-01T00:00:00.000Z',
  traceparent: null,
  source: 'test',
  schemaVersion,
});

afterEach(() => vi.restoreAllMocks());

describe('aggregate executor: loading a stream', () => {
  it('folds stored events without re-validating them (they were validated when appended)', async () => {
    const eventStore = memoryEventStore();
    // A valid v1 UserRegistered: v1 took any name; upcast to v2 it is not a valid username today.
    const v1 = { type: 'UserRegistered', data: { userId: 'u1', name: 'Ada Lovelace' }, metadata: metadata(1) };
    await eventStore.append(userStreamId('u1'), [v1], 'no_stream');
    expect(() => eventCatalogue.decode(v1)).toThrow(EventDecodingError);
    const decode = vi.spyOn(eventCatalogue, 'decode');

    const loaded = await createAggregateExecutor({ eventStore, clock, source: 'test' }).load(userStreamId('u1'), userAggregate);

    expect(loaded.state).toMatchObject({ exists: true, userId: 'u1', username: 'Ada Lovelace' });
    expect(loaded.revision).toBe(0);
    expect(decode).toHaveBeenCalledTimes(1);
    expect(decode).toHaveBeenCalledWith(expect.objectContaining({ type: 'UserRegistered' }), { validate: false });
  });

  it('still validates what a command decides before appending it, and decides on the loaded state as before', async () => {
    const eventStore = memoryEventStore();
    const executor = createAggregateExecutor({ eventStore, clock, source: 'test' });
    const register = { type: 'RegisterUser', userId: 'u1', username: 'ada', displayName: 'Ada', passwordHash: 'x'.repeat(32), roles: ['viewer'] } as const;
    const execute = (command: Parameters<typeof userAggregate.decide>[0]) =>
      executor.executeWithEvents({ streamId: userStreamId(command.userId), aggregate: userAggregate, command, commandName: command.type, context: context(), fingerprint: command });

    const first = await execute(register);
    expect(first.receipt).toMatchObject({ revision: 2, replayed: false });
    expect(eventStore.all.map((e) => [e.type, e.data])).toEqual([
      ['UserRegistered', { userId: 'u1', username: 'ada', displayName: 'Ada' }],
      ['UserPasswordSet', { userId: 'u1', passwordHash: 'x'.repeat(32) }],
      ['RoleGranted', { userId: 'u1', role: 'viewer' }],
    ]);
    // The folded state drives the next decisions: a held role decides nothing, a new one is appended.
    expect((await execute({ type: 'GrantRole', userId: 'u1', role: 'viewer' })).events).toEqual([]);
    expect((await execute({ type: 'GrantRole', userId: 'u1', role: 'analyst' })).events).toEqual([{ type: 'RoleGranted', data: { userId: 'u1', role: 'analyst' } }]);
    await expect(execute(register)).rejects.toMatchObject({ code: 'USER_ALREADY_EXISTS' });
    // Invalid data a command decides is still refused at encode.
    await expect(execute({ ...register, userId: 'u2', username: 'not a username' })).rejects.toBeInstanceOf(EventDecodingError);
    expect(eventStore.all).toHaveLength(4);
  });
});

describe('aggregate executor: idempotency keys', () => {
  const register = { type: 'RegisterUser', userId: 'u1', username: 'ada', displayName: 'Ada', passwordHash: 'x'.repeat(32), roles: ['viewer'] } as const;
  /** A fingerprint that counts how often the executor serialises it (to hash it). */
  const counted = (body: unknown) => {
    const fingerprint = { serialised: 0, toJSON: () => (fingerprint.serialised++, body) };
    return fingerprint;
  };
  const setup = () => {
    const eventStore = memoryEventStore();
    const executor = createAggregateExecutor({ eventStore, clock, source: 'test' });
    const execute = (command: Parameters<typeof userAggregate.decide>[0], fingerprint: unknown, idempotencyKey: string | null = 'k1') =>
      executor.execute({ streamId: userStreamId(command.userId), aggregate: userAggregate, command, commandName: command.type, context: context({ idempotencyKey }), fingerprint });
    return { eventStore, execute };
  };

  it('hashes the request only when it appends or answers a replayed key, not when the command decides nothing or is refused', async () => {
    const { eventStore, execute } = setup();
    const appended = counted(register);
    await execute(register, appended);
    expect(appended.serialised).toBe(1);
    expect(eventStore.all.every((e) => e.metadata['requestHash'] === eventStore.all[0]!.metadata['requestHash'])).toBe(true);

    const noop = counted({ role: 'viewer' });
    expect(await execute({ type: 'GrantRole', userId: 'u1', role: 'viewer' }, noop, 'k2')).toMatchObject({ replayed: false, revision: 2 });
    const refused = counted({ userId: 'nobody' });
    await expect(execute({ type: 'DisableUser', userId: 'nobody', reason: 'r' }, refused, 'k3')).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    expect([noop.serialised, refused.serialised]).toEqual([0, 0]);

    const replay = counted(register);
    expect(await execute(register, replay)).toMatchObject({ replayed: true, revision: 2 });
    expect(replay.serialised).toBe(1);
  });

  it('replays the same key with the same body, and refuses the same key with a different body', async () => {
    const { eventStore, execute } = setup();
    const first = await execute(register, { ...register });
    expect(first).toMatchObject({ replayed: false, revision: 2 });

    expect(await execute(register, { ...register })).toEqual({ ...first, replayed: true });
    await expect(execute(register, { ...register, displayName: 'Someone else' })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    // Without a key the same command is decided again (and refused by the aggregate).
    await expect(execute(register, { ...register }, null)).rejects.toMatchObject({ code: 'USER_ALREADY_EXISTS' });
    expect(eventStore.all).toHaveLength(3);
  });
});

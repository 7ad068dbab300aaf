import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createTokenService, hashPassword, type Clock } from '@nationpulse/platform';
import type { EventStore } from '@nationpulse/ports';
import { bootstrapAdmin } from '../bootstrap-admin.ts';
import { createWriteSide, type WriteSide } from '../composition.ts';

export interface WriteSideFixture extends WriteSide {
  readonly eventStore: EventStore;
  readonly clock: Clock & { set(date: Date): void };
  readonly tokens: ReturnType<typeof createTokenService>;
  readonly adminId: string;
  token(userId: string, username?: string): Promise<string>;
}

/** A real write side over an in-memory SQLite store, with an admin bootstrapped as at first start. */
export const createWriteSideFixture = async (): Promise<WriteSideFixture> => {
  let now = new Date('2026-01-01T00:00:00Z');
  const clock = { now: () => now, set: (d: Date) => (now = d) };
  const eventStore = createSqliteEventStore({ path: ':memory:' });
  const tokens = createTokenService({ secret: 'test-secret-test-secret-test-secret!', issuer: 'nationpulse', accessTtlSeconds: 900, clock });
  // A light scrypt cost keeps tests fast; production uses the memory-hard default.
  const side = createWriteSide({ eventStore, tokens, clock, hashPassword: (p) => hashPassword(p, { N: 1024, r: 8, p: 1 }) });
  await bootstrapAdmin(eventStore, side.dispatcher, { username: 'admin', password: 'correct horse battery' });
  let adminId = '';
  for await (const e of eventStore.readAll({ filter: { eventTypes: ['UserRegistered'] } })) adminId = (e.data as { userId: string }).userId;
  return { ...side, eventStore, clock, tokens, adminId, token: (userId, username = 'someone') => tokens.issueAccessToken({ sub: userId, username }) };
};

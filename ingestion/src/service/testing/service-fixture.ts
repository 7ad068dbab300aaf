import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventCatalogue, type Role } from '@nationpulse/domain';
import { createInProcessLock } from '@nationpulse/embedded/in-process-lock';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createTokenService, newId, systemClock } from '@nationpulse/platform';
import type { EventStore } from '@nationpulse/ports';
import { countries as referenceCountries } from '@nationpulse/reference-data';
import { createTriggerAuthorizer } from '../access.ts';
import { sourcesConfigSchema } from '../../config.ts';
import type { SourceDeps } from '../../sources/source-spec.ts';
import { createIngestionRunner } from '../ingestion-runner.ts';

export const TEST_JWT_SECRET = 'ingestion-test-secret-ingestion-test-secret';
export const tokens = createTokenService({ secret: TEST_JWT_SECRET, issuer: 'nationpulse', accessTtlSeconds: 900, clock: systemClock });

/** Appends a user's registration and roles as the write API would have. */
export const seedUser = async (eventStore: EventStore, username: string, roles: readonly Role[]): Promise<{ userId: string; token: string }> => {
  const userId = newId();
  const events = [
    { type: 'UserRegistered', data: { userId, username, displayName: username } },
    ...roles.map((role) => ({ type: 'RoleGranted', data: { userId, role } })),
  ].map(({ type, data }) => {
    const encoded = eventCatalogue.encode(type, data);
    return {
      type,
      data: encoded.data,
      metadata: { eventId: newId(), correlationId: userId, causationId: null, actor: 'system:test', occurredAt: new Date().toISOString(), traceparent: null, source: 'test', schemaVersion: encoded.schemaVersion },
    };
  });
  await eventStore.append(`user-${userId}`, events, 'no_stream');
  return { userId, token: `Bearer ${await tokens.issueAccessToken({ sub: userId, username })}` };
};

/** A folder of World Bank CSVs, `countries` × `years` rows per indicator (sorted by code), so a run lasts a little. */
export const writeCsvFolder = (root: string, name: string, indicators: readonly string[], countries = 50, years = 20): string => {
  const folder = join(root, name);
  const codes = referenceCountries.map((c) => c.iso3).sort().slice(0, countries);
  for (const indicator of indicators) {
    mkdirSync(join(folder, indicator.toLowerCase()), { recursive: true });
    const lines = ['Country Name,Country Code,Year,Value'];
    for (const [c, code] of codes.entries()) {
      for (let y = 0; y < years; y++) lines.push(`Country ${c},${code},${1960 + y},${1000 + c * 10 + y}`);
    }
    writeFileSync(join(folder, indicator.toLowerCase(), 'data.csv'), `${lines.join('\n')}\n`);
  }
  return folder;
};

/** A runner over a temp SQLite store with an in-process lock, and an authorizer with an admin and a viewer. */
export const createRunnerFixture = async (options: { lockTtlMs?: number; sourceDeps?: SourceDeps } = {}) => {
  const root = mkdtempSync(join(tmpdir(), 'np-ingestion-'));
  const eventStore = createSqliteEventStore({ path: join(root, 'events.db') });
  const lock = createInProcessLock();
  const runner = createIngestionRunner({
    eventStore,
    lock,
    clock: systemClock,
    sourceDeps: options.sourceDeps ?? { config: sourcesConfigSchema.parse({}) },
    fileRoot: root, concurrency: 4, lockTtlMs: options.lockTtlMs ?? 5_000 });
  const authorize = createTriggerAuthorizer({ tokens, eventStore, clock: systemClock });
  const admin = await seedUser(eventStore, 'admin', ['admin']);
  const viewer = await seedUser(eventStore, 'viewer', ['viewer']);
  return {
    root,
    eventStore,
    lock,
    runner,
    authorize,
    admin,
    viewer,
    async close() {
      await runner.close();
      await eventStore.close();
    },
  };
};

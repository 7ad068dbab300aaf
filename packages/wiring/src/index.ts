import { join } from 'node:path';
import { createInProcessCache } from '@nationpulse/embedded/in-process-cache';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import type { Cache, EventStore, ReadStore } from '@nationpulse/ports';
import { z } from 'zod';

/**
 * The adapter choices every service shares, keyed by environment variable. The defaults select
 * the embedded adapters (SQLite files in the data folder, an in-process cache).
 */
export const infrastructureConfig = {
  NATIONPULSE_DATA_DIR: z.string().min(1).default('./data'),
  EVENT_STORE: z.enum(['sqlite', 'eventstoredb']).default('sqlite'),
  EVENTSTORE_URL: z.string().regex(/^(esdb|kurrentdb)(\+discover)?:\/\//, 'expected an esdb:// connection string').optional(),
  READ_STORE: z.enum(['sqlite', 'mongodb']).default('sqlite'),
  MONGO_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// connection string').optional(),
  MONGO_DATABASE: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/).default('nationpulse'),
  CACHE: z.enum(['inprocess', 'redis']).default('inprocess'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'expected a redis:// URL').optional(),
  /** Every Redis key and channel starts with this: isolates deployments (or test runs) sharing one Redis. */
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:._-]{1,64}$/, 'letters, digits and : . _ - (up to 64)').default('np:'),
};

const _infrastructureSchema = z.object(infrastructureConfig);
export type InfrastructureConfig = z.infer<typeof _infrastructureSchema>;

/** Cross-field rules: a production adapter needs its URL. Use with `.superRefine(requireAdapterUrls)`. */
export const requireAdapterUrls = (c: InfrastructureConfig, ctx: z.RefinementCtx): void => {
  const need = (when: boolean, key: keyof InfrastructureConfig, why: string) => {
    if (when && !c[key]) ctx.addIssue({ code: 'custom', path: [key], message: `${key} is required when ${why}` });
  };
  need(c.EVENT_STORE === 'eventstoredb', 'EVENTSTORE_URL', 'EVENT_STORE=eventstoredb');
  need(c.READ_STORE === 'mongodb', 'MONGO_URL', 'READ_STORE=mongodb');
  need(c.CACHE === 'redis', 'REDIS_URL', 'CACHE=redis');
};

// The drivers of the distributed adapters (EventStoreDB's gRPC client, MongoDB, ioredis) are
// imported only when the configuration picks them: the embedded platform, which uses none of
// them, would otherwise hold ~45 MB of their modules (and the BSON library's buffers) for nothing.

export const createEventStore = async (c: InfrastructureConfig): Promise<EventStore> =>
  c.EVENT_STORE === 'eventstoredb'
    ? (await import('@nationpulse/eventstoredb')).createEventStoreDbEventStore({ connectionString: c.EVENTSTORE_URL! })
    : // A write lock held past 2 s fails the call with 503 EVENT_STORE_UNAVAILABLE, inside the
      // gateway's 5 s upstream deadline, so the client gets the store's own code and nothing hangs.
      createSqliteEventStore({ path: join(c.NATIONPULSE_DATA_DIR, 'events.db'), busyTimeoutMs: 2000 });

/** `sqliteWriteTurns`: see `SqliteReadStoreOptions.writeTurns` (threads of one process sharing the SQLite file). */
export const createReadStore = async (c: InfrastructureConfig, options: { sqliteWriteTurns?: SharedArrayBuffer } = {}): Promise<ReadStore> =>
  c.READ_STORE === 'mongodb'
    ? (await import('@nationpulse/mongodb')).createMongoReadStore({ url: c.MONGO_URL!, database: c.MONGO_DATABASE })
    : createSqliteReadStore({ path: join(c.NATIONPULSE_DATA_DIR, 'read.db'), ...(options.sqliteWriteTurns ? { writeTurns: options.sqliteWriteTurns } : {}) });

export const createCache = async (c: InfrastructureConfig): Promise<Cache> =>
  c.CACHE === 'redis' ? (await import('@nationpulse/redis')).createRedisCache({ url: c.REDIS_URL!, keyPrefix: c.REDIS_KEY_PREFIX }) : createInProcessCache();

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInProcessCache } from '@nationpulse/embedded/in-process-cache';
import { createInProcessNotifications } from '@nationpulse/embedded/in-process-notifications';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import { parseConfig, type RunningService } from '@nationpulse/platform';
import type { EventStore } from '@nationpulse/ports';
import { projectorsConfigSchema, startProjectorsService } from '@nationpulse/projectors';
import { readApiConfigSchema, startReadApiService } from '@nationpulse/read-api';
import { startWriteApiService, writeApiConfigSchema } from '@nationpulse/write-api';
import { gatewayConfigSchema } from '../config.ts';
import { startGatewayService, type GatewayService } from '../service.ts';

export const ADMIN = { username: 'admin', password: 'a long admin password' };

export interface TestPlatform {
  readonly dataDir: string;
  readonly eventStore: EventStore;
  readonly urls: { readonly writeApi: string; readonly readApi: string; readonly projectors: string };
  /** Starts a gateway in front of the services, with extra settings (environment variable names). */
  startGateway(env?: Record<string, string>): Promise<GatewayService>;
  close(): Promise<void>;
}

/**
 * The real write API, projectors and read API, in this process on ephemeral ports, sharing
 * SQLite stores in a temporary folder and one in-process cache, as the embedded platform runs them.
 */
export const startTestPlatform = async (): Promise<TestPlatform> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'np-gateway-'));
  const base = { NATIONPULSE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  const eventStore = createSqliteEventStore({ path: join(dataDir, 'events.db') });
  const readStore = createSqliteReadStore({ path: join(dataDir, 'read.db') });
  const cache = createInProcessCache();
  const notifications = createInProcessNotifications();
  const services: RunningService[] = [];
  const writeApi = await startWriteApiService(parseConfig(writeApiConfigSchema, { ...base, WRITE_API_HTTP_PORT: '0', WRITE_API_GRPC_PORT: '0' }), { eventStore, admin: ADMIN });
  services.push(writeApi);
  const projectors = await startProjectorsService(parseConfig(projectorsConfigSchema, { ...base, PROJECTORS_HTTP_PORT: '0' }), { eventStore, readStore, cache });
  services.push(projectors);
  const readApi = await startReadApiService(parseConfig(readApiConfigSchema, { ...base, READ_API_HTTP_PORT: '0', READ_API_GRPC_PORT: '0' }), { readStore, cache });
  services.push(readApi);
  const urls = { writeApi: writeApi.httpUrl, readApi: readApi.httpUrl, projectors: projectors.httpUrl };
  return {
    dataDir,
    eventStore,
    urls,
    async startGateway(env = {}) {
      const config = parseConfig(gatewayConfigSchema, {
        ...base,
        PORT: '0',
        READ_API_URL: urls.readApi,
        WRITE_API_URL: urls.writeApi,
        PROJECTORS_URL: urls.projectors,
        UI_DIST_DIR: join(dataDir, 'no-ui'),
        ...env,
      });
      const gateway = await startGatewayService(config, { readStore, cache, eventStore, notifications });
      services.push(gateway);
      return gateway;
    },
    async close() {
      for (const service of services.reverse()) await service.close();
      await Promise.allSettled([eventStore.close(), readStore.close(), cache.close(), notifications.close()]);
    },
  };
};

/** Polls until the check passes (projections are asynchronous), or fails with its last error. */
export const eventually = async <T>(check: () => Promise<T>, timeoutMs = 5_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(50);
    }
  }
};

import { createLogger, createMetricsRegistry, createTokenService, loadOrCreateSecret, systemClock, type Logger, type RunningService } from '@nationpulse/platform';
import type { Cache, ReadStore } from '@nationpulse/ports';
import { createCache, createReadStore } from '@nationpulse/wiring';
import { createCallerAuthenticator } from './access/caller.ts';
import { createReadSide } from './composition.ts';
import type { ReadApiConfig } from './config.ts';
import { startReadGrpcServer } from './grpc/server.ts';
import { buildReadApp } from './http/app.ts';

export interface ReadApiService extends RunningService {
  readonly httpUrl: string;
  readonly grpcPort: number;
}

/**
 * Starts the read API (HTTP + gRPC). A read store and cache passed in are shared and left open on
 * close (the embedded platform owns them); otherwise they come from the configuration.
 */
export const startReadApiService = async (
  config: ReadApiConfig,
  shared: { readStore?: ReadStore; cache?: Cache; logger?: Logger } = {},
): Promise<ReadApiService> => {
  const logger = shared.logger ?? createLogger('read-api', config.LOG_LEVEL);
  const metrics = createMetricsRegistry('read-api');
  const readStore = shared.readStore ?? (await createReadStore(config));
  const cache = shared.cache ?? (await createCache(config));
  const { executor } = createReadSide({
    readStore,
    cache,
    waitTimeoutMs: config.READ_WAIT_TIMEOUT_MS,
    responseCacheTtlMs: config.READ_RESPONSE_CACHE_TTL_MS,
    onCacheError: (err) => logger.warn({ err }, 'response cache unavailable; answering from the read store'),
  });

  /** One dependency check behind both the HTTP /health route and grpc.health.v1. */
  const probe = async (ping: () => Promise<void>): Promise<{ up: boolean; detail: Record<string, unknown> }> => {
    try {
      await ping();
      return { up: true, detail: { status: 'up' } };
    } catch (e) {
      return { up: false, detail: { status: 'down', error: e instanceof Error ? e.message : String(e) } };
    }
  };

  const tokens = createTokenService({
    secret: config.JWT_SECRET ?? loadOrCreateSecret(config.NATIONPULSE_DATA_DIR),
    issuer: config.JWT_ISSUER,
    accessTtlSeconds: 900,
    clock: systemClock,
  });
  const app = await buildReadApp({
    executor,
    callers: createCallerAuthenticator({ tokens, readStore }),
    logger,
    cacheMaxAgeSeconds: config.READ_CACHE_MAX_AGE_SECONDS,
    microCacheTtlMs: config.READ_RESPONSE_CACHE_TTL_MS,
    metrics,
    health: async () => {
      const [store, cacheUp] = await Promise.all([probe(() => readStore.ping()), probe(() => cache.ping())]);
      // The cache is an optimisation: the API answers without it, so it does not fail the check.
      return { ok: store.up, details: { readStore: store.detail, cache: cacheUp.detail } };
    },
  });
  const httpUrl = await app.listen({ host: config.READ_API_HOST, port: config.READ_API_HTTP_PORT });
  const grpcServer = await startReadGrpcServer({
    host: config.READ_API_HOST,
    port: config.READ_API_GRPC_PORT,
    executor,
    logger,
    metrics,
    health: async () => ({ readstore: (await probe(() => readStore.ping())).up ? 'SERVING' : 'NOT_SERVING' }),
  });
  logger.info({ http: httpUrl, grpc: grpcServer.port, readStore: config.READ_STORE, cache: config.CACHE }, 'read-api listening');

  return {
    httpUrl,
    grpcPort: grpcServer.port,
    async close() {
      await Promise.all([app.close(), grpcServer.close()]);
      await Promise.allSettled([shared.readStore ? undefined : readStore.close(), shared.cache ? undefined : cache.close()]);
    },
  };
};

import { join } from 'node:path';
import { createInProcessNotifications } from '@nationpulse/embedded/in-process-notifications';
import { createInProcessRateLimiter } from '@nationpulse/embedded/in-process-rate-limiter';
import { createSqliteRefreshTokenStore } from '@nationpulse/embedded/sqlite-refresh-token-store';
import { createAuthenticator, createLogger, createMicroCache, createTokenService, loadOrCreateSecret, registeredRoutes, systemClock, type HttpRoute, type Logger, type RunningService } from '@nationpulse/platform';
import type { Cache, EventStore, Notifications, RateLimiter, ReadStore, RefreshTokenStore } from '@nationpulse/ports';
import { createCache, createEventStore, createReadStore } from '@nationpulse/wiring';
import { createAccessLookup } from './access/access-lookup.ts';
import { createRateLimits } from './access/rate-limits.ts';
import { buildGatewayApp } from './app.ts';
import { createAuthService } from './auth/auth-service.ts';
import type { GatewayConfig } from './config.ts';
import { createGatewayMetrics } from './metrics.ts';
import { createNotifier, type Notifier } from './notifier/notifier.ts';
import { checkPulse, upstreamHealthCheck } from './ops/pulse.ts';
import type { UpstreamName } from './routing/route-table.ts';
import { createUpstream, type Upstream } from './upstream/upstream-client.ts';

export interface GatewayService extends RunningService {
  readonly url: string;
  /** Every route it answers (the security test checks each one and fails on an unclassified one). */
  readonly routes: readonly HttpRoute[];
}

/** What the embedded platform shares with the gateway (and leaves open when it closes). */
export interface GatewayShared {
  readonly readStore?: ReadStore;
  readonly cache?: Cache;
  readonly eventStore?: EventStore;
  readonly notifications?: Notifications;
  readonly logger?: Logger;
}

/** Adapters chosen by CACHE: Redis shares them across gateway instances; otherwise SQLite and in-process (ioredis is then never loaded). */
const stateAdapters = async (config: GatewayConfig): Promise<{ refreshTokens: RefreshTokenStore; rateLimiter: RateLimiter; notifications: () => Notifications }> => {
  if (config.CACHE !== 'redis') {
    return {
      refreshTokens: createSqliteRefreshTokenStore({ path: join(config.NATIONPULSE_DATA_DIR, 'gateway.db') }),
      rateLimiter: createInProcessRateLimiter(),
      notifications: () => createInProcessNotifications(),
    };
  }
  const [{ createRedisRefreshTokenStore }, { createRedisRateLimiter }, { createRedisNotifications }] = await Promise.all([
    import('@nationpulse/redis/refresh-token-store'),
    import('@nationpulse/redis/rate-limiter'),
    import('@nationpulse/redis/notifications'),
  ]);
  return {
    refreshTokens: createRedisRefreshTokenStore({ url: config.REDIS_URL!, keyPrefix: config.REDIS_KEY_PREFIX }),
    rateLimiter: createRedisRateLimiter({ url: config.REDIS_URL!, keyPrefix: config.REDIS_KEY_PREFIX }),
    notifications: () => createRedisNotifications({ url: config.REDIS_URL!, keyPrefix: config.REDIS_KEY_PREFIX }),
  };
};

/**
 * Starts the gateway: the one entry point for clients. Stores, cache and notifications passed in
 * are shared and left open on close (the embedded platform owns them).
 */
export const startGatewayService = async (config: GatewayConfig, shared: GatewayShared = {}): Promise<GatewayService> => {
  const logger = shared.logger ?? createLogger('gateway', config.LOG_LEVEL);
  // Milliseconds, read several times per request (token, access, rate limits, micro-cache): no Date object each time.
  const now = () => Date.now();
  const readStore = shared.readStore ?? (await createReadStore(config));
  // The permissions hashes are kept by the projectors in a shared cache (Redis, or the embedded
  // platform's); a private in-process cache would hold none, so the read store answers alone.
  const cache = shared.cache ?? (config.CACHE === 'redis' ? await createCache(config) : null);
  const { refreshTokens, rateLimiter, notifications: createNotifications } = await stateAdapters(config);
  const notifications = shared.notifications ?? createNotifications();
  const metrics = createGatewayMetrics();

  const tokens = createTokenService({
    secret: config.JWT_SECRET ?? loadOrCreateSecret(config.NATIONPULSE_DATA_DIR),
    issuer: config.JWT_ISSUER,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    clock: systemClock,
  });
  const access = createAccessLookup({
    permissions: cache?.permissions ?? null,
    readStore,
    ttlMs: config.PERMISSIONS_CACHE_TTL_MS,
    now,
    onCacheError: (err) => logger.warn({ err }, 'permissions cache unavailable; reading the users read model'),
  });
  const auth = createAuthenticator({ tokens, access, now });
  const rateLimits = createRateLimits(
    rateLimiter,
    {
      userPerMinute: config.RATE_LIMIT_USER_PER_MINUTE,
      ipPerMinute: config.RATE_LIMIT_IP_PER_MINUTE,
      authPerMinute: config.RATE_LIMIT_AUTH_PER_MINUTE,
      exemptUsers: config.RATE_LIMIT_EXEMPT_USERS,
    },
    (err) => logger.warn({ err }, 'rate limiter unavailable; letting the request through'),
  );
  const authService = createAuthService({
    readStore,
    access,
    tokens,
    refreshTokens,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    now,
  });

  const origins: Record<UpstreamName, string> = {
    'read-api': config.READ_API_URL,
    'write-api': config.WRITE_API_URL,
    projectors: config.PROJECTORS_URL,
    ingestion: config.INGESTION_URL,
    reporting: config.REPORTING_URL,
  };
  const upstreams = Object.fromEntries(
    Object.entries(origins).map(([name, url]) => {
      metrics.breakerChanged(name, 'closed');
      return [
        name,
        createUpstream({
          name,
          url,
          timeoutMs: config.UPSTREAM_TIMEOUT_MS,
          retries: config.UPSTREAM_RETRIES,
          retryBackoffMs: config.UPSTREAM_RETRY_BACKOFF_MS,
          breaker: { failureThreshold: config.BREAKER_FAILURE_THRESHOLD, openMs: config.BREAKER_OPEN_MS },
          connections: config.UPSTREAM_CONNECTIONS,
          now,
          onBreakerChange: (state) => {
            metrics.breakerChanged(name, state);
            logger.warn({ upstream: name, state }, 'circuit breaker');
          },
          observe: (status, seconds) => metrics.observeUpstream(name, status, seconds),
        }),
      ];
    }),
  ) as Record<UpstreamName, Upstream>;

  let notifier: Notifier | null = null;
  let eventStore: EventStore | null = null;
  if (config.NOTIFIER_ENABLED) {
    eventStore = shared.eventStore ?? (await createEventStore(config));
    notifier = createNotifier({
      eventStore,
      notifications,
      dataChangedThrottleMs: config.NOTIFIER_DATA_CHANGED_THROTTLE_MS,
      now: () => systemClock.now(),
      onError: (err) => logger.warn({ err }, 'notifier'),
    });
    await notifier.start();
  }

  const gateway = await buildGatewayApp({
    logger,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    corsOrigins: config.CORS_ORIGINS,
    uiRoot: config.UI_DIST_DIR,
    sseHeartbeatMs: config.SSE_HEARTBEAT_MS,
    auth,
    access,
    rateLimits,
    authService,
    notifications,
    upstreams,
    breakerRetryAfterSeconds: Math.ceil(config.BREAKER_OPEN_MS / 1000),
    microCache: createMicroCache({ ttlMs: config.GATEWAY_MICRO_CACHE_TTL_MS, now }),
    metrics,
    pulse: () =>
      checkPulse(
        [
          ...Object.values(upstreams).map(upstreamHealthCheck),
          { name: 'read-store', probe: async () => (await readStore.ping(), {}) },
          ...(cache ? [{ name: 'cache', probe: async () => (await cache.ping(), {}) }] : []),
          ...(eventStore ? [{ name: 'event-store', probe: async () => ({ headPosition: String(await eventStore.headPosition()) }) }] : []),
        ],
        { timeoutMs: Math.min(config.UPSTREAM_TIMEOUT_MS, 2_000), now: () => systemClock.now() },
      ),
    health: async () => {
      const breakers = Object.fromEntries(Object.values(upstreams).map((u) => [u.name, u.breaker.state]));
      try {
        await readStore.ping();
        return { ok: true, details: { readStore: 'up', breakers } };
      } catch (e) {
        return { ok: false, details: { readStore: `down: ${String(e)}`, breakers } };
      }
    },
  });
  const { app } = gateway;
  const url = await app.listen({ host: config.GATEWAY_HOST, port: config.PORT });
  logger.info({ url, upstreams: origins, notifier: config.NOTIFIER_ENABLED }, 'gateway listening');

  return {
    url,
    routes: registeredRoutes(app),
    async close() {
      gateway.closeStreams();
      await app.close();
      await notifier?.stop();
      await Promise.allSettled([
        ...Object.values(upstreams).map((u) => u.close()),
        refreshTokens.close(),
        rateLimiter.close(),
        shared.notifications ? undefined : notifications.close(),
        shared.readStore ? undefined : readStore.close(),
        shared.cache ? undefined : cache?.close(),
        shared.eventStore ? undefined : eventStore?.close(),
      ]);
    },
  };
};

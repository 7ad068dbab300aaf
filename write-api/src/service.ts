import { createLogger, createMetricsRegistry, createTokenService, loadOrCreateSecret, registeredRoutes, systemClock, withEventStoreMetrics, type HttpRoute, type Logger, type RunningService } from '@nationpulse/platform';
import type { EventStore } from '@nationpulse/ports';
import { createEventStore } from '@nationpulse/wiring';
import { bootstrapAdmin } from './bootstrap-admin.ts';
import { createWriteSide } from './composition.ts';
import type { WriteApiConfig } from './config.ts';
import { startWriteGrpcServer } from './grpc/server.ts';
import { buildWriteApp } from './http/app.ts';

/** Embedded mode keeps a generated signing secret in the data folder (shared with the gateway); production passes JWT_SECRET. */
export const jwtSecret = (config: Pick<WriteApiConfig, 'JWT_SECRET' | 'NATIONPULSE_DATA_DIR'>): string =>
  config.JWT_SECRET ?? loadOrCreateSecret(config.NATIONPULSE_DATA_DIR);

export interface WriteApiService extends RunningService {
  readonly httpUrl: string;
  readonly grpcPort: number;
  /** Every HTTP route it answers (security tests check each one). */
  readonly routes: readonly HttpRoute[];
}

/**
 * Starts the write API (HTTP + gRPC). An event store passed in is shared and left open on close
 * (the embedded platform owns it); otherwise the service opens its own from the configuration.
 */
export const startWriteApiService = async (
  config: WriteApiConfig,
  shared: { eventStore?: EventStore; logger?: Logger; admin?: { username: string; password: string } } = {},
): Promise<WriteApiService> => {
  const logger = shared.logger ?? createLogger('write-api', config.LOG_LEVEL);
  const metrics = createMetricsRegistry('write-api');
  const eventStore = withEventStoreMetrics(shared.eventStore ?? (await createEventStore(config)), metrics);
  const clock = systemClock;
  const tokens = createTokenService({ secret: jwtSecret(config), issuer: config.JWT_ISSUER, accessTtlSeconds: 900, clock });
  const { dispatcher, access } = createWriteSide({ eventStore, tokens, clock });

  const admin = shared.admin ?? adminFromConfig(config);
  if (admin) logger.info({ username: admin.username, outcome: await bootstrapAdmin(eventStore, dispatcher, admin) }, 'first admin');

  /** One dependency check behind both the HTTP /health route and grpc.health.v1. */
  const eventStoreUp = async (): Promise<{ up: boolean; detail: Record<string, unknown> }> => {
    try {
      return { up: true, detail: { status: 'up', position: await eventStore.headPosition() } };
    } catch (e) {
      return { up: false, detail: { status: 'down', error: e instanceof Error ? e.message : String(e) } };
    }
  };

  const app = await buildWriteApp({
    dispatcher,
    access,
    logger,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    metrics,
    health: async () => {
      const store = await eventStoreUp();
      return { ok: store.up, details: { eventStore: store.detail } };
    },
  });
  const httpUrl = await app.listen({ host: config.WRITE_API_HOST, port: config.WRITE_API_HTTP_PORT });
  const grpcServer = await startWriteGrpcServer({
    host: config.WRITE_API_HOST,
    port: config.WRITE_API_GRPC_PORT,
    dispatcher,
    access,
    logger,
    metrics,
    health: async () => ({ eventstore: (await eventStoreUp()).up ? 'SERVING' : 'NOT_SERVING' }),
  });
  logger.info({ http: httpUrl, grpc: grpcServer.port }, 'write-api listening');

  return {
    httpUrl,
    grpcPort: grpcServer.port,
    routes: registeredRoutes(app),
    async close() {
      await Promise.all([app.close(), grpcServer.close()]);
      if (!shared.eventStore) await eventStore.close();
    },
  };
};

const adminFromConfig = (config: WriteApiConfig): { username: string; password: string } | undefined =>
  config.NATIONPULSE_ADMIN_USER && config.NATIONPULSE_ADMIN_PASSWORD ? { username: config.NATIONPULSE_ADMIN_USER, password: config.NATIONPULSE_ADMIN_PASSWORD } : undefined;

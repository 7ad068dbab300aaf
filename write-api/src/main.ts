import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError, createLogger, createTokenService, parseConfig, systemClock } from '@nationpulse/platform';
import { bootstrapAdmin } from './bootstrap-admin.ts';
import { createEventStore } from '@nationpulse/wiring';
import { createWriteSide } from './composition.ts';
import { writeApiConfigSchema, type WriteApiConfig } from './config.ts';
import { startWriteGrpcServer } from './grpc/server.ts';
import { buildWriteApp } from './http/app.ts';

/** Embedded mode keeps a generated signing secret in the data folder; production passes JWT_SECRET. */
const jwtSecret = (config: WriteApiConfig): string => {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  const file = join(config.NATIONPULSE_DATA_DIR, 'secrets', 'jwt.key');
  if (!existsSync(file)) {
    mkdirSync(join(config.NATIONPULSE_DATA_DIR, 'secrets'), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file, 'utf8').trim();
};

const main = async () => {
  let config: WriteApiConfig;
  try {
    config = parseConfig(writeApiConfigSchema);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`write-api: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger('write-api', config.LOG_LEVEL);
  const clock = systemClock;
  const eventStore = createEventStore(config);
  const tokens = createTokenService({ secret: jwtSecret(config), issuer: config.JWT_ISSUER, accessTtlSeconds: 900, clock });
  const { dispatcher, access } = createWriteSide({ eventStore, tokens, clock });

  const adminUser = process.env['NATIONPULSE_ADMIN_USER'];
  const adminPassword = process.env['NATIONPULSE_ADMIN_PASSWORD'];
  if (adminUser && adminPassword) {
    logger.info({ username: adminUser, outcome: await bootstrapAdmin(eventStore, dispatcher, { username: adminUser, password: adminPassword }) }, 'first admin');
  }

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
    health: async () => {
      const store = await eventStoreUp();
      return { ok: store.up, details: { eventStore: store.detail } };
    },
  });
  await app.listen({ host: config.WRITE_API_HOST, port: config.WRITE_API_HTTP_PORT });
  const grpcServer = await startWriteGrpcServer({
    host: config.WRITE_API_HOST,
    port: config.WRITE_API_GRPC_PORT,
    dispatcher,
    access,
    logger,
    health: async () => ({ eventstore: (await eventStoreUp()).up ? 'SERVING' : 'NOT_SERVING' }),
  });
  logger.info({ http: config.WRITE_API_HTTP_PORT, grpc: grpcServer.port }, 'write-api listening');

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await Promise.all([app.close(), grpcServer.close()]);
    await eventStore.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
};

await main();

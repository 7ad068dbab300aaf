import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createTokenService, systemClock, type TokenService } from '@nationpulse/platform';
import { freePort } from '@nationpulse/platform/testing';

/** The bootstrap admin of every test platform. */
export const ADMIN = { username: 'admin', password: 'a long admin password' };

/** The environment variables of the embedded platform's ports. */
export const PORT_KEYS = ['PORT', 'WRITE_API_HTTP_PORT', 'WRITE_API_GRPC_PORT', 'READ_API_HTTP_PORT', 'READ_API_GRPC_PORT', 'PROJECTORS_HTTP_PORT', 'REPORTING_HTTP_PORT', 'INGESTION_HTTP_PORT', 'INGESTION_GRPC_PORT'] as const;
export type PortKey = (typeof PORT_KEYS)[number];

/** Every port '0': each service picks its own and the platform reports its URLs. */
export const ephemeralPorts = (): Record<PortKey, string> => Object.fromEntries(PORT_KEYS.map((key) => [key, '0'])) as Record<PortKey, string>;

/** Free ports chosen now: for a platform run as a child process, whose URLs the test must know beforehand. */
export const freePorts = async (): Promise<Record<PortKey, string>> =>
  Object.fromEntries(await Promise.all(PORT_KEYS.map(async (key) => [key, String(await freePort())]))) as Record<PortKey, string>;

/**
 * The environment of a test platform in `dataDir`: ephemeral ports, the bootstrap admin, no demo
 * data, no UI build, quiet logs; `overrides` (ports, LOG_LEVEL, CACHE…) last.
 */
export const testPlatformEnv = (dataDir: string, overrides: Readonly<Record<string, string>> = {}): Record<string, string> => ({
  NATIONPULSE_DATA_DIR: dataDir,
  ...ephemeralPorts(),
  UI_DIST_DIR: join(dataDir, 'no-ui'),
  NATIONPULSE_ADMIN_USER: ADMIN.username,
  NATIONPULSE_ADMIN_PASSWORD: ADMIN.password,
  NATIONPULSE_SEED_DEMO: 'false',
  LOG_LEVEL: 'silent',
  ...overrides,
});

/**
 * The bootstrap admin of the platform in `dataDir`, signed in without the gateway: its id from the
 * event log, a token made with the secret embedded mode keeps in the data folder (the `tokens`
 * service signs for any other user too).
 */
export const signInAsAdmin = async (dataDir: string, accessTtlSeconds = 3_600): Promise<{ userId: string; token: string; tokens: TokenService; secret: string }> => {
  const secret = readFileSync(join(dataDir, 'secrets', 'jwt.key'), 'utf8').trim();
  const tokens = createTokenService({ secret, issuer: 'nationpulse', accessTtlSeconds, clock: systemClock });
  const events = createSqliteEventStore({ path: join(dataDir, 'events.db') });
  let userId = '';
  try {
    for await (const e of events.readAll({ filter: { eventTypes: ['UserRegistered'] } })) {
      userId = (e.data as { userId: string }).userId;
      break;
    }
  } finally {
    await events.close();
  }
  if (!userId) throw new Error(`no user registered in ${dataDir}`);
  return { userId, token: await tokens.issueAccessToken({ sub: userId, username: ADMIN.username }), tokens, secret };
};

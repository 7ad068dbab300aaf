import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The token signing secret of embedded mode: generated once into the data folder and shared by
 * the services that issue (gateway) and verify (write API, gateway) tokens. Production passes
 * JWT_SECRET instead.
 */
export const loadOrCreateSecret = (dataDir: string, name = 'jwt.key'): string => {
  const file = join(dataDir, 'secrets', name);
  mkdirSync(join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    // Another service created it first: use theirs.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return readFileSync(file, 'utf8').trim();
};

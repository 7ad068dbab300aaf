import { ConfigError, parseConfig } from '@nationpulse/platform';
import { describe, expect, it } from 'vitest';
import { readApiConfigSchema } from './config.ts';

describe('read API configuration', () => {
  it('runs embedded by default', () => {
    expect(parseConfig(readApiConfigSchema, {})).toEqual({
      READ_API_HOST: '127.0.0.1',
      READ_API_HTTP_PORT: 8082,
      READ_API_GRPC_PORT: 50052,
      EVENT_STORE: 'sqlite',
      READ_STORE: 'sqlite',
      MONGO_DATABASE: 'nationpulse',
      NATIONPULSE_DATA_DIR: './data',
      CACHE: 'inprocess',
      READ_WAIT_TIMEOUT_MS: 2000,
      READ_CACHE_MAX_AGE_SECONDS: 30,
      READ_RESPONSE_CACHE_TTL_MS: 2000,
      JWT_ISSUER: 'nationpulse',
      REDIS_KEY_PREFIX: 'np:',
      LOG_LEVEL: 'info',
    });
  });

  it('needs the URLs of the distributed backends, and names the key to fix', () => {
    const keysAtFault = (env: Record<string, string>) => {
      try {
        parseConfig(readApiConfigSchema, env);
      } catch (e) {
        if (e instanceof ConfigError) return e.issues.map((i) => i.key).sort();
        throw e;
      }
      return [];
    };
    expect(keysAtFault({ READ_STORE: 'mongodb', CACHE: 'redis' })).toEqual(['MONGO_URL', 'REDIS_URL']);
    expect(keysAtFault({ READ_WAIT_TIMEOUT_MS: '0', READ_API_HTTP_PORT: 'http', MONGO_URL: 'localhost:27017' })).toEqual(['MONGO_URL', 'READ_API_HTTP_PORT', 'READ_WAIT_TIMEOUT_MS']);
    const distributed = parseConfig(readApiConfigSchema, { READ_STORE: 'mongodb', MONGO_URL: 'mongodb://db:27017', CACHE: 'redis', REDIS_URL: 'redis://cache:6379' });
    expect(distributed).toMatchObject({ READ_STORE: 'mongodb', MONGO_URL: 'mongodb://db:27017', CACHE: 'redis', REDIS_URL: 'redis://cache:6379' });
  });
});

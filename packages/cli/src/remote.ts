import { createApiClient, type ApiClient } from './api-client.ts';
import type { Connection } from './args.ts';
import { configDir, type CliContext } from './context.ts';
import { createFileSessionStore, type SessionStore } from './session-store.ts';

export const sessionStoreOf = (ctx: CliContext): SessionStore => createFileSessionStore(configDir(ctx.env));

/** The API client for a command: NATIONPULSE_TOKEN when set, else the session saved for this URL. */
export const apiClientFor = (connection: Connection, ctx: CliContext): ApiClient => {
  const token = ctx.env['NATIONPULSE_TOKEN'];
  return createApiClient({
    baseUrl: connection.baseUrl,
    timeoutMs: connection.timeoutMs,
    credentials: token ? { kind: 'token', token } : { kind: 'session', store: sessionStoreOf(ctx) },
    signal: ctx.signal,
    now: ctx.now,
  });
};

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RateLimits } from '../access/rate-limits.ts';
import { guard, withRetryAfter, type GuardDeps } from '../routing/proxy-routes.ts';
import type { AuthService } from './auth-service.ts';

export interface AuthRoutesOptions extends GuardDeps {
  readonly service: AuthService;
  readonly rateLimits: RateLimits;
}

const tokenPair = z.object({
  accessToken: z.string().describe('JWT (HS256), send as Authorization: Bearer <token>'),
  refreshToken: z.string().describe('Opaque; single use: each refresh returns a new one'),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().describe('Seconds until the access token expires'),
});
const refreshBody = z.object({ refreshToken: z.string().min(1).max(200) });
const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });

/** Sign in, refresh (rotating), sign out, and who am I. */
export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (app, options) => {
  const { service, rateLimits } = options;

  app.post(
    '/signin',
    {
      schema: {
        summary: 'Sign in with username and password',
        tags: ['auth'],
        body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1_024) }),
        response: { 200: tokenPair, 401: errorBody.describe('INVALID_CREDENTIALS'), 429: errorBody.describe('RATE_LIMITED') },
      },
    },
    async (request, reply) => {
      await withRetryAfter(reply, () => rateLimits.checkAuth(request.ip));
      reply.header('cache-control', 'no-store');
      return service.signIn(request.body.username, request.body.password);
    },
  );

  app.post(
    '/refresh',
    {
      schema: {
        summary: 'Exchange a refresh token for new tokens (the old refresh token is spent; presenting it again signs the session out)',
        tags: ['auth'],
        body: refreshBody,
        response: { 200: tokenPair, 401: errorBody.describe('REFRESH_TOKEN_INVALID | REFRESH_TOKEN_EXPIRED | REFRESH_TOKEN_REVOKED | REFRESH_TOKEN_REUSED') },
      },
    },
    async (request, reply) => {
      await withRetryAfter(reply, () => rateLimits.checkAuth(request.ip));
      reply.header('cache-control', 'no-store');
      return service.refresh(request.body.refreshToken);
    },
  );

  app.post(
    '/signout',
    { schema: { summary: 'Sign out: revoke the refresh token and every token rotated from it', tags: ['auth'], body: refreshBody, response: { 204: z.null(), 401: errorBody } } },
    async (request, reply) => {
      await service.signOut(request.body.refreshToken);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/me',
    {
      schema: {
        summary: 'The signed-in user: id, username, roles and effective permissions',
        tags: ['auth'],
        security: [{ bearerAuth: [] }],
        response: { 200: z.object({ userId: z.string(), username: z.string(), roles: z.array(z.string()), permissions: z.array(z.string()) }) },
      },
      onRequest: guard(options, 'data:read'),
    },
    async (request) => {
      const user = request.user!;
      return { userId: user.userId, username: user.username, roles: [...user.roles], permissions: [...user.permissions].sort() };
    },
  );
};

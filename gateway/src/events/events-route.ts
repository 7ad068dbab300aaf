import { bearerToken, type AccessLookup } from '@nationpulse/platform';
import type { Notification, Notifications } from '@nationpulse/ports';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { guard, type GuardDeps } from '../routing/proxy-routes.ts';

export interface EventsRouteOptions extends GuardDeps {
  readonly notifications: Notifications;
  readonly access: AccessLookup;
  readonly heartbeatMs: number;
  /** Sets CORS headers on the hijacked response as the CORS plugin would. */
  readonly corsHeaders: (origin: string | undefined) => Record<string, string>;
  readonly onError: (error: unknown) => void;
}

/** Every open stream, so the gateway can end them when it shuts down. */
export interface OpenStreams {
  closeAll(): void;
}

const frame = (n: Notification): string => `id: ${n.id}\nevent: ${n.type}\ndata: ${JSON.stringify({ type: n.type, at: n.at, data: n.data })}\n\n`;

/**
 * GET /api/v1/events: server-sent events for the signed-in user only — their reports, and the
 * broadcasts their permissions allow (ingestion progress for ingestion:trigger, data changes for
 * data:read), checked against their current access when each arrives. The stream ends when the
 * access token expires; the client reconnects with a fresh one. Browsers' EventSource cannot send
 * headers, so the token may also come as `?access_token=`.
 */
export const eventsRoute = (streams: Set<() => void>): FastifyPluginAsyncZod<EventsRouteOptions> => async (app, options) => {
  app.get(
    '/events',
    {
      schema: {
        summary: 'Live notifications (server-sent events): report.ready / report.failed, ingestion.started / completed / failed, data.changed',
        tags: ['events'],
        security: [{ bearerAuth: [] }],
        querystring: z.object({ access_token: z.string().optional().describe('For EventSource, which cannot send an Authorization header') }),
        produces: ['text/event-stream'],
      },
      onRequest: guard(options, 'data:read', (request) => bearerToken(request.headers.authorization) ?? (request.query as { access_token?: string }).access_token),
    },
    async (request, reply) => {
      const user = request.user!;
      const origin = request.headers.origin;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
        ...options.corsHeaders(typeof origin === 'string' ? origin : undefined),
      });
      res.write(`retry: 3000\nevent: ready\ndata: ${JSON.stringify({ userId: user.userId })}\n\n`);

      let closed = false;
      const deliver = (n: Notification) => {
        if (closed) return;
        if (!n.requires) {
          res.write(frame(n));
          return;
        }
        // Broadcasts are for those allowed to see them, as of now (a revoked permission stops them).
        options.access.get(user.userId).then(
          (access) => {
            if (!closed && access && !access.disabled && access.permissions.has(n.requires!)) res.write(frame(n));
          },
          options.onError,
        );
      };
      const subscription = await options.notifications.subscribe(user.userId, deliver).catch((error: unknown) => {
        options.onError(error);
        return null;
      });
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs);
      const expiry = setTimeout(() => end('token-expired'), Math.max(0, user.tokenExpiresAt - Date.now()));
      const end = (reason: string) => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        clearTimeout(expiry);
        streams.delete(stop);
        subscription?.close().catch(options.onError);
        if (!res.writableEnded) res.end(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
      };
      const stop = () => end('shutdown');
      streams.add(stop);
      if (!subscription) end('notifications-unavailable');
      request.raw.once('close', () => end('client-closed'));
    },
  );
};

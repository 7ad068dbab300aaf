import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

export interface Reply {
  readonly status?: number;
  readonly json?: unknown;
  readonly body?: Buffer | string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Answer only after this long (timeouts). */
  readonly delayMs?: number;
  /** Drop the connection instead of answering. */
  readonly drop?: boolean;
}

export type Handler = (request: RecordedRequest, params: Readonly<Record<string, string>>) => Reply | Promise<Reply>;

export interface FakeGateway {
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  route(method: string, pattern: string, handler: Handler): void;
  close(): Promise<void>;
}

export const apiError = (status: number, code: string, message: string, details?: unknown): Reply => ({ status, json: { error: { code, message, ...(details === undefined ? {} : { details }) } } });

/** 401 unless the request carries `Bearer <token>`; expired tokens answer TOKEN_EXPIRED like the gateway. */
export const bearerCheck = (request: RecordedRequest, valid: ReadonlySet<string>, expired: ReadonlySet<string> = new Set()): Reply | null => {
  const auth = request.headers.authorization;
  if (!auth) return apiError(401, 'TOKEN_MISSING', 'Sign in: no bearer token');
  const token = auth.replace(/^Bearer /, '');
  if (expired.has(token)) return apiError(401, 'TOKEN_EXPIRED', 'The access token has expired');
  return valid.has(token) ? null : apiError(401, 'TOKEN_INVALID', 'The access token is invalid');
};

/**
 * A stand-in for the gateway on 127.0.0.1: routes answer recorded JSON in the real API's shapes,
 * and every request is kept for the test to inspect. Unknown routes answer 404 like the gateway.
 */
export const startFakeGateway = async (): Promise<FakeGateway> => {
  const routes: { method: string; parts: string[]; handler: Handler }[] = [];
  const requests: RecordedRequest[] = [];
  const match = (parts: string[], path: string): Record<string, string> | null => {
    const segments = path.split('/');
    if (segments.length !== parts.length) return null;
    const params: Record<string, string> = {};
    for (const [i, part] of parts.entries()) {
      const segment = segments[i] ?? '';
      if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(segment);
      else if (part !== segment) return null;
    }
    return params;
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const text = Buffer.concat(chunks).toString('utf8');
      const request: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
      requests.push(request);
      const found = routes
        .filter((r) => r.method === request.method)
        .map((r) => ({ r, params: match(r.parts, url.pathname) }))
        .find((m) => m.params !== null);
      void (async () => {
        const reply = found ? await found.r.handler(request, found.params!) : apiError(404, 'ROUTE_NOT_FOUND', `No route ${request.method} ${url.pathname}`);
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        if (res.destroyed) return;
        if (reply.drop) return void req.socket.destroy();
        const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.body ?? '');
        res.writeHead(reply.status ?? 200, { ...(reply.json !== undefined ? { 'content-type': 'application/json' } : {}), ...reply.headers });
        res.end(body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route(method, pattern, handler) {
      routes.unshift({ method, parts: pattern.split('/'), handler });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

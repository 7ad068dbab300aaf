import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export type Handler = (req: IncomingMessage, res: ServerResponse, call: number) => void;

export interface TestServer {
  readonly url: string;
  /** Paths with query of every request received, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * A local HTTP server on 127.0.0.1 (random port) answering with `handler` — the n-th call gets
 * n (from 1). Stands in for the World Bank and OECD APIs in unit tests: no network needed.
 */
export const startTestServer = async (handler: Handler): Promise<TestServer> => {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res, requests.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

export const sendJson = (res: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

/** Starts test servers inside tests and closes them after each test. */
export const useTestServers = (): { start(handler: Handler): Promise<TestServer> } => {
  const started: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.close()));
  });
  return {
    start: async (handler) => {
      const server = await startTestServer(handler);
      started.push(server);
      return server;
    },
  };
};

import { existsSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import compress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

export interface UiRoutesOptions {
  /** The web UI's build (packages/web/dist). */
  readonly root: string;
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>NationPulse</title></head>
<body><h1>NationPulse</h1><p>The web UI is not built. Build it with <code>npm run build -w @nationpulse/web</code> and reload.</p>
<p>The API is up: <a href="/docs">API docs</a> · <a href="/openapi.json">OpenAPI document</a>.</p></body></html>`;

/** Vite names built assets by content hash, so they can be cached for good. */
const HASHED = /[.-][A-Za-z0-9_-]{8,}\.(js|css|woff2?|png|svg|jpg|webp|json)$/;

/**
 * The single-page UI: files from the build (hashed assets cached for a year, the rest
 * revalidated), index.html for any other GET outside /api so client-side routes work on reload,
 * compressed. Without a build, `/` says so.
 */
export const uiRoutes: FastifyPluginAsync<UiRoutesOptions> = async (app, { root }) => {
  await app.register(compress, { global: true, threshold: 1_024 });
  await app.register(fastifyStatic, { root, serve: false });
  const built = () => existsSync(join(root, 'index.html'));

  const fileFor = (urlPath: string): string | null => {
    const relative = normalize(decodeURIComponent(urlPath)).replace(/^([/\\])+/, '');
    if (!relative || relative.startsWith('..') || relative.includes(`${sep}..`)) return null;
    const full = join(root, relative);
    try {
      return statSync(full).isFile() ? relative : null;
    } catch {
      return null;
    }
  };

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (path.startsWith('/api/')) return reply.callNotFound();
    if (!built()) return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
    let file: string | null = null;
    try {
      file = fileFor(path);
    } catch {
      file = null; // undecodable path: the app shell decides
    }
    if (file && file !== 'index.html') {
      return HASHED.test(file)
        ? reply.sendFile(file, { maxAge: '365d', immutable: true })
        : reply.sendFile(file, { maxAge: 0, cacheControl: true });
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  });
};

import type { FastifyPluginAsync } from 'fastify';

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>NationPulse API</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/docs/docs.css"></head>
<body><header><h1>NationPulse API</h1><p>Generated from <a href="/openapi.json">/openapi.json</a>.
Sign in below, then try any operation; the access token is kept in this tab only.</p>
<form id="signin"><input name="username" placeholder="username" autocomplete="username"> <input name="password" type="password" placeholder="password" autocomplete="current-password"> <button>Sign in</button> <span id="who"></span></form></header>
<main id="ops">Loading…</main><script src="/docs/docs.js"></script></body></html>`;

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1000px;padding:1em}h1{margin:.2em 0}
details{border:1px solid #ccc;border-radius:4px;margin:.4em 0;padding:.3em .6em}summary{cursor:pointer}
.m{display:inline-block;width:4.5em;font-weight:bold}.GET{color:#0a6}.POST{color:#06c}.DELETE{color:#c30}
pre{background:#f4f4f4;padding:.5em;overflow:auto;max-height:30em}label{display:block;margin:.2em 0}input,textarea{font:inherit}textarea{width:100%;height:6em}`;

/** A small, dependency-free explorer of the OpenAPI document (no inline script, so the CSP stays strict). */
const SCRIPT = `(() => {
  const $ = (tag, attrs = {}, ...kids) => { const e = document.createElement(tag); Object.assign(e, attrs); e.append(...kids); return e; };
  let token = sessionStorage.getItem('np-token') || '';
  const who = document.getElementById('who');
  if (token) who.textContent = 'signed in';
  document.getElementById('signin').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const res = await fetch('/api/v1/auth/signin', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: f.get('username'), password: f.get('password') }) });
    const body = await res.json();
    if (res.ok) { token = body.accessToken; sessionStorage.setItem('np-token', token); who.textContent = 'signed in'; } else who.textContent = body.error ? body.error.code : res.status;
  });
  const operation = (path, method, op) => {
    const params = (op.parameters || []).filter((p) => p.in === 'path' || p.in === 'query');
    const inputs = params.map((p) => { const i = $('input', { name: p.name, placeholder: p.schema && p.schema.description || '' }); return [p, $('label', {}, p.name + (p.required ? '*' : '') + ' (' + p.in + ') ', i), i]; });
    const hasBody = !!op.requestBody;
    const body = $('textarea', { value: hasBody ? '{}' : '' });
    const out = $('pre');
    const run = $('button', { textContent: 'Send' });
    run.addEventListener('click', async () => {
      let url = path; const q = new URLSearchParams();
      for (const [p, , i] of inputs) { if (!i.value) continue; if (p.in === 'path') url = url.replace('{' + p.name + '}', encodeURIComponent(i.value)); else q.set(p.name, i.value); }
      const headers = token ? { authorization: 'Bearer ' + token } : {};
      if (hasBody) headers['content-type'] = 'application/json';
      const started = performance.now();
      const res = await fetch(url + (q.size ? '?' + q : ''), { method: method.toUpperCase(), headers, body: hasBody ? body.value : undefined });
      const text = await res.text();
      out.textContent = res.status + ' ' + res.statusText + ' (' + Math.round(performance.now() - started) + ' ms)' + (res.headers.get('x-position') ? ' X-Position: ' + res.headers.get('x-position') : '') + '\\n\\n' + text;
    });
    return $('details', {}, $('summary', {}, $('span', { className: 'm ' + method.toUpperCase(), textContent: method.toUpperCase() }), path + ' — ' + (op.summary || '')),
      $('p', { textContent: op.description || '' }), ...inputs.map(([, l]) => l), ...(hasBody ? [$('label', {}, 'JSON body', body)] : []), run, out);
  };
  fetch('/openapi.json').then((r) => r.json()).then((doc) => {
    const main = document.getElementById('ops'); main.textContent = '';
    const byTag = new Map();
    for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(operation(path, method, op));
    }
    for (const [tag, ops] of byTag) main.append($('h2', { textContent: tag }), ...ops);
  });
})();`;

/** Interactive API docs at /docs, rendered in the browser from the gateway's own OpenAPI document. */
export const docsRoutes: FastifyPluginAsync = async (app) => {
  app.get('/docs', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get('/docs/docs.js', { schema: { hide: true } }, async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(SCRIPT));
  app.get('/docs/docs.css', { schema: { hide: true } }, async (_req, reply) => reply.type('text/css; charset=utf-8').send(CSS));
};

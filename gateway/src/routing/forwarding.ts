import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** Connection-level headers (RFC 9110 §7.6.1) and those the client of the next hop computes itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * W3C trace context for the hop to the upstream: the caller's trace id and flags when it sent a
 * valid `traceparent`, a new trace otherwise; the gateway's own span id as the parent.
 */
export const nextTraceparent = (incoming: string | undefined): string => {
  const match = incoming ? TRACEPARENT.exec(incoming) : null;
  // randomUUID draws from a cached entropy pool: much cheaper per request than randomBytes.
  const fresh = randomUUID().replaceAll('-', '');
  const traceId = match && !/^0+$/.test(match[1]!) ? match[1]! : fresh;
  const flags = match ? match[3]! : '01';
  return `00-${traceId}-${fresh.slice(16)}-${flags}`;
};

/** The headers sent upstream: the client's end-to-end headers plus request id, trace context and forwarding info. */
export const upstreamHeaders = (request: FastifyRequest, body: boolean): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  out['x-request-id'] = request.id;
  const traceparent = request.headers.traceparent;
  out.traceparent = nextTraceparent(typeof traceparent === 'string' ? traceparent : undefined);
  const forwardedFor = request.headers['x-forwarded-for'];
  out['x-forwarded-for'] = forwardedFor ? `${String(forwardedFor)}, ${request.ip}` : request.ip;
  out['x-forwarded-proto'] = request.protocol;
  if (request.host) out['x-forwarded-host'] = request.host;
  if (body) out['content-type'] = 'application/json';
  else delete out['content-type'];
  return out;
};

/** The upstream's answer headers worth passing on to the client (X-Position, ETag, Cache-Control, …). */
export const clientHeaders = (headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === 'x-request-id' || name === 'date') continue;
    out[name] = value;
  }
  return out;
};

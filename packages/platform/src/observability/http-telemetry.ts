import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { latencyHistogramOnce } from './metrics.ts';
import { extractContext, traceIdOf, traceparentOf } from './trace-context.ts';
import { tracingActive } from './tracing.ts';

const spans = new WeakMap<FastifyRequest, Span>();
const tracer = trace.getTracer('nationpulse-http');

/** The `traceparent` a handler hands on (to events it appends, calls it makes): its server span's, or the caller's. */
export const requestTraceparent = (request: FastifyRequest): string | null =>
  traceparentOf(spans.get(request)) ?? (typeof request.headers.traceparent === 'string' ? request.headers.traceparent : null);

/**
 * Per-request telemetry: a server span continuing the caller's trace, the trace id on every log
 * line of the request, and a latency histogram by method, route pattern and status.
 */
export const installHttpTelemetry = (app: FastifyInstance, registry: Registry | undefined): void => {
  const duration = registry
    ? latencyHistogramOnce(registry, 'nationpulse_http_request_duration_seconds', 'HTTP request latency by route', ['method', 'route', 'status_code'])
    : undefined;
  // The histogram's child per label set, found by one string key instead of hashing a labels object
  // on every answer (bounded: method × route pattern × status).
  const observers = new Map<string, (seconds: number) => void>();
  const observe = (method: string, route: string, status: number, seconds: number) => {
    if (!duration) return;
    const key = `${method} ${route} ${status}`;
    let observer = observers.get(key);
    if (!observer) {
      observer = duration.observer({ method, route, status_code: String(status) });
      observers.set(key, observer);
    }
    observer(seconds);
  };
  // Callback-style hooks: no promise per request for work that never waits.
  app.addHook('onRequest', (request, _reply, done) => {
    const traceparent = typeof request.headers.traceparent === 'string' ? request.headers.traceparent : undefined;
    if (!tracingActive()) {
      // No spans: the caller's trace id still goes on the request's log lines.
      const traceId = traceparent ? traceIdOf(undefined, traceparent) : undefined;
      if (traceId) request.log = request.log.child({ trace_id: traceId });
      done();
      return;
    }
    const route = request.routeOptions.url ?? 'unmatched';
    const span = tracer.startSpan(`${request.method} ${route}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route } }, extractContext(request.headers));
    if (span.isRecording()) spans.set(request, span);
    const traceId = traceIdOf(span, traceparent);
    if (traceId) request.log = request.log.child({ trace_id: traceId });
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    observe(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
};

import type * as grpc from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { extractContext, histogramOnce, traceparentOf } from '@nationpulse/platform';
import type { Registry } from 'prom-client';

const tracer = trace.getTracer('nationpulse-grpc');

type Handler = (call: grpc.ServerUnaryCall<unknown, unknown> & grpc.ServerWritableStream<unknown, unknown>, callback?: grpc.sendUnaryData<unknown>) => void;

const statusName = (code: number | undefined): string => (code === undefined || code === 0 ? 'OK' : String(code));

/**
 * The service implementation with a server span per call (continuing the caller's
 * `traceparent` metadata) and `nationpulse_grpc_server_duration_seconds{method,code}`.
 * Unary and server-streaming methods are measured; other kinds pass through untouched. When the
 * span records, the call's `traceparent` metadata is replaced by the span's, so what the handler
 * hands on is parented to this call.
 */
export const instrumentService = (
  definition: grpc.ServiceDefinition,
  implementation: grpc.UntypedServiceImplementation,
  registry: Registry | undefined,
): grpc.UntypedServiceImplementation => {
  const duration = registry
    ? histogramOnce(registry, 'nationpulse_grpc_server_duration_seconds', 'gRPC call latency by method and status code', ['method', 'code'])
    : undefined;
  const instrumented: grpc.UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(implementation)) {
    const method = definition[name];
    if (!method || method.requestStream) {
      instrumented[name] = handler;
      continue;
    }
    const start = (call: { metadata: grpc.Metadata }): { span: Span; finish: (code: number | undefined) => void } => {
      const traceparent = call.metadata.get('traceparent')[0];
      const span = tracer.startSpan(method.path, { kind: SpanKind.SERVER, attributes: { 'rpc.system': 'grpc', 'rpc.method': method.path } }, extractContext(typeof traceparent === 'string' ? { traceparent } : {}));
      // Handlers read `traceparent` from the metadata (into event metadata, onward calls): hand on this span.
      const own = span.isRecording() ? traceparentOf(span) : null;
      if (own) call.metadata.set('traceparent', own);
      const end = duration?.startTimer({ method: method.path });
      let finished = false;
      return {
        span,
        finish: (code) => {
          if (finished) return;
          finished = true;
          end?.({ code: statusName(code) });
          if (code) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        },
      };
    };
    const original = handler as unknown as Handler;
    instrumented[name] = (method.responseStream
      ? (call: Parameters<Handler>[0]) => {
          const { finish } = start(call);
          call.once('finish', () => finish(0));
          call.once('error', (e: { code?: number }) => finish(e.code ?? 2));
          call.once('cancelled', () => finish(1));
          original(call);
        }
      : (call: Parameters<Handler>[0], callback: grpc.sendUnaryData<unknown>) => {
          const { finish } = start(call);
          original(call, (error, ...rest) => {
            finish(error ? (error.code ?? 2) : 0);
            callback(error, ...rest);
          });
        }) as unknown as grpc.UntypedHandleCall;
  }
  return instrumented;
};

import { context, propagation, ROOT_CONTEXT, trace, type Context, type Span } from '@opentelemetry/api';

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}$/;

type Carrier = Record<string, string | string[] | undefined>;

const getter = {
  keys: (carrier: Carrier) => Object.keys(carrier),
  get: (carrier: Carrier, key: string) => carrier[key.toLowerCase()],
};

/** The trace context a request or message carries (W3C `traceparent` header / metadata / Kafka header). */
export const extractContext = (carrier: Carrier): Context => propagation.extract(ROOT_CONTEXT, carrier, getter);

/** The `traceparent` to hand on for a span: what downstream calls, events and messages carry. */
export const traceparentOf = (span: Span | undefined): string | null => {
  if (!span) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  return carrier['traceparent'] ?? null;
};

/**
 * The trace id for log lines: the span's when tracing is on, else the one of an incoming
 * `traceparent` header, so logs of one request correlate across services either way.
 */
export const traceIdOf = (span: Span | undefined, traceparent: string | undefined): string | undefined => {
  const spanContext = span?.spanContext();
  if (spanContext && trace.isSpanContextValid(spanContext)) return spanContext.traceId;
  return traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined;
};

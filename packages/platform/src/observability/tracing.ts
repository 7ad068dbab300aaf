import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';

export interface Tracing {
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

let started = 0;

/**
 * Whether this process exports traces (startTracing was given an endpoint and is not shut down).
 * When it does not, the telemetry makes no spans at all: the API's no-op tracer would hand back a
 * non-recording span, but creating it, its attributes and the extracted context cost CPU on every
 * request for nothing.
 */
export const tracingActive = (): boolean => started > 0;

/**
 * OpenTelemetry tracing for one service process: exported over OTLP/HTTP to `otlpEndpoint`
 * (e.g. http://jaeger:4318) when configured, off otherwise — then no spans are made
 * (tracingActive). Spans are made by the platform's HTTP and gRPC telemetry and carried in event
 * metadata and Kafka headers as W3C `traceparent`.
 */
export const startTracing = (options: { service: string; otlpEndpoint?: string | undefined }): Tracing => {
  if (!options.otlpEndpoint) return { enabled: false, shutdown: async () => undefined };
  const sdk = new NodeSDK({
    serviceName: options.service,
    traceExporter: new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces`, timeoutMillis: 5_000 }),
    instrumentations: [],
  });
  sdk.start();
  started += 1;
  let stopped = false;
  return {
    enabled: true,
    shutdown: async () => {
      if (!stopped) {
        stopped = true;
        started -= 1;
      }
      await sdk.shutdown();
    },
  };
};

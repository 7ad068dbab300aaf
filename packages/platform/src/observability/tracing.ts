import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';

export interface Tracing {
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry tracing for one service process: exported over OTLP/HTTP to `otlpEndpoint`
 * (e.g. http://jaeger:4318) when configured, off otherwise — then the API's no-op tracer makes
 * every span free. Spans are made by the platform's HTTP and gRPC telemetry and carried in event
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
  return { enabled: true, shutdown: () => sdk.shutdown() };
};

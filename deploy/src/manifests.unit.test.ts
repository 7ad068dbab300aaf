/**
 * Distributed mode cannot run on the development machines (no Docker engine, no cluster), so its
 * files are checked here as far as tools allow: they parse, every service they start exists and
 * is configured only with keys its config schema knows, with values that schema accepts; ports,
 * probes, scrape targets and dashboard metrics agree with the code.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gatewayConfigSchema } from '@nationpulse/gateway';
import { ingestionServiceConfigSchema } from '@nationpulse/ingestion';
import { parseConfig, telemetryConfigSchema } from '@nationpulse/platform';
import { projectorsConfigSchema } from '@nationpulse/projectors';
import { readApiConfigSchema } from '@nationpulse/read-api';
import { reportingConfigSchema } from '@nationpulse/reporting';
import { writeApiConfigSchema } from '@nationpulse/write-api';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { z } from 'zod';

const root = resolve(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Each service: its schema, entry point, HTTP port key and (where it has one) gRPC port key. */
const services: Record<string, { schema: z.ZodType; entry: string; httpPort: string; grpcPort?: string }> = {
  'write-api': { schema: writeApiConfigSchema, entry: 'write-api/src/main.ts', httpPort: 'WRITE_API_HTTP_PORT', grpcPort: 'WRITE_API_GRPC_PORT' },
  'read-api': { schema: readApiConfigSchema, entry: 'read-api/src/main.ts', httpPort: 'READ_API_HTTP_PORT', grpcPort: 'READ_API_GRPC_PORT' },
  projectors: { schema: projectorsConfigSchema, entry: 'projectors/src/main.ts', httpPort: 'PROJECTORS_HTTP_PORT' },
  ingestion: { schema: ingestionServiceConfigSchema, entry: 'ingestion/src/main.ts', httpPort: 'INGESTION_HTTP_PORT', grpcPort: 'INGESTION_GRPC_PORT' },
  reporting: { schema: reportingConfigSchema, entry: 'reporting/src/main.ts', httpPort: 'REPORTING_HTTP_PORT' },
  gateway: { schema: gatewayConfigSchema, entry: 'gateway/src/main.ts', httpPort: 'PORT' },
};

const keysOf = (schema: z.ZodType): Set<string> => {
  const shape = (schema as unknown as { shape?: Record<string, unknown>; def?: { in?: z.ZodType; schema?: z.ZodType } }).shape;
  if (shape) return new Set(Object.keys(shape));
  const def = (schema as unknown as { def: { in?: z.ZodType; schema?: z.ZodType } }).def;
  const inner = def.in ?? def.schema;
  if (!inner) throw new Error('cannot read the keys of a config schema');
  return keysOf(inner);
};
const telemetryKeys = keysOf(telemetryConfigSchema);

/** The port a service listens on by default (what compose and Kubernetes rely on when they do not set it). */
const defaultPort = (name: string, key: string): number => (parseConfig(services[name]!.schema as z.ZodObject, {}) as Record<string, number>)[key]!;

/** `${VAR:?message}` / `${VAR:-default}` as docker compose would expand them with the documented variables set. */
const expand = (value: unknown): string =>
  String(value).replace(/\$\{([A-Z_]+)(?::[?-]([^}]*))?\}/g, (_m, name: string, fallback?: string) =>
    name === 'JWT_SECRET' ? 'x'.repeat(48) : name === 'NATIONPULSE_ADMIN_PASSWORD' ? 'a long admin password' : name === 'NATIONPULSE_ADMIN_USER' ? 'admin' : (fallback ?? ''),
  );

const expectConfigured = (name: string, env: Record<string, string>) => {
  const service = services[name]!;
  const known = keysOf(service.schema);
  const unknown = Object.keys(env).filter((k) => !known.has(k) && !telemetryKeys.has(k));
  expect(unknown, `${name}: keys its config schema does not know`).toEqual([]);
  expect(() => parseConfig(service.schema as z.ZodObject, env), `${name}: configuration rejected`).not.toThrow();
  expect(() => parseConfig(telemetryConfigSchema, env)).not.toThrow();
};

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as {
    services: Record<string, { build?: string; command?: string[]; environment?: Record<string, unknown>; ports?: string[]; image?: string; depends_on?: unknown }>;
  };

  it('starts every NationPulse service from the project image, plus the infrastructure the issue names', () => {
    const built = Object.entries(compose.services).filter(([, s]) => s.build).map(([n]) => n);
    expect(built.sort()).toEqual(Object.keys(services).sort());
    for (const infra of ['kurrentdb', 'kafka', 'mongodb', 'redis', 'prometheus', 'grafana', 'jaeger']) expect(compose.services[infra]?.image, infra).toBeTruthy();
  });

  it.each(Object.keys(services))('%s runs its entry point with a configuration its schema accepts', (name) => {
    const service = compose.services[name]!;
    expect(service.command).toEqual(['node', '--import', 'tsx', services[name]!.entry]);
    expect(existsSync(join(root, services[name]!.entry))).toBe(true);
    const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, expand(v)]));
    expectConfigured(name, env);
  });

  it('points the gateway and workers at the ports the services listen on', () => {
    const gateway = compose.services['gateway']!.environment!;
    const upstreams: Record<string, string> = { READ_API_URL: 'read-api', WRITE_API_URL: 'write-api', PROJECTORS_URL: 'projectors', INGESTION_URL: 'ingestion', REPORTING_URL: 'reporting' };
    for (const [key, name] of Object.entries(upstreams)) expect(gateway[key], key).toBe(`http://${name}:${defaultPort(name, services[name]!.httpPort)}`);
    expect(compose.services['reporting']!.environment!['READ_API_GRPC_URL']).toBe(`read-api:${defaultPort('read-api', 'READ_API_GRPC_PORT')}`);
  });

  it('has Prometheus scrape every service on its HTTP port', () => {
    const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as { scrape_configs: { static_configs: { targets: string[] }[] }[] };
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets)).sort();
    expect(targets).toEqual(Object.entries(services).map(([name, s]) => `${name}:${defaultPort(name, s.httpPort)}`).sort());
  });
});

describe('Grafana dashboard', () => {
  it('plots only metrics the services export', () => {
    const dashboard = JSON.parse(read('deploy/grafana/dashboards/nationpulse.json')) as { panels: { targets: { expr: string }[] }[] };
    const walk = (dir: string): string[] =>
      readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
        e.name === 'node_modules' ? [] : e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.includes('.test.') ? [read(join(dir, e.name))] : [],
      );
    const sources = ['gateway', 'write-api', 'read-api', 'projectors', 'ingestion', 'reporting', 'packages/platform', 'protos'].flatMap(walk).join('\n');
    const metrics = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/\b(nationpulse|gateway)_[a-z_]+/g) ?? [])));
    expect(metrics.size).toBeGreaterThan(10);
    for (const metric of metrics) {
      const base = metric.replace(/_(bucket|count|sum)$/, '');
      expect(sources.includes(`'${base}'`), `${metric} is exported by some service`).toBe(true);
    }
  });
});

describe('Kubernetes manifests (deploy/k8s)', () => {
  type Doc = { kind: string; metadata: { name: string }; data?: Record<string, string>; stringData?: Record<string, string>; spec?: Record<string, any> };
  const kustomization = parse(read('deploy/k8s/kustomization.yaml')) as { resources: string[] };
  const docs: Doc[] = kustomization.resources.flatMap((file) =>
    parseAllDocuments(read(join('deploy/k8s', file))).map((d) => {
      expect(d.errors, file).toEqual([]);
      return d.toJS() as Doc;
    }),
  );
  const config = docs.find((d) => d.kind === 'ConfigMap')!.data!;
  const secret = docs.find((d) => d.kind === 'Secret')!.stringData!;

  it.each(Object.keys(services))('%s: a Deployment configured by its schema, with probes, resources and a Service', (name) => {
    const deployment = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === name);
    expect(deployment, name).toBeTruthy();
    const container = deployment!.spec!['template'].spec.containers[0];
    expect(container.command).toEqual(['node', '--import', 'tsx', services[name]!.entry]);
    const env: Record<string, string> = { ...config };
    for (const e of container.env ?? []) env[e.name] = e.value ?? secret[e.valueFrom.secretKeyRef.key];
    // Each service ignores the shared ConfigMap's keys that belong to others, but only its own are checked here.
    const own = keysOf(services[name]!.schema);
    expectConfigured(name, Object.fromEntries(Object.entries(env).filter(([k]) => own.has(k) || telemetryKeys.has(k))));
    const ports = Object.fromEntries((container.ports as { name: string; containerPort: number }[]).map((p) => [p.name, p.containerPort]));
    expect(ports['http']).toBe(defaultPort(name, services[name]!.httpPort));
    const grpcPort = services[name]!.grpcPort;
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      // gRPC services are probed with grpc.health.v1; the others on /health.
      if (grpcPort) expect(probe.grpc.port).toBe(defaultPort(name, grpcPort));
      else expect(probe.httpGet.path).toBe('/health');
    }
    if (grpcPort) expect(ports['grpc']).toBe(defaultPort(name, grpcPort));
    expect(container.resources.requests.cpu && container.resources.requests.memory && container.resources.limits.cpu && container.resources.limits.memory).toBeTruthy();
    expect(docs.some((d) => d.kind === 'Service' && d.metadata.name === name)).toBe(true);
  });

  it('keys in the ConfigMap all belong to some service', () => {
    const all = new Set([...Object.values(services).flatMap((s) => [...keysOf(s.schema)]), ...telemetryKeys]);
    expect(Object.keys(config).filter((k) => !all.has(k))).toEqual([]);
  });

  it('autoscales the gateway and the read API', () => {
    const scaled = docs.filter((d) => d.kind === 'HorizontalPodAutoscaler').map((d) => d.spec!['scaleTargetRef'].name as string);
    expect(scaled.sort()).toEqual(['gateway', 'read-api']);
  });

  it('commits no secret value', () => {
    for (const value of Object.values(secret)) expect(value === 'admin' || value.startsWith('REPLACE-')).toBe(true);
  });
});

import * as grpc from '@grpc/grpc-js';
import { EventEmitter } from 'node:events';
import { createMetricsRegistry } from '@nationpulse/platform';
import { describe, expect, it } from 'vitest';
import { instrumentService } from './telemetry.ts';

const method = (path: string, responseStream: boolean) =>
  ({ path, requestStream: false, responseStream, requestSerialize: (x: unknown) => x, requestDeserialize: (x: unknown) => x, responseSerialize: (x: unknown) => x, responseDeserialize: (x: unknown) => x }) as unknown as grpc.MethodDefinition<unknown, unknown>;

const definition: grpc.ServiceDefinition = { Get: method('/test.v1.Svc/Get', false), List: method('/test.v1.Svc/List', true) };

const fakeCall = () => Object.assign(new EventEmitter(), { metadata: new grpc.Metadata(), request: {} });

describe('gRPC server telemetry', () => {
  it('times unary and server-streaming calls by method and status code, passing results through', async () => {
    const registry = createMetricsRegistry('test-service');
    const implementation = instrumentService(
      definition,
      {
        Get: (call: { request: { fail?: boolean } }, callback: grpc.sendUnaryData<unknown>) =>
          call.request.fail ? callback({ code: grpc.status.NOT_FOUND, details: 'no such thing' }, null) : callback(null, { ok: true }),
        List: (call: EventEmitter) => setImmediate(() => call.emit('finish')),
      },
      registry,
    );
    const get = implementation['Get'] as unknown as (call: unknown, cb: grpc.sendUnaryData<unknown>) => void;
    const results: unknown[] = [];
    get(fakeCall(), (error, value) => results.push(error ?? value));
    get(Object.assign(fakeCall(), { request: { fail: true } }), (error, value) => results.push(error?.code ?? value));
    const list = implementation['List'] as unknown as (call: EventEmitter) => void;
    const streaming = fakeCall();
    list(streaming);
    await new Promise((resolve) => streaming.once('finish', resolve));

    expect(results).toEqual([{ ok: true }, grpc.status.NOT_FOUND]);
    const text = await registry.metrics();
    expect(text).toContain('nationpulse_grpc_server_duration_seconds_count{service="test-service",method="/test.v1.Svc/Get",code="OK"} 1');
    expect(text).toContain(`nationpulse_grpc_server_duration_seconds_count{service="test-service",method="/test.v1.Svc/Get",code="${grpc.status.NOT_FOUND}"} 1`);
    expect(text).toContain('nationpulse_grpc_server_duration_seconds_count{service="test-service",method="/test.v1.Svc/List",code="OK"} 1');
  });
});

import * as grpc from '@grpc/grpc-js';
import { NationPulseError, validationError } from '@nationpulse/domain';
import { afterEach, describe, expect, it } from 'vitest';
import {
  COMMAND_SERVICE_NAME,
  createHealthService,
  ERROR_CODE_KEY,
  ERROR_DETAILS_KEY,
  grpcErrorFrom,
  loadHealthProto,
  loadWriteProto,
  nationPulseErrorFrom,
  type HealthCheckResponse,
  type HealthClient,
  type HealthHandlers,
  type HealthServiceOptions,
  type ServingStatus,
} from './index.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const done of cleanup.splice(0).reverse()) await done();
});

/** A real server on 127.0.0.1:0 serving `handlers` as grpc.health.v1.Health, and a client to it. */
const serve = async (handlers: HealthHandlers): Promise<HealthClient> => {
  const { healthService, HealthClient } = loadHealthProto();
  const server = new grpc.Server();
  server.addService(healthService, handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  const client = new HealthClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  cleanup.push(() => server.forceShutdown(), () => client.close());
  return client;
};

const check = (client: HealthClient, service: string) =>
  new Promise<HealthCheckResponse>((resolve, reject) =>
    client.Check({ service }, new grpc.Metadata(), { deadline: Date.now() + 5_000 }, (e, r) => (e ? reject(e) : resolve(r!))),
  );
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the call should fail'),
    (e: unknown) => e as grpc.ServiceError,
  );
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Collects a Watch stream's statuses and how it ended. */
const watch = (client: HealthClient, service: string) => {
  const statuses: unknown[] = [];
  const stream = client.Watch({ service });
  const ended = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
  stream.on('data', (m: HealthCheckResponse) => statuses.push(m.status));
  stream.on('error', () => {}); // a cancelled call reports CANCELLED: expected here
  const next = async (count: number) => {
    for (let i = 0; i < 200 && statuses.length < count; i++) await sleep(10);
    return statuses.slice(0, count);
  };
  return { stream, statuses, ended, next };
};

const healthWith = (statuses: Record<string, ServingStatus>, options: HealthServiceOptions = {}) => {
  const counter = { calls: 0 };
  const handlers = createHealthService(async () => {
    counter.calls++;
    return { ...statuses };
  }, options);
  return { handlers, counter };
};

describe('the protos', () => {
  it('load the write package: the eight commands and the enums', () => {
    const { commandService, enums } = loadWriteProto();
    expect(Object.keys(commandService)).toEqual([
      'RegisterUser',
      'GrantRole',
      'RevokeRole',
      'GrantPermission',
      'RevokePermission',
      'DisableUser',
      'CorrectObservation',
      'RequestReport',
    ]);
    expect(commandService['RequestReport']?.path).toBe(`/${COMMAND_SERVICE_NAME}/RequestReport`);
    expect(enums.Role).toEqual(['ROLE_UNSPECIFIED', 'ROLE_ADMIN', 'ROLE_ANALYST', 'ROLE_VIEWER']);
    expect(loadWriteProto()).toBe(loadWriteProto()); // parsed once
  });

  it('load the standard health service under its standard paths', () => {
    const { healthService } = loadHealthProto();
    expect(healthService['Check']).toMatchObject({ path: '/grpc.health.v1.Health/Check', requestStream: false, responseStream: false });
    expect(healthService['Watch']).toMatchObject({ path: '/grpc.health.v1.Health/Watch', requestStream: false, responseStream: true });
    // Wire compatibility: field 1 of HealthCheckResponse, ServingStatus numbers as in the spec.
    const bytes = healthService['Check']!.responseSerialize({ status: 'NOT_SERVING' });
    expect([...bytes]).toEqual([0x08, 0x02]);
    expect(healthService['Watch']!.responseDeserialize(Buffer.from([0x08, 0x03]))).toEqual({ status: 'SERVICE_UNKNOWN' });
    expect([...healthService['Check']!.requestSerialize({ service: 'a' })]).toEqual([0x0a, 0x01, 0x61]);
  });
});

describe('createHealthService', () => {
  it('answers Check for the overall status and for each named service; NOT_FOUND for an unknown one', async () => {
    const statuses: Record<string, ServingStatus> = { 'x.v1.Api': 'SERVING', db: 'SERVING' };
    const client = await serve(healthWith(statuses).handlers);
    expect(await check(client, '')).toEqual({ status: 'SERVING' });
    expect(await check(client, 'db')).toEqual({ status: 'SERVING' });
    statuses['db'] = 'NOT_SERVING';
    expect(await check(client, '')).toEqual({ status: 'NOT_SERVING' });
    expect(await check(client, 'db')).toEqual({ status: 'NOT_SERVING' });
    expect(await check(client, 'x.v1.Api')).toEqual({ status: 'SERVING' });
    const unknown = await rejection(check(client, 'x.v1.Nope'));
    expect(unknown.code).toBe(grpc.status.NOT_FOUND);
    expect((await rejection(check(client, 'constructor'))).code).toBe(grpc.status.NOT_FOUND);
  });

  it('takes an explicit overall status when the check gives one', async () => {
    const client = await serve(healthWith({ '': 'SERVING', optionalCache: 'NOT_SERVING' }).handlers);
    expect(await check(client, '')).toEqual({ status: 'SERVING' });
  });

  it('answers NOT_SERVING when the check throws or times out', async () => {
    const failing = await serve(createHealthService(() => Promise.reject(new Error('db down'))));
    expect(await check(failing, '')).toEqual({ status: 'NOT_SERVING' });
    expect(await check(failing, 'db')).toEqual({ status: 'NOT_SERVING' });
    const hanging = await serve(createHealthService(() => new Promise(() => {}), { checkTimeoutMs: 30 }));
    expect(await check(hanging, '')).toEqual({ status: 'NOT_SERVING' });
  });

  it('runs the check once for concurrent callers', async () => {
    let calls = 0;
    const client = await serve(
      createHealthService(async () => {
        calls++;
        await sleep(30);
        return { db: 'SERVING' };
      }),
    );
    await Promise.all([check(client, ''), check(client, 'db'), check(client, '')]);
    expect(calls).toBe(1);
  });

  it('streams the status on Watch, then each change, and stops checking once the client cancels', async () => {
    const statuses: Record<string, ServingStatus> = { db: 'SERVING' };
    const { handlers, counter } = healthWith(statuses, { watchIntervalMs: 10 });
    const client = await serve(handlers);
    const w = watch(client, 'db');
    expect(await w.next(1)).toEqual(['SERVING']);
    await sleep(50);
    expect(w.statuses).toEqual(['SERVING']); // unchanged: nothing more sent
    statuses['db'] = 'NOT_SERVING';
    expect(await w.next(2)).toEqual(['SERVING', 'NOT_SERVING']);

    w.stream.cancel();
    expect((await w.ended).code).toBe(grpc.status.CANCELLED);
    await sleep(50);
    const after = counter.calls;
    await sleep(100);
    expect(counter.calls).toBe(after);
  });

  it('answers SERVICE_UNKNOWN on Watch without ending the call, then the status once the service is known', async () => {
    const statuses: Record<string, ServingStatus> = {};
    const client = await serve(healthWith(statuses, { watchIntervalMs: 10 }).handlers);
    const w = watch(client, 'later');
    expect(await w.next(1)).toEqual(['SERVICE_UNKNOWN']);
    statuses['later'] = 'SERVING';
    expect(await w.next(2)).toEqual(['SERVICE_UNKNOWN', 'SERVING']);
    w.stream.cancel();
  });

  it('ends open watches with OK when its signal aborts (server shutdown)', async () => {
    const shutdown = new AbortController();
    const client = await serve(healthWith({ db: 'SERVING' }, { watchIntervalMs: 10, signal: shutdown.signal }).handlers);
    const w = watch(client, '');
    expect(await w.next(1)).toEqual(['SERVING']);
    shutdown.abort();
    expect((await w.ended).code).toBe(grpc.status.OK);
    const late = watch(client, '');
    expect((await late.ended).code).toBe(grpc.status.OK);
    expect(late.statuses).toEqual([]);
  });
});

describe('grpcErrorFrom / nationPulseErrorFrom', () => {
  it('maps the kind to the status and puts the stable code and JSON details in the trailers', () => {
    const error = grpcErrorFrom(validationError('Invalid GrantRole request', [{ path: 'role', message: 'Invalid option' }]));
    expect(error).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: 'Invalid GrantRole request', message: 'Invalid GrantRole request' });
    expect(error.metadata.get(ERROR_CODE_KEY)).toEqual(['VALIDATION_FAILED']);
    expect(JSON.parse(String(error.metadata.get(ERROR_DETAILS_KEY)[0]))).toEqual([{ path: 'role', message: 'Invalid option' }]);
    expect(grpcErrorFrom(new NationPulseError('conflict', 'X', 'x')).code).toBe(grpc.status.ABORTED);
    expect(grpcErrorFrom(new NationPulseError('conflict', 'X', 'x')).metadata.get(ERROR_DETAILS_KEY)).toEqual([]);
  });

  it('hides anything but a NationPulseError behind INTERNAL', () => {
    const error = grpcErrorFrom(new Error('SQLITE_CORRUPT at /var/lib/secret.db'));
    expect(error).toMatchObject({ code: grpc.status.INTERNAL, details: 'An unexpected error occurred' });
    expect(error.metadata.get(ERROR_CODE_KEY)).toEqual(['INTERNAL']);
  });

  it('keeps details ASCII (still valid JSON), trims long lists and drops what cannot be sent', () => {
    const unicode = grpcErrorFrom(new NationPulseError('validation', 'V', 'm', { name: 'Zoë — 東京\n' }));
    const raw = String(unicode.metadata.get(ERROR_DETAILS_KEY)[0]);
    expect(raw).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(raw)).toEqual({ name: 'Zoë — 東京\n' });

    const issues = Array.from({ length: 500 }, (_, i) => ({ path: `rows.${i}.value`, message: 'expected a finite number' }));
    const trimmed = JSON.parse(String(grpcErrorFrom(validationError('bad', issues)).metadata.get(ERROR_DETAILS_KEY)[0])) as unknown[];
    expect(trimmed.length).toBeGreaterThan(10);
    expect(trimmed).toEqual(issues.slice(0, trimmed.length));

    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const dropped = grpcErrorFrom(new NationPulseError('conflict', 'C', 'm', cyclic));
    expect(dropped.metadata.get(ERROR_DETAILS_KEY)).toEqual([]);
    expect(dropped.metadata.get(ERROR_CODE_KEY)).toEqual(['C']);
  });

  it('round-trips a NationPulseError through a real call', async () => {
    const original = new NationPulseError('forbidden', 'PERMISSION_DENIED', 'This action needs the permission users:manage — sorry', { permission: 'users:manage' });
    const client = await serve({
      Check: (_call, callback) => callback(grpcErrorFrom(original)),
      Watch: (call) => call.destroy(grpcErrorFrom(original)),
    });
    const error = nationPulseErrorFrom(await rejection(check(client, '')));
    expect(error).toBeInstanceOf(NationPulseError);
    expect(error).toMatchObject({ kind: 'forbidden', code: 'PERMISSION_DENIED', message: original.message, details: original.details });
  });

  it('names statuses from elsewhere by their status name', () => {
    const unavailable = nationPulseErrorFrom(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'No connection established', metadata: new grpc.Metadata() }));
    expect(unavailable).toMatchObject({ kind: 'unavailable', code: 'UNAVAILABLE', message: 'No connection established' });
    expect(nationPulseErrorFrom({ code: grpc.status.DEADLINE_EXCEEDED, details: 'Deadline exceeded' })).toMatchObject({ kind: 'unavailable', code: 'DEADLINE_EXCEEDED' });
    expect(nationPulseErrorFrom(new Error('boom'))).toMatchObject({ kind: 'internal', code: 'UNKNOWN', message: 'boom' });
  });
});

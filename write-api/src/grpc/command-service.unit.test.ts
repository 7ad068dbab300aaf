import * as grpc from '@grpc/grpc-js';
import { seriesStreamId } from '@nationpulse/domain';
import { createSqliteEventStore } from '@nationpulse/embedded/sqlite-event-store';
import { createTokenService, hashPassword, systemClock } from '@nationpulse/platform';
import type { EventStore } from '@nationpulse/ports';
import {
  COMMAND_SERVICE_NAME,
  ERROR_CODE_KEY,
  ERROR_DETAILS_KEY,
  loadHealthProto,
  loadWriteProto,
  nationPulseErrorFrom,
  type CommandReceiptMessage,
  type CommandServiceClient,
  type HealthCheckResponse,
  type HealthClient,
  type Input,
  type UnaryMethod,
} from '@nationpulse/protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessControl } from '../command-handling/access-control.ts';
import { createAggregateExecutor } from '@nationpulse/event-sourcing';
import { seriesAggregate } from '@nationpulse/domain';
import type { CommandContext } from '@nationpulse/event-sourcing';
import { createDispatcher } from '../command-handling/dispatcher.ts';
import { commands } from '../commands/catalogue.ts';
import { startWriteGrpcServer, type WriteGrpcServer } from './server.ts';

const system: CommandContext = {
  actor: { kind: 'system', name: 'bootstrap' },
  idempotencyKey: null,
  expectedRevision: null,
  correlationId: 'bootstrap',
  causationId: null,
  traceparent: null,
};
const PASSWORD = 'correct horse battery staple';

let eventStore: EventStore;
let server: WriteGrpcServer;
let client: CommandServiceClient;
let health: HealthClient;
let adminToken: string;
let viewerId: string;
let viewerToken: string;
let dependency: 'SERVING' | 'NOT_SERVING' = 'SERVING';

/** Promisified unary call with metadata from a plain record. */
const call = <Req,>(method: UnaryMethod<Req, CommandReceiptMessage>, request: Input<Req>, headers: Record<string, string> = {}) =>
  new Promise<CommandReceiptMessage>((resolve, reject) => {
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
    method.call(client, request, metadata, { deadline: Date.now() + 10_000 }, (error, reply) => (error ? reject(error) : resolve(reply!)));
  });
const asAdmin = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${adminToken}`, ...extra });

/** The call's failure: gRPC status, the trailers' error code and details. */
const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => expect.unreachable('the call should fail'),
    (e: unknown) => e as grpc.ServiceError,
  );
  const details = error.metadata.get(ERROR_DETAILS_KEY)[0];
  return {
    status: error.code,
    code: error.metadata.get(ERROR_CODE_KEY)[0],
    details: typeof details === 'string' ? (JSON.parse(details) as unknown) : undefined,
    message: error.details,
  };
};

const eventsOf = async (streamId: string) => {
  const events = [];
  for await (const e of eventStore.readStream(streamId)) events.push(e);
  return events;
};

beforeAll(async () => {
  eventStore = createSqliteEventStore({ path: ':memory:' });
  const executor = createAggregateExecutor({ eventStore, clock: systemClock, source: 'write-api' });
  const tokens = createTokenService({ secret: 'x'.repeat(32), issuer: 'nationpulse-test', accessTtlSeconds: 300, clock: systemClock });
  const access = createAccessControl(tokens, executor);
  // The real scrypt, with a cheap cost so the suite stays fast.
  const fastHash = (password: string) => hashPassword(password, { N: 1024, r: 8, p: 1 });
  const dispatcher = createDispatcher(access, { executor, clock: systemClock, hashPassword: fastHash });

  const admin = await dispatcher.dispatch(commands.registerUser, { username: 'admin', password: PASSWORD, roles: ['admin'] }, system);
  adminToken = await tokens.issueAccessToken({ sub: String(admin['userId']), username: 'admin' });
  // A data series for the correction to land on, as ingestion would record it.
  await executor.execute({
    streamId: seriesStreamId('FRA', 'SP.POP.TOTL'),
    aggregate: seriesAggregate,
    command: { type: 'RecordObservations', country: 'FRA', indicator: 'SP.POP.TOTL', source: 'test', runId: 'run-1', observations: [{ year: 2020, value: 67_000_000 }] },
    commandName: 'RecordObservations',
    context: system,
    fingerprint: null,
  });

  server = await startWriteGrpcServer({ host: '127.0.0.1', port: 0, dispatcher, access, health: async () => ({ eventstore: dependency }), shutdownTimeoutMs: 2_000 });
  const { CommandServiceClient } = loadWriteProto();
  const { HealthClient } = loadHealthProto();
  client = new CommandServiceClient(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  health = new HealthClient(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());

  const viewer = await call(client.RegisterUser, { username: 'vera', password: PASSWORD, roles: ['ROLE_VIEWER'] }, asAdmin());
  viewerId = viewer.userId!;
  viewerToken = await tokens.issueAccessToken({ sub: viewerId, username: 'vera' });
});

afterAll(async () => {
  client?.close();
  health?.close();
  await server?.close();
  await eventStore?.close();
});

describe('CommandService over a real grpc-js server', () => {
  it('registers a user and grants a role, answering the receipt with its position', async () => {
    const registered = await call(client.RegisterUser, { username: 'alice', displayName: 'Alice', password: PASSWORD, roles: ['ROLE_ANALYST'] }, asAdmin());
    expect(registered).toMatchObject({ streamId: `user-${registered.userId}`, replayed: false, subject: 'userId' });
    expect(registered.position).toBeGreaterThan(0);
    // UserRegistered, UserPasswordSet, RoleGranted(analyst): revisions 0..2.
    expect(registered.revision).toBe(2);

    const granted = await call(client.GrantRole, { userId: registered.userId, role: 'ROLE_ADMIN' }, asAdmin());
    expect(granted).toMatchObject({ streamId: `user-${registered.userId}`, revision: 3, replayed: false, userId: registered.userId });
    expect(granted.position).toBeGreaterThan(registered.position);
    expect(granted.position).toBe(await eventStore.headPosition());

    const [, , , roleGranted] = await eventsOf(registered.streamId);
    expect(roleGranted).toMatchObject({ type: 'RoleGranted', data: { role: 'admin' } });
  });

  it('records the correlation id and traceparent from the metadata, as HTTP does from headers', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const receipt = await call(client.GrantPermission, { userId: viewerId, permission: 'PERMISSION_AUDIT_READ' }, asAdmin({ 'x-correlation-id': 'corr-42', traceparent }));
    const last = (await eventsOf(receipt.streamId)).at(-1);
    expect(last).toMatchObject({ type: 'PermissionGranted', data: { permission: 'audit:read' }, metadata: { correlationId: 'corr-42', traceparent } });

    const revoked = await call(client.RevokePermission, { userId: viewerId, permission: 'PERMISSION_AUDIT_READ' }, asAdmin());
    expect((await eventsOf(revoked.streamId)).at(-1)).toMatchObject({ type: 'PermissionRevoked', data: { permission: 'audit:read' } });
  });

  it('refuses an invalid request with INVALID_ARGUMENT and VALIDATION_FAILED, appending nothing', async () => {
    const head = await eventStore.headPosition();
    const tooShort = await failure(call(client.RegisterUser, { username: 'bob', password: 'short' }, asAdmin()));
    expect(tooShort).toMatchObject({ status: grpc.status.INVALID_ARGUMENT, code: 'VALIDATION_FAILED' });
    expect(tooShort.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'password' })]));

    const noRole = await failure(call(client.GrantRole, { userId: viewerId }, asAdmin()));
    expect(noRole).toMatchObject({ status: grpc.status.INVALID_ARGUMENT, code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: 'role' })] });

    const noValue = await failure(call(client.CorrectObservation, { country: 'FRA', indicator: 'SP.POP.TOTL', year: 2020, reason: 'census fix' }, asAdmin()));
    expect(noValue).toMatchObject({ status: grpc.status.INVALID_ARGUMENT, details: [expect.objectContaining({ path: 'value' })] });

    const badIfMatch = await failure(call(client.GrantRole, { userId: viewerId, role: 'ROLE_ANALYST' }, asAdmin({ 'if-match': 'latest' })));
    expect(badIfMatch).toMatchObject({ status: grpc.status.INVALID_ARGUMENT, code: 'VALIDATION_FAILED' });

    expect(await eventStore.headPosition()).toBe(head);
  });

  it('answers UNAUTHENTICATED without a token, or with a bad one', async () => {
    expect(await failure(call(client.GrantRole, { userId: viewerId, role: 'ROLE_ANALYST' }))).toMatchObject({
      status: grpc.status.UNAUTHENTICATED,
      code: 'TOKEN_MISSING',
    });
    expect(await failure(call(client.GrantRole, { userId: viewerId, role: 'ROLE_ANALYST' }, { authorization: 'Bearer not-a-jwt' }))).toMatchObject({
      status: grpc.status.UNAUTHENTICATED,
      code: 'TOKEN_INVALID',
    });
  });

  it('answers PERMISSION_DENIED when a viewer grants a role', async () => {
    const head = await eventStore.headPosition();
    const denied = await failure(call(client.GrantRole, { userId: viewerId, role: 'ROLE_ADMIN' }, { authorization: `Bearer ${viewerToken}` }));
    expect(denied).toMatchObject({ status: grpc.status.PERMISSION_DENIED, code: 'PERMISSION_DENIED', details: { permission: 'users:manage' } });
    expect(await eventStore.headPosition()).toBe(head);
  });

  it('answers NOT_FOUND for an unknown user', async () => {
    expect(await failure(call(client.DisableUser, { userId: 'nobody', reason: 'left' }, asAdmin()))).toMatchObject({
      status: grpc.status.NOT_FOUND,
      code: 'USER_NOT_FOUND',
      details: { userId: 'nobody' },
    });
  });

  it('answers ABORTED (HTTP 409) when if-match is not the current revision, and applies it when it is', async () => {
    const current = (await eventsOf(`user-${viewerId}`)).at(-1)!.revision;
    const conflict = await failure(call(client.GrantRole, { userId: viewerId, role: 'ROLE_ANALYST' }, asAdmin({ 'if-match': `"${current + 5}"` })));
    expect(conflict).toMatchObject({ status: grpc.status.ABORTED, code: 'STREAM_REVISION_CONFLICT', details: { expected: current + 5, actual: current } });

    const applied = await call(client.GrantRole, { userId: viewerId, role: 'ROLE_ANALYST' }, asAdmin({ 'if-match': `"${current}"` }));
    expect(applied.revision).toBe(current + 1);
    await call(client.RevokeRole, { userId: viewerId, role: 'ROLE_ANALYST' }, asAdmin({ 'if-match': String(applied.revision) }));
  });

  it('replays an idempotent retry: the same receipt, replayed, nothing appended', async () => {
    const request = { username: 'carol', password: PASSWORD };
    const first = await call(client.RegisterUser, request, asAdmin({ 'idempotency-key': 'register-carol-1' }));
    const head = await eventStore.headPosition();

    const retry = await call(client.RegisterUser, request, asAdmin({ 'idempotency-key': 'register-carol-1' }));
    expect(retry).toEqual({ ...first, replayed: true });
    expect(await eventStore.headPosition()).toBe(head);

    const reused = await failure(call(client.RegisterUser, { ...request, username: 'carla' }, asAdmin({ 'idempotency-key': 'register-carol-1' })));
    expect(reused).toMatchObject({ status: grpc.status.ABORTED, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await eventStore.headPosition()).toBe(head);
  });

  it('requests a report of each kind, mapping the oneof spec and the enums', async () => {
    const cases = [
      {
        request: { spec: { countryProfile: { country: 'FRA', fromYear: 2000, toYear: 2020 } } },
        spec: { kind: 'country-profile', country: 'FRA', fromYear: 2000, toYear: 2020 },
        format: 'csv',
      },
      {
        request: { spec: { indicatorAllCountries: { indicator: 'SP.POP.TOTL', fromYear: 2010, toYear: 2011 } }, format: 'REPORT_FORMAT_XLSX' },
        spec: { kind: 'indicator-all-countries', indicator: 'SP.POP.TOTL', fromYear: 2010, toYear: 2011 },
        format: 'xlsx',
      },
      { request: { spec: { ranking: { indicator: 'NY.GDP.MKTP.CD', year: 2022 } } }, spec: { kind: 'ranking', indicator: 'NY.GDP.MKTP.CD', year: 2022, order: 'desc' }, format: 'csv' },
      {
        request: { spec: { ranking: { indicator: 'NY.GDP.MKTP.CD', year: 2022, order: 'RANKING_ORDER_ASC' } }, format: 'REPORT_FORMAT_CSV' },
        spec: { kind: 'ranking', indicator: 'NY.GDP.MKTP.CD', year: 2022, order: 'asc' },
        format: 'csv',
      },
    ] as const;
    for (const c of cases) {
      const receipt = await call(client.RequestReport, c.request, asAdmin());
      expect(receipt).toMatchObject({ streamId: `report-${receipt.reportId}`, revision: 0, replayed: false, subject: 'reportId' });
      expect(receipt.position).toBeGreaterThan(0);
      const [requested] = await eventsOf(receipt.streamId);
      expect(requested).toMatchObject({ type: 'ReportRequested', data: { spec: c.spec, format: c.format } });
    }

    const head = await eventStore.headPosition();
    expect(await failure(call(client.RequestReport, {}, asAdmin()))).toMatchObject({ status: grpc.status.INVALID_ARGUMENT, details: [expect.objectContaining({ path: 'spec' })] });
    const backwards = await failure(call(client.RequestReport, { spec: { countryProfile: { country: 'FRA', fromYear: 2020, toYear: 2000 } } }, asAdmin()));
    expect(backwards).toMatchObject({ status: grpc.status.INVALID_ARGUMENT, code: 'VALIDATION_FAILED' });
    expect(await eventStore.headPosition()).toBe(head);
  });

  it('corrects an observation, answering the observation as subject', async () => {
    const request = { country: 'FRA', indicator: 'SP.POP.TOTL', year: 2020, value: 67_100_000, reason: 'census revision' };
    const receipt = await call(client.CorrectObservation, request, asAdmin());
    expect(receipt).toMatchObject({ streamId: 'series-FRA-SP.POP.TOTL', revision: 1, subject: 'observation', observation: { country: 'FRA', indicator: 'SP.POP.TOTL', year: 2020 } });
    expect(await failure(call(client.CorrectObservation, { ...request, country: 'DEU' }, asAdmin()))).toMatchObject({
      status: grpc.status.NOT_FOUND,
      code: 'SERIES_NOT_FOUND',
    });
  });

  it('gives clients the NationPulseError back from the status and trailers', async () => {
    const error = await call(client.DisableUser, { userId: viewerId, reason: 'x' }, { authorization: `Bearer ${viewerToken}` }).catch(nationPulseErrorFrom);
    expect(error).toMatchObject({ name: 'NationPulseError', kind: 'forbidden', code: 'PERMISSION_DENIED', details: { permission: 'users:manage' } });
  });
});

describe('grpc.health.v1 on the write server', () => {
  const check = (service: string) =>
    new Promise<HealthCheckResponse>((resolve, reject) =>
      health.Check({ service }, new grpc.Metadata(), { deadline: Date.now() + 5_000 }, (error, reply) => (error ? reject(error) : resolve(reply!))),
    );

  it('answers SERVING overall, for the CommandService and for a dependency', async () => {
    expect(await check('')).toEqual({ status: 'SERVING' });
    expect(await check(COMMAND_SERVICE_NAME)).toEqual({ status: 'SERVING' });
    expect(await check('eventstore')).toEqual({ status: 'SERVING' });
  });

  it('answers NOT_SERVING for the CommandService and overall while a dependency is down', async () => {
    dependency = 'NOT_SERVING';
    try {
      expect(await check('')).toEqual({ status: 'NOT_SERVING' });
      expect(await check(COMMAND_SERVICE_NAME)).toEqual({ status: 'NOT_SERVING' });
    } finally {
      dependency = 'SERVING';
    }
  });

  it('answers NOT_FOUND for an unknown service', async () => {
    expect(await failure(check('nationpulse.nope.v1.Nothing'))).toMatchObject({ status: grpc.status.NOT_FOUND });
  });
});

describe('shutdown', () => {
  it('ends open health watches, lets the server close well before its timeout, and refuses new calls', async () => {
    const watch = health.Watch({ service: '' });
    const statuses: unknown[] = [];
    watch.on('data', (m: HealthCheckResponse) => statuses.push(m.status));
    const ended = new Promise<grpc.StatusObject>((resolve) => watch.on('status', resolve));
    watch.on('error', () => {});
    while (statuses.length === 0) await new Promise((r) => setTimeout(r, 10));

    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1_000); // shutdownTimeoutMs is 2 s: nothing had to be forced
    expect((await ended).code).toBe(grpc.status.OK);
    expect(statuses).toEqual(['SERVING']);
    expect((await failure(call(client.GrantRole, { userId: viewerId, role: 'ROLE_ANALYST' }, asAdmin()))).status).toBe(grpc.status.UNAVAILABLE);
  });
});

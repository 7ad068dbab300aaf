import * as grpc from '@grpc/grpc-js';
import { loadWriteProto } from '@nationpulse/protos';
import { badGrpcRequest, CALLER_FAULTS, rawUnary } from '@nationpulse/protos/testing/grpc-fuzz';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWriteSideFixture, type WriteSideFixture } from '../testing/write-side-fixture.ts';
import { startWriteGrpcServer, type WriteGrpcServer } from './server.ts';

/**
 * Bad input against every rpc of nationpulse.write.v1.CommandService: random bytes, valid
 * messages mutated on the wire, well-formed messages with hostile fields, hostile metadata. A
 * refusal is a caller-fault status with a stable `error-code` trailer, within the deadline, and
 * appends nothing.
 */

let fixture: WriteSideFixture;
let server: WriteGrpcServer;
let client: grpc.Client;
let adminToken: string;

beforeAll(async () => {
  fixture = await createWriteSideFixture();
  server = await startWriteGrpcServer({ host: '127.0.0.1', port: 0, dispatcher: fixture.dispatcher, access: fixture.access, health: async () => ({ eventstore: 'SERVING' }), shutdownTimeoutMs: 1_000 });
  client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  adminToken = await fixture.token(fixture.adminId, 'admin');
});
afterAll(async () => {
  client?.close();
  await server?.close();
  await fixture?.eventStore.close();
});

const USER = '00000000-0000-7000-8000-000000000000';
const samples = {
  RegisterUser: { username: 'probe.user', displayName: 'Probe', password: 'a long probe password', roles: ['ROLE_VIEWER'] },
  GrantRole: { userId: USER, role: 'ROLE_ADMIN' },
  RevokeRole: { userId: USER, role: 'ROLE_VIEWER' },
  GrantPermission: { userId: USER, permission: 'PERMISSION_USERS_MANAGE' },
  RevokePermission: { userId: USER, permission: 'PERMISSION_DATA_READ' },
  DisableUser: { userId: USER, reason: 'probe' },
  CorrectObservation: { country: 'FRA', indicator: 'SP.POP.TOTL', year: 2020, value: 1, reason: 'probe correction' },
  RequestReport: { spec: { ranking: { indicator: 'SP.POP.TOTL', year: 2020, order: 'RANKING_ORDER_DESC' } }, format: 'REPORT_FORMAT_CSV' },
};

const metadataOf = (authorization: string | undefined, extra: readonly (readonly [string, string])[]) => {
  const metadata = new grpc.Metadata();
  if (authorization !== undefined) metadata.set('authorization', authorization);
  for (const [key, value] of extra) metadata.set(key, value);
  return metadata;
};

describe('CommandService: bad input is refused with a stable code, never INTERNAL or a hang, and appends nothing', () => {
  it('every rpc, with hostile messages and metadata', async () => {
    const { commandService } = loadWriteProto();
    await fc.assert(
      fc.asyncProperty(
        badGrpcRequest(commandService, samples),
        fc.constantFrom<'admin' | 'none' | 'garbage' | 'unsigned'>('admin', 'admin', 'none', 'garbage', 'unsigned'),
        fc.array(
          fc.tuple(
            fc.constantFrom('idempotency-key', 'if-match', 'x-correlation-id', 'traceparent'),
            fc.constantFrom('"1" OR 1=1', '-1', '99999999999999999999', '"', '$where', '../../k', 'x'.repeat(500), ' ', '00-zz-zz-01', 'ok'),
          ),
          { maxLength: 2 },
        ),
        async (request, who, extra) => {
          const authorization = { admin: `Bearer ${adminToken}`, none: undefined, garbage: 'Bearer not.a.token', unsigned: `Bearer eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ sub: fixture.adminId, username: 'admin' })).toString('base64url')}.` }[who];
          const before = await fixture.eventStore.headPosition();
          const outcome = await rawUnary(client, request.path, request.bytes, metadataOf(authorization, extra));
          const label = `${request.name} ${request.bytes.toString('hex').slice(0, 200)} as ${who} ${JSON.stringify(extra)} → ${JSON.stringify(outcome)}`;
          if (outcome.status === grpc.status.OK) return; // a mutation that is still a valid command
          expect(CALLER_FAULTS.has(outcome.status), label).toBe(true);
          expect(outcome.code ?? '', label).toMatch(/^[A-Z][A-Z0-9_]*$/);
          expect(await fixture.eventStore.headPosition(), `${label}: refused but appended`).toBe(before);
        },
      ),
      { numRuns: 200, seed: 20261202, endOnFailure: true },
    );
  }, 60_000);

  it('a message over the 1 MiB limit is RESOURCE_EXHAUSTED', async () => {
    const outcome = await rawUnary(client, loadWriteProto().commandService.DisableUser!.path, Buffer.alloc(1_100_000, 0x41), metadataOf(`Bearer ${adminToken}`, []));
    expect(outcome.status).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });
});

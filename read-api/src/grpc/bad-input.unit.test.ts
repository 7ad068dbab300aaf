import * as grpc from '@grpc/grpc-js';
import { loadReadProto } from '@nationpulse/protos';
import { badGrpcRequest, CALLER_FAULTS, rawUnary } from '@nationpulse/protos/testing/grpc-fuzz';
import type { ReadStore } from '@nationpulse/ports';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadSide } from '../composition.ts';
import { seededReadStore } from '../testing/read-side-fixture.ts';
import { startReadGrpcServer, type ReadGrpcServer } from './server.ts';

/**
 * Bad input against every rpc of nationpulse.read.v1.QueryService: random bytes, valid messages
 * mutated on the wire, well-formed messages with hostile fields. Each call answers within its
 * deadline, with a result or a caller-fault status and a stable `error-code` trailer; the one
 * UNAVAILABLE allowed is POSITION_NOT_REACHED, the documented answer to a min_position the read
 * models have not reached.
 */

let readStore: ReadStore;
let server: ReadGrpcServer;
let client: grpc.Client;

beforeAll(async () => {
  readStore = await seededReadStore();
  const { executor } = createReadSide({ readStore, waitTimeoutMs: 50 });
  server = await startReadGrpcServer({ host: '127.0.0.1', port: 0, executor, health: async () => ({ readstore: 'SERVING' }), shutdownTimeoutMs: 1_000 });
  client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client?.close();
  await server?.close();
  await readStore?.close();
});

const samples = {
  ListCountries: { includeAggregates: true, region: 'Europe', limit: 10, offset: 0, minPosition: 0 },
  GetCountryProfile: { country: 'FRA', minPosition: 0 },
  ListIndicators: { minPosition: 0 },
  GetSeries: { country: 'FRA', indicator: 'SP.POP.TOTL', fromYear: 2020, toYear: 2022, minPosition: 0 },
  GetRanking: { indicator: 'SP.POP.TOTL', year: 2022, limit: 5, order: 'RANKING_ORDER_ASC', minPosition: 0 },
  GetDashboard: { dashboard: 'population', year: 2022, minPosition: 0 },
  CompareSeries: { indicator: 'SP.POP.TOTL', countries: ['FRA', 'DEU'], fromYear: 2020, toYear: 2022, minPosition: 0 },
};

describe('QueryService: bad input is answered with a stable code, never INTERNAL or a hang', () => {
  it('every rpc, with hostile messages', async () => {
    await fc.assert(
      fc.asyncProperty(badGrpcRequest(loadReadProto().queryService, samples), async (request) => {
        const outcome = await rawUnary(client, request.path, request.bytes, new grpc.Metadata());
        const label = `${request.name} ${request.bytes.toString('hex').slice(0, 200)} → ${JSON.stringify(outcome)}`;
        if (outcome.status === grpc.status.OK) return;
        if (outcome.status === grpc.status.UNAVAILABLE) expect(outcome.code, label).toBe('POSITION_NOT_REACHED');
        else expect(CALLER_FAULTS.has(outcome.status), label).toBe(true);
        expect(outcome.code ?? '', label).toMatch(/^[A-Z][A-Z0-9_]*$/);
      }),
      { numRuns: 200, seed: 20261202, endOnFailure: true },
    );
  }, 60_000);
});

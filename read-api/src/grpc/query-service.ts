import type * as grpc from '@grpc/grpc-js';
import { isNationPulseError, NationPulseError } from '@nationpulse/domain';
import { grpcErrorFrom, type QueryServiceHandlers } from '@nationpulse/protos';
import type { QueryDefinition } from '../query-handling/query-definition.ts';
import type { QueryExecutor } from '../query-handling/query-executor.ts';
import { queries } from '../queries/catalogue.ts';
import {
  compareInput,
  compareMessage,
  countryProfileInput,
  countryProfileMessage,
  dashboardInput,
  dashboardMessage,
  listCountriesInput,
  listCountriesMessage,
  listIndicatorsMessage,
  messageFieldNames,
  minPositionOf,
  rankingMessage,
  rankingsInput,
  seriesInput,
  seriesMessage,
} from './messages.ts';

export interface QueryGrpcServiceOptions {
  readonly executor: QueryExecutor;
  /** Told about failures that become INTERNAL or UNAVAILABLE (what HTTP logs as 5xx); e.g. a pino logger. */
  readonly logger?: { error(obj: object, msg: string): void };
}

/** Validation details name the message's fields (from_year, not the query's `from`). */
const inMessageTerms = (error: unknown): unknown => {
  if (!isNationPulseError(error) || error.kind !== 'validation' || !Array.isArray(error.details)) return error;
  const details = (error.details as { path?: unknown }[]).map((d) =>
    typeof d.path === 'string' ? { ...d, path: d.path.replace(/^[^.]+/, (head) => messageFieldNames[head] ?? head) } : d,
  );
  return new NationPulseError(error.kind, error.code, error.message, details, { cause: error });
};

/**
 * nationpulse.read.v1.QueryService over the same executor and queries as the HTTP routes: each
 * rpc maps its message to the query's input, runs it (with min_position) and answers the result
 * with the position it reflects. Every failure is a status with `error-code` trailers.
 */
export const createQueryGrpcService = ({ executor, logger }: QueryGrpcServiceOptions): QueryServiceHandlers => {
  const rpc =
    <Req extends { minPosition: number }, Res, TInput, TOutput>(
      query: QueryDefinition<TInput, TOutput>,
      toInput: (request: Req) => unknown,
      toMessage: (result: TOutput, position: number) => Res,
    ): grpc.handleUnaryCall<Req, Res> =>
    (call, callback) => {
      const run = async () => {
        const { result, position } = await executor.execute(query, toInput(call.request), { minPosition: minPositionOf(call.request) });
        return toMessage(result, position);
      };
      run().then(
        (reply) => callback(null, reply),
        (error: unknown) => {
          if (!isNationPulseError(error) || error.kind === 'internal' || (error.kind === 'unavailable' && error.code !== 'POSITION_NOT_REACHED' && error.code !== 'PROJECTION_REBUILDING')) {
            logger?.error({ err: error, rpc: call.getPath() }, isNationPulseError(error) ? error.message : 'unhandled error');
          }
          callback(grpcErrorFrom(inMessageTerms(error)));
        },
      );
    };

  return {
    ListCountries: rpc(queries.listCountries, listCountriesInput, listCountriesMessage),
    GetCountryProfile: rpc(queries.countryProfile, countryProfileInput, countryProfileMessage),
    ListIndicators: rpc(queries.listIndicators, () => ({}), listIndicatorsMessage),
    GetSeries: rpc(queries.series, seriesInput, seriesMessage),
    GetRanking: rpc(queries.rankings, rankingsInput, rankingMessage),
    GetDashboard: rpc(queries.dashboard, dashboardInput, dashboardMessage),
    CompareSeries: rpc(queries.compare, compareInput, compareMessage),
  };
};

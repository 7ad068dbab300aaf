import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { isNationPulseError } from '@nationpulse/domain';
import { z } from 'zod';
import type { QueryDefinition } from '../query-handling/query-definition.ts';
import type { QueryExecutor } from '../query-handling/query-executor.ts';
import { positionSchema } from '../query-handling/query-executor.ts';
import { auditAsOfOutput } from '../queries/audit-asof/audit-asof.query.ts';
import { auditChangesOutput, auditChangesShape } from '../queries/audit-changes/audit-changes.query.ts';
import { auditRunInput, auditRunOutput, auditRunsOutput } from '../queries/audit-runs/audit-runs.query.ts';
import { auditSeriesOutput } from '../queries/audit-series/audit-series.query.ts';
import { instant, instantNotAfter } from '../queries/audit-shared/audit-fields.ts';
import { queries } from '../queries/catalogue.ts';
import { comparedCountries, compareOutput } from '../queries/compare/compare.query.ts';
import { countryProfileOutput } from '../queries/country-profile/country-profile.query.ts';
import { dashboardInput, dashboardOutput } from '../queries/dashboard/dashboard.query.ts';
import { fields, fromNotAfterTo, yearRangeShape } from '../queries/fields.ts';
import { listCountriesOutput } from '../queries/list-countries/list-countries.query.ts';
import { listIndicatorsOutput } from '../queries/list-indicators/list-indicators.query.ts';
import { rankingsOutput } from '../queries/rankings/rankings.query.ts';
import { seriesOutput } from '../queries/series/series.query.ts';
import { installHttpCaching, installMicroCache } from './http-caching.ts';

export interface QueryRoutesOptions {
  readonly executor: QueryExecutor;
  /** Cache-Control max-age of successful answers. */
  readonly maxAgeSeconds: number;
  /** How long the bytes of an answer are sent again for the same URL (0: off). */
  readonly microCacheTtlMs?: number;
}

/** Every query accepts it: answer only once the read models it reads reached this position (else 503 POSITION_NOT_REACHED). */
const consistency = {
  minPosition: z.coerce
    .number()
    .pipe(positionSchema)
    .optional()
    .describe('Read-your-writes: the position a command answered (X-Position of the write API). The query waits up to a few seconds for the read models to reach it.'),
};
const iso3Params = z.object({ iso3: fields.country });
const indicatorParams = z.object({ indicator: fields.indicator });
const csv = (value: string) => value.split(',').map((s) => s.trim());

/**
 * The public query paths. Each route gathers input from the path and query string, validated
 * here for the OpenAPI description and field-level 400s, and runs the query through the
 * executor (which validates again with the query's own schema, the one gRPC uses). Every answer
 * carries X-Position: the position of the read models it reflects.
 */
export const queryRoutes: FastifyPluginAsyncZod<QueryRoutesOptions> = async (app, { executor, maxAgeSeconds, microCacheTtlMs = 0 }) => {
  installHttpCaching(app, { maxAgeSeconds });
  installMicroCache(app, { ttlMs: microCacheTtlMs });

  const answer = async <TInput, TOutput>(reply: FastifyReply, query: QueryDefinition<TInput, TOutput>, input: unknown, minPosition: number | undefined) => {
    try {
      const { result, position } = await executor.execute(query, input, { minPosition });
      reply.header('x-position', String(position));
      return result;
    } catch (error) {
      if (isNationPulseError(error) && error.code === 'POSITION_NOT_REACHED') reply.header('retry-after', '1');
      if (isNationPulseError(error) && error.code === 'PROJECTION_REBUILDING') reply.header('retry-after', '5');
      throw error;
    }
  };

  app.get(
    '/countries',
    {
      schema: {
        summary: 'Countries (and, on request, aggregates), by name',
        querystring: z.object({
          include: z.enum(['aggregates']).optional().describe('aggregates: list World Bank aggregates (World, income groups, …) too'),
          region: z.string().max(40).optional().describe('Africa, Americas, Antarctic, Asia, Europe or Oceania'),
          limit: fields.limit.optional().describe('1-300, default 300'),
          offset: fields.offset.optional(),
          ...consistency,
        }),
        response: { 200: listCountriesOutput },
      },
    },
    (req, reply) => {
      const { include, minPosition, ...rest } = req.query;
      return answer(reply, queries.listCountries, { ...rest, includeAggregates: include === 'aggregates' }, minPosition);
    },
  );

  app.get(
    '/countries/:iso3',
    { schema: { summary: "A country's profile: reference data and the latest value of each indicator", params: iso3Params, querystring: z.object(consistency), response: { 200: countryProfileOutput } } },
    (req, reply) => answer(reply, queries.countryProfile, { country: req.params.iso3 }, req.query.minPosition),
  );

  app.get(
    '/indicators',
    { schema: { summary: 'The indicator catalogue', querystring: z.object(consistency), response: { 200: listIndicatorsOutput } } },
    (req, reply) => answer(reply, queries.listIndicators, {}, req.query.minPosition),
  );

  app.get(
    '/series/:iso3/:indicator',
    {
      schema: {
        summary: "A country's values of an indicator by year, with year-on-year growth",
        params: iso3Params.extend(indicatorParams.shape),
        querystring: z.object({ ...yearRangeShape, ...consistency }).refine(...fromNotAfterTo),
        response: { 200: seriesOutput },
      },
    },
    (req, reply) => {
      const { minPosition, ...range } = req.query;
      return answer(reply, queries.series, { country: req.params.iso3, indicator: req.params.indicator, ...range }, minPosition);
    },
  );

  app.get(
    '/rankings/:indicator',
    {
      schema: {
        summary: 'Countries ranked by an indicator in a year (aggregates never rank)',
        params: indicatorParams,
        querystring: z.object({
          year: fields.year.optional().describe('Default: the latest year with data'),
          limit: fields.limit.optional().describe('1-300, default 10'),
          order: fields.order.optional().describe('desc (default) or asc'),
          ...consistency,
        }),
        response: { 200: rankingsOutput },
      },
    },
    (req, reply) => {
      const { minPosition, ...rest } = req.query;
      return answer(reply, queries.rankings, { indicator: req.params.indicator, ...rest }, minPosition);
    },
  );

  app.get(
    '/dashboard/:dashboard',
    {
      schema: {
        summary: 'A dashboard (population, health or gdp): the World value and the top and bottom 5 countries of each indicator',
        params: z.object({ dashboard: dashboardInput.shape.dashboard }),
        querystring: z.object({ year: fields.year.optional().describe("Default: each indicator's latest year"), ...consistency }),
        response: { 200: dashboardOutput },
      },
    },
    (req, reply) => answer(reply, queries.dashboard, { dashboard: req.params.dashboard, year: req.query.year }, req.query.minPosition),
  );

  app.get(
    '/compare/:indicator',
    {
      schema: {
        summary: "Up to 10 countries' series of an indicator, side by side",
        params: indicatorParams,
        querystring: z
          .object({
            countries: z.string().max(200).transform(csv).pipe(comparedCountries).describe('Comma-separated ISO3 codes, e.g. FRA,DEU (at most 10)'),
            ...yearRangeShape,
            ...consistency,
          })
          .refine(...fromNotAfterTo),
        response: { 200: compareOutput },
      },
    },
    (req, reply) => {
      const { minPosition, ...rest } = req.query;
      return answer(reply, queries.compare, { indicator: req.params.indicator, ...rest }, minPosition);
    },
  );

  app.get(
    '/audit/series/:iso3/:indicator',
    {
      schema: {
        summary: 'The history of a value (or of every year of a series): its changes, ingested and corrected, by year then position',
        params: iso3Params.extend(indicatorParams.shape),
        querystring: z.object({ year: fields.year.optional().describe('Default: every year'), ...consistency }),
        response: { 200: auditSeriesOutput },
      },
    },
    (req, reply) => answer(reply, queries.auditSeries, { country: req.params.iso3, indicator: req.params.indicator, year: req.query.year }, req.query.minPosition),
  );

  app.get(
    '/audit/runs',
    {
      schema: {
        summary: 'Ingestion runs, newest first, with their counts and status',
        querystring: z.object({ limit: fields.limit.optional().describe('1-300, default 20'), offset: fields.offset.optional(), ...consistency }),
        response: { 200: auditRunsOutput },
      },
    },
    (req, reply) => {
      const { minPosition, ...rest } = req.query;
      return answer(reply, queries.auditRuns, rest, minPosition);
    },
  );

  app.get(
    '/audit/runs/:runId',
    {
      schema: {
        summary: 'One ingestion run: its counts, rejected rows and the first 200 changes it made',
        params: auditRunInput,
        querystring: z.object(consistency),
        response: { 200: auditRunOutput },
      },
    },
    (req, reply) => answer(reply, queries.auditRun, { runId: req.params.runId }, req.query.minPosition),
  );

  app.get(
    '/audit/changes',
    {
      schema: {
        summary: 'Data changes (ingested and corrected values) in a time window, newest first',
        querystring: z
          .object({
            ...auditChangesShape,
            limit: auditChangesShape.limit.optional().describe('1-300, default 50'),
            offset: auditChangesShape.offset.optional(),
            ...consistency,
          })
          .refine(...instantNotAfter),
        response: { 200: auditChangesOutput },
      },
    },
    (req, reply) => {
      const { minPosition, ...rest } = req.query;
      return answer(reply, queries.auditChanges, rest, minPosition);
    },
  );

  app.get(
    '/asof',
    {
      schema: {
        summary: "A country's indicators as they were known at an instant: each indicator's latest year and value",
        querystring: z.object({ at: instant, country: fields.country, ...consistency }),
        response: { 200: auditAsOfOutput },
      },
    },
    (req, reply) => answer(reply, queries.auditAsOf, { country: req.query.country, at: req.query.at }, req.query.minPosition),
  );
};

import { isNationPulseError } from '@nationpulse/domain';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { QueryDefinition } from '../query-handling/query-definition.ts';
import { positionSchema, type QueryExecutor } from '../query-handling/query-executor.ts';

/** Every query accepts it: answer only once the read models it reads reached this position (else 503 POSITION_NOT_REACHED). */
export const consistency = {
  minPosition: z.coerce
    .number()
    .pipe(positionSchema)
    .optional()
    .describe('Read-your-writes: the position a command answered (X-Position of the write API). The query waits up to a few seconds for the read models to reach it.'),
};

/** Runs a query for an HTTP route: its result, X-Position, and Retry-After when the read models lag behind minPosition. */
export const answerWith =
  (executor: QueryExecutor) =>
  async <TInput, TOutput>(reply: FastifyReply, query: QueryDefinition<TInput, TOutput>, input: unknown, minPosition: number | undefined): Promise<TOutput> => {
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

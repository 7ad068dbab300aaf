import { countryCode, indicatorCode, observationValue, observationYear, seriesStreamId } from '@nationpulse/domain';
import { z } from 'zod';
import { seriesAggregate } from '@nationpulse/domain';
import { defineCommand } from '../../command-handling/command-definition.ts';

/** A manual data fix: recorded with its reason and actor next to the value it replaces. */
export const correctObservation = defineCommand({
  name: 'CorrectObservation',
  permission: 'data:correct',
  input: z.object({
    country: countryCode,
    indicator: indicatorCode,
    year: observationYear,
    value: observationValue,
    reason: z.string().trim().min(3).max(500),
  }),
  async execute(input, context, { executor }) {
    const receipt = await executor.execute({
      streamId: seriesStreamId(input.country, input.indicator),
      aggregate: seriesAggregate,
      command: { type: 'CorrectObservation', ...input },
      commandName: 'CorrectObservation',
      context,
      fingerprint: input,
    });
    return { ...receipt, country: input.country, indicator: input.indicator, year: input.year };
  },
});

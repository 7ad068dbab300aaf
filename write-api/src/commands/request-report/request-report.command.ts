import { reportFormats, reportSpecSchema, reportStreamId } from '@nationpulse/domain';
import { deterministicId, newId } from '@nationpulse/platform';
import { z } from 'zod';
import { reportAggregate } from '@nationpulse/domain';
import { actorId } from '@nationpulse/event-sourcing';
import { defineCommand } from '../../command-handling/command-definition.ts';

export const requestReportInput = z.object({ spec: reportSpecSchema, format: z.enum(reportFormats).default('csv') });

/** Appends ReportRequested; the event store is the outbox the reporting relay reads from. */
export const requestReport = defineCommand({
  name: 'RequestReport',
  permission: 'reports:request',
  input: requestReportInput,
  async execute(input, context, { executor }) {
    const requestedBy = actorId(context.actor);
    const reportId = context.idempotencyKey ? deterministicId(`report:${requestedBy}:${context.idempotencyKey}`) : newId();
    const receipt = await executor.execute({
      streamId: reportStreamId(reportId),
      aggregate: reportAggregate,
      command: { type: 'RequestReport', reportId, requestedBy, spec: input.spec, format: input.format },
      commandName: 'RequestReport',
      context,
      fingerprint: input,
    });
    return { ...receipt, reportId };
  },
});

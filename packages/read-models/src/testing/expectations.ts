import { expect } from 'vitest';
import type { ProjectedEvent, ProjectionDefinition } from '../projection.ts';
import { otherEvent } from './events.ts';
import { replayScenarios, runProjection, snapshot } from './projection-harness.ts';

/**
 * "Handlers replayed twice must give identical state": a full second delivery, and every resumed
 * delivery after a crash between a batch's writes and its checkpoint (whole or torn commit),
 * leave exactly the state of one clean run. Returns how many deliveries were checked.
 */
export const expectAtLeastOnceSafe = (projection: ProjectionDefinition, events: readonly ProjectedEvent[]): number => {
  const once = snapshot(runProjection(projection, events));
  const scenarios = replayScenarios(projection, events);
  for (const { name, state } of scenarios) expect(snapshot(state), name).toEqual(once);
  return scenarios.length;
};

/** An event of a type the projection does not handle loads nothing and changes nothing. */
export const expectIgnoresOtherEvents = (projection: ProjectionDefinition, handledByOthers: readonly ProjectedEvent[] = []): void => {
  for (const event of [otherEvent(7), ...handledByOthers]) {
    expect(projection.eventTypes).not.toContain(event.type);
    expect(projection.touches(event)).toEqual([]);
    expect(projection.apply(event, { get: () => null, edit: () => null })).toEqual([]);
    expect(snapshot(runProjection(projection, [event]))).toEqual({});
  }
};

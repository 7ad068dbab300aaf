import type { EventDefinition, EventMetadata } from '@nationpulse/domain';
import type { ProjectedEvent } from '../projection.ts';

export interface EventOptions {
  readonly streamId?: string;
  readonly actor?: string;
  readonly occurredAt?: string;
  /** Position gap before this event (other streams' events in between); default the factory's step. */
  readonly gap?: number;
}

/**
 * Builds realistic projected events: full metadata, a deterministic UUID per event, per-stream
 * revisions, strictly increasing global positions and occurredAt one minute apart.
 */
export const eventFactory = (options: { readonly firstPosition?: number; readonly step?: number; readonly start?: string } = {}) => {
  const step = options.step ?? 3;
  const start = Date.parse(options.start ?? '2026-03-01T09:00:00.000Z');
  let position = (options.firstPosition ?? 41) - step;
  let n = 0;
  const revisions = new Map<string, number>();
  return <T extends string, D>(definition: EventDefinition<T, D>, data: D, opts: EventOptions = {}): ProjectedEvent & { type: T; data: D } => {
    n++;
    position += opts.gap ?? step;
    const streamId = opts.streamId ?? `test-${definition.type}`;
    const revision = revisions.get(streamId) ?? 0;
    revisions.set(streamId, revision + 1);
    const occurredAt = opts.occurredAt ?? new Date(start + n * 60_000).toISOString();
    const metadata: EventMetadata = {
      eventId: `0195a1b2-c3d4-4e5f-8a6b-${n.toString(16).padStart(12, '0')}`,
      correlationId: `corr-${n}`,
      causationId: null,
      actor: opts.actor ?? 'system',
      occurredAt,
      traceparent: `00-${n.toString(16).padStart(32, '0')}-${n.toString(16).padStart(16, '0')}-01`,
      source: 'write-api',
      schemaVersion: definition.version,
    };
    return { type: definition.type, schemaVersion: definition.version, data, metadata, streamId, revision, position, recordedAt: occurredAt };
  };
};

/** An event of a type no projection handles (or not this one). */
export const otherEvent = (position: number): ProjectedEvent => ({
  type: 'SomethingElseHappened',
  schemaVersion: 1,
  data: { country: 'FRA', indicator: 'SP.POP.TOTL', userId: 'u-1', runId: 'r-1', reportId: 'rep-1', year: 2020, value: 1 },
  metadata: {
    eventId: '0195a1b2-c3d4-4e5f-8a6b-ffffffffffff',
    correlationId: 'corr-other',
    causationId: null,
    actor: 'system',
    occurredAt: '2026-03-01T08:00:00.000Z',
    traceparent: null,
    source: 'write-api',
    schemaVersion: 1,
  },
  streamId: 'other-1',
  revision: 0,
  position,
  recordedAt: '2026-03-01T08:00:00.000Z',
});

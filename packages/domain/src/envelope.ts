import { z } from 'zod';
import { NationPulseError } from './errors.ts';

/** Metadata carried by every event: who, why, when, where from, and the trace that caused it. */
export const eventMetadataSchema = z.object({
  eventId: z.uuid(),
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable(),
  actor: z.string().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  traceparent: z.string().nullable(),
  source: z.string().min(1),
  schemaVersion: z.number().int().positive(),
});
export type EventMetadata = z.infer<typeof eventMetadataSchema> & Readonly<Record<string, unknown>>;

/**
 * One event type of the catalogue. `version` is the schema written today; `upcasters[n]`
 * turns data stored at version n into version n + 1, so stored events are never rewritten.
 */
export interface EventDefinition<TType extends string = string, TData = unknown> {
  readonly type: TType;
  readonly version: number;
  readonly schema: z.ZodType<TData>;
  readonly upcasters: Readonly<Record<number, (data: unknown) => unknown>>;
}

export const defineEvent = <TType extends string, TData>(
  type: TType,
  schema: z.ZodType<TData>,
  history: { version?: number; upcasters?: Record<number, (data: unknown) => unknown> } = {},
): EventDefinition<TType, TData> => {
  const version = history.version ?? 1;
  const upcasters = history.upcasters ?? {};
  for (let v = 1; v < version; v++) {
    if (!upcasters[v]) throw new Error(`Event ${type} v${version} lacks an upcaster from v${v}`);
  }
  return { type, version, schema, upcasters };
};

/** A decoded event: the envelope with data validated against (and upcast to) the current schema. */
export interface EventEnvelope<TType extends string = string, TData = unknown> {
  readonly type: TType;
  readonly schemaVersion: number;
  readonly data: TData;
  readonly metadata: EventMetadata;
}

export type DomainEventOf<D> = D extends EventDefinition<infer T, infer P> ? { readonly type: T; readonly data: P } : never;

export class EventDecodingError extends NationPulseError {
  constructor(type: string, details: unknown) {
    super('internal', 'EVENT_DECODING_FAILED', `Stored event ${type} does not match its schema`, details);
  }
}

export interface EventRegistry {
  /** Validates data of the current version before it is written. */
  encode(type: string, data: unknown): { data: unknown; schemaVersion: number };
  /**
   * Upcasts and validates a stored event; undefined for a type this code does not know.
   * `validate: false` upcasts without re-validating: for hot read paths (projection rebuilds)
   * over events that were validated when they were written (`encode`).
   */
  decode(stored: { type: string; data: unknown; metadata: EventMetadata }, options?: { validate?: boolean }): EventEnvelope | undefined;
  has(type: string): boolean;
  readonly types: readonly string[];
}

export const createEventRegistry = (definitions: readonly EventDefinition[]): EventRegistry => {
  const byType = new Map(definitions.map((d) => [d.type, d]));
  if (byType.size !== definitions.length) throw new Error('Duplicate event type in the catalogue');
  return {
    types: [...byType.keys()],
    has: (type) => byType.has(type),
    encode(type, data) {
      const def = byType.get(type);
      if (!def) throw new Error(`Unknown event type ${type}`);
      const parsed = def.schema.safeParse(data);
      if (!parsed.success) throw new EventDecodingError(type, z.treeifyError(parsed.error));
      return { data: parsed.data, schemaVersion: def.version };
    },
    decode(stored, options) {
      const def = byType.get(stored.type);
      if (!def) return undefined;
      let data = stored.data;
      let version = stored.metadata.schemaVersion;
      if (version > def.version) throw new EventDecodingError(stored.type, { storedVersion: version, knownVersion: def.version });
      for (; version < def.version; version++) data = def.upcasters[version]!(data);
      if (options?.validate === false) return { type: stored.type, schemaVersion: def.version, data, metadata: stored.metadata };
      const parsed = def.schema.safeParse(data);
      if (!parsed.success) throw new EventDecodingError(stored.type, z.treeifyError(parsed.error));
      return { type: stored.type, schemaVersion: def.version, data: parsed.data, metadata: stored.metadata };
    },
  };
};

import type { Principal } from '@nationpulse/domain';

/** Who is acting: a signed-in user (their access loaded from the event store) or the platform itself. */
export type Actor =
  | { readonly kind: 'user'; readonly userId: string; readonly username: string; readonly principal: Principal }
  | { readonly kind: 'system'; readonly name: string }
  /** A platform service acting for a user whose right to ask was checked when they asked (e.g. an ingestion run they triggered). */
  | { readonly kind: 'on-behalf'; readonly userId: string; readonly service: string };

export const actorId = (actor: Actor): string => {
  switch (actor.kind) {
    case 'user':
    case 'on-behalf':
      return actor.userId;
    case 'system':
      return `system:${actor.name}`;
  }
};

/** The actor recorded as `system:<name>` or a user id, as event metadata writes it. */
export const actorFromId = (id: string, service: string): Actor =>
  id.startsWith('system:') ? { kind: 'system', name: id.slice('system:'.length) } : { kind: 'on-behalf', userId: id, service };

export interface CommandContext {
  readonly actor: Actor;
  /** A client-chosen key: a retried command with the same key returns the first result and appends nothing. */
  readonly idempotencyKey: string | null;
  /** The stream revision the client last saw (If-Match); a mismatch is a 409. */
  readonly expectedRevision: number | null;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly traceparent: string | null;
}

/** What every command answers: where its events landed and the consistency token. */
export interface CommandReceipt {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  /** True when an Idempotency-Key matched an earlier command: nothing was appended this time. */
  readonly replayed: boolean;
}

import type { Position } from '@nationpulse/ports';
import type { DocumentView, ProjectedEvent, ProjectionDefinition } from '../projection.ts';

/** A stored document and the position of the event that last wrote it; `doc: null` is a tombstone (deleted). */
export interface StoredEntry {
  readonly doc: Record<string, unknown> | null;
  readonly position: Position;
}

/** collection → id → stored entry. */
export type ProjectionState = Map<string, Map<string, StoredEntry>>;

const key = (collection: string, id: string) => `${collection}\u0000${id}`;

/** Throws unless `value` is plain JSON: what survives the stores' JSON serialisation unchanged. */
const assertPlainJson = (value: unknown, path: string): void => {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path} is ${value}: not JSON`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertPlainJson(item, `${path}[${i}]`));
    return;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) throw new Error(`${path} is a ${value.constructor.name}: not a plain object`);
    for (const [k, v] of Object.entries(value)) assertPlainJson(v, `${path}.${k}`);
    return;
  }
  throw new Error(`${path} is ${typeof value}: not JSON`);
};

const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
};

/**
 * A tiny in-memory runner with the real runner's contract, for tests. For each event: load the
 * documents `touches` declares, call `apply`, drop the change of any document whose stored
 * position is ≥ the event's (it already reflects the event), store the rest at the event's position.
 *
 * Stricter than the real runner, to catch projection bugs: it throws when `apply` reads or writes a
 * document `touches` did not declare, writes a collection the projection does not declare, writes
 * a document twice for one event, writes anything but plain JSON, or touches documents for an
 * event type outside `eventTypes` (the real runner would never deliver it), or changes a working
 * copy (`edit`) without returning it. Documents are stored as frozen JSON copies, so an `apply`
 * that mutates what it read with `get` throws.
 *
 * The given state is not modified: a new state is returned.
 */
export const runProjection = (
  projection: ProjectionDefinition,
  events: readonly ProjectedEvent[],
  state: ProjectionState = new Map(),
): ProjectionState => {
  const out: ProjectionState = new Map([...state].map(([collection, docs]) => [collection, new Map(docs)]));
  const collections = new Set(projection.collections.map((c) => c.name));
  for (const event of events) {
    const refs = projection.touches(event);
    if (refs.length > 0 && !projection.eventTypes.includes(event.type)) {
      throw new Error(`${projection.name} touches documents for ${event.type}, which is not in its eventTypes`);
    }
    const declared = new Set(refs.map((r) => key(r.collection, r.id)));
    const readable = new Set(refs.filter((r) => r.load !== false).map((r) => key(r.collection, r.id)));
    const stored = (collection: string, id: string): Record<string, unknown> | null => {
      if (!declared.has(key(collection, id))) throw new Error(`${projection.name} read ${collection}/${id} without declaring it in touches()`);
      if (!readable.has(key(collection, id))) throw new Error(`${projection.name} read ${collection}/${id}, declared with load: false`);
      return out.get(collection)?.get(id)?.doc ?? null;
    };
    /** Working copies handed out by edit, to check that each changed one is returned. */
    const edited = new Map<string, { copy: Record<string, unknown>; json: string }>();
    const view: DocumentView = {
      get: <T extends object>(collection: string, id: string) => stored(collection, id) as T | null,
      edit<T extends object>(collection: string, id: string): T | null {
        const doc = stored(collection, id);
        if (doc === null) return null;
        const k = key(collection, id);
        if (edited.has(k)) throw new Error(`${projection.name} edited ${collection}/${id} twice for one event`);
        const json = JSON.stringify(doc);
        const copy = JSON.parse(json) as Record<string, unknown>;
        edited.set(k, { copy, json });
        return copy as T;
      },
    };
    const changes = projection.apply(event, view);
    for (const [k, { copy, json }] of edited) {
      if (JSON.stringify(copy) !== json && !changes.some((c) => key(c.collection, c.id) === k)) {
        throw new Error(`${projection.name} changed the working copy of ${k.replace('\u0000', '/')} without returning it`);
      }
    }
    const written = new Set<string>();
    for (const change of changes) {
      const k = key(change.collection, change.id);
      if (!declared.has(k)) throw new Error(`${projection.name} changed ${change.collection}/${change.id} without declaring it in touches()`);
      if (!collections.has(change.collection)) throw new Error(`${projection.name} wrote undeclared collection ${change.collection}`);
      if (written.has(k)) throw new Error(`${projection.name} changed ${change.collection}/${change.id} twice for one event`);
      written.add(k);
      if (change.doc !== null) assertPlainJson(change.doc, `${change.collection}/${change.id}`);
      let docs = out.get(change.collection);
      if (!docs) out.set(change.collection, (docs = new Map()));
      const current = docs.get(change.id);
      if (current && current.position >= event.position) continue; // already reflects this event
      const doc = change.doc === null ? null : deepFreeze(JSON.parse(JSON.stringify(change.doc)) as Record<string, unknown>);
      docs.set(change.id, { doc, position: event.position });
    }
  }
  return out;
};

/** The live documents of one collection, by id (tombstones left out). */
export const documentsOf = <T extends object = Record<string, unknown>>(state: ProjectionState, collection: string): Record<string, T> =>
  Object.fromEntries([...(state.get(collection) ?? [])].flatMap(([id, e]) => (e.doc === null ? [] : [[id, e.doc as T] as const])));

/** The position that last wrote each document of a collection, by id. */
export const positionsOf = (state: ProjectionState, collection: string): Record<string, Position> =>
  Object.fromEntries([...(state.get(collection) ?? [])].map(([id, e]) => [id, e.position]));

/**
 * Deliveries that must leave exactly the state of one clean run of `events` (at-least-once):
 * - the whole history delivered twice;
 * - for every batch [from, to): its writes committed, the checkpoint not (a crash), so delivery
 *   resumes at `from` and replays everything after;
 * - the same with a torn commit (a store without transactions): only every other document of the
 *   batch written before the crash.
 */
export const replayScenarios = (
  projection: ProjectionDefinition,
  events: readonly ProjectedEvent[],
): { readonly name: string; readonly state: ProjectionState }[] => {
  const once = runProjection(projection, events);
  const scenarios = [{ name: 'replayed in full', state: runProjection(projection, events, once) }];
  for (let from = 0; from < events.length; from++) {
    const checkpointed = runProjection(projection, events.slice(0, from));
    for (let to = from + 1; to <= events.length; to++) {
      const written = runProjection(projection, events.slice(from, to), checkpointed);
      scenarios.push({ name: `crash after writing [${from}, ${to})`, state: runProjection(projection, events.slice(from), written) });
      const torn: ProjectionState = new Map([...checkpointed].map(([c, docs]) => [c, new Map(docs)]));
      let n = 0;
      for (const [collection, docs] of written) {
        for (const [id, entry] of docs) {
          if (checkpointed.get(collection)?.get(id) === entry || n++ % 2 === 1) continue;
          let target = torn.get(collection);
          if (!target) torn.set(collection, (target = new Map()));
          target.set(id, entry);
        }
      }
      scenarios.push({ name: `torn commit of [${from}, ${to})`, state: runProjection(projection, events.slice(from), torn) });
    }
  }
  return scenarios;
};

/** The whole state as plain objects (collection → id → { doc, position }), for readable comparisons. */
export const snapshot = (state: ProjectionState): Record<string, Record<string, StoredEntry>> =>
  Object.fromEntries([...state].map(([collection, docs]) => [collection, Object.fromEntries(docs)]));

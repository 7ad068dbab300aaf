import { describe, expect, it } from 'vitest';
import { defineProjection, type ProjectedEvent, type ProjectionDefinition } from '../projection.ts';
import { otherEvent } from './events.ts';
import { positionsOf, replayScenarios, runProjection, snapshot } from './projection-harness.ts';

/** Events of a made-up type 'Tick' with data { key }. */
const tick = (position: number, key: string): ProjectedEvent => ({ ...otherEvent(position), type: 'Tick', data: { key } });

const base = {
  name: 'test',
  version: 1,
  description: 'test',
  eventTypes: ['Tick'],
  collections: [{ name: 'counts', indexes: [] }],
};

/** Replay-safe: each document's new state comes from itself and the event. */
const counter = defineProjection({
  ...base,
  touches: (e) => (e.type === 'Tick' ? [{ collection: 'counts', id: (e.data as { key: string }).key }] : []),
  apply(e, view) {
    if (e.type !== 'Tick') return [];
    const { key } = e.data as { key: string };
    const n = view.get<{ n: number }>('counts', key)?.n ?? 0;
    return [{ collection: 'counts', id: key, doc: { n: n + 1 } }];
  },
});

describe('projection harness', () => {
  it('stores changes at the event position and drops those of documents that already reflect the event', () => {
    const once = runProjection(counter, [tick(10, 'a'), tick(20, 'a'), tick(30, 'b')]);
    expect(snapshot(once)).toEqual({ counts: { a: { doc: { n: 2 }, position: 20 }, b: { doc: { n: 1 }, position: 30 } } });
    const replayed = runProjection(counter, [tick(20, 'a'), tick(30, 'b'), tick(40, 'a')], once);
    expect(snapshot(replayed)).toEqual({ counts: { a: { doc: { n: 3 }, position: 40 }, b: { doc: { n: 1 }, position: 30 } } });
    expect(positionsOf(once, 'counts')).toEqual({ a: 20, b: 30 }); // the given state is left as it was
  });

  it('finds every replay of a replay-safe projection identical', () => {
    const events = [tick(1, 'a'), tick(2, 'b'), tick(3, 'a'), tick(4, 'a'), tick(5, 'b')];
    const once = snapshot(runProjection(counter, events));
    for (const { state } of replayScenarios(counter, events)) expect(snapshot(state)).toEqual(once);
  });

  it('hands out working copies to edit in place, and finds an editing projection replay-safe', () => {
    const editing = defineProjection({
      ...base,
      touches: (e) => counter.touches(e),
      apply(e, view) {
        const { key } = e.data as { key: string };
        const doc = view.edit<{ n: number; seen: string[] }>('counts', key) ?? { n: 0, seen: [] };
        doc.n++;
        doc.seen.push(String(e.position));
        return [{ collection: 'counts', id: key, doc }];
      },
    });
    const events = [tick(1, 'a'), tick(2, 'b'), tick(3, 'a'), tick(4, 'a')];
    const once = runProjection(editing, events);
    expect(snapshot(once)).toEqual({ counts: { a: { doc: { n: 3, seen: ['1', '3', '4'] }, position: 4 }, b: { doc: { n: 1, seen: ['2'] }, position: 2 } } });
    for (const { state } of replayScenarios(editing, events)) expect(snapshot(state)).toEqual(snapshot(once));
  });

  it('rejects a working copy changed without being returned', () => {
    const forgetful = broken((_, view) => {
      const doc = view.edit<{ n: number }>('counts', 'a');
      if (doc) doc.n = 99;
      return doc ? [] : [{ collection: 'counts', id: 'a', doc: { n: 1 } }];
    });
    expect(() => runProjection(forgetful, [tick(1, 'a'), tick(2, 'a')])).toThrow(/without returning it/);
  });

  it('exposes a projection that computes one document from another', () => {
    // The entry for each tick copies a shared counter: a torn commit then replays it from a newer counter.
    const crossDocument = defineProjection({
      ...base,
      touches: (e) => [
        { collection: 'counts', id: 'total' },
        { collection: 'counts', id: `entry-${e.position}` },
      ],
      apply(e, view) {
        const n = (view.get<{ n: number }>('counts', 'total')?.n ?? 0) + 1;
        return [
          { collection: 'counts', id: 'total', doc: { n } },
          { collection: 'counts', id: `entry-${e.position}`, doc: { n } },
        ];
      },
    });
    const events = [tick(1, 'a'), tick(2, 'a'), tick(3, 'a')];
    const once = snapshot(runProjection(crossDocument, events));
    expect(replayScenarios(crossDocument, events).some(({ state }) => JSON.stringify(snapshot(state)) !== JSON.stringify(once))).toBe(true);
  });

  it('keeps a tombstone, so a replayed older put cannot bring a deleted document back', () => {
    const deleting = defineProjection({
      ...base,
      touches: (e) => [{ collection: 'counts', id: 'x' }].filter(() => e.type === 'Tick'),
      apply: (e) => [{ collection: 'counts', id: 'x', doc: (e.data as { key: string }).key === 'delete' ? null : { n: 1 } }],
    });
    const once = runProjection(deleting, [tick(1, 'put'), tick(2, 'delete')]);
    expect(snapshot(runProjection(deleting, [tick(1, 'put')], once))).toEqual({ counts: { x: { doc: null, position: 2 } } });
  });

  const broken = (apply: ProjectionDefinition['apply'], touches: ProjectionDefinition['touches'] = () => [{ collection: 'counts', id: 'a' }]) =>
    defineProjection({ ...base, touches, apply });

  it('rejects writes and reads of undeclared documents, undeclared collections and double writes', () => {
    expect(() => runProjection(broken(() => [{ collection: 'counts', id: 'b', doc: {} }]), [tick(1, 'a')])).toThrow(/without declaring/);
    expect(() => runProjection(broken((_, view) => (view.get('counts', 'b'), [])), [tick(1, 'a')])).toThrow(/read counts\/b/);
    expect(() =>
      runProjection(
        broken(
          () => [{ collection: 'other', id: 'a', doc: {} }],
          () => [{ collection: 'other', id: 'a' }],
        ),
        [tick(1, 'a')],
      ),
    ).toThrow(/undeclared collection/);
    const twice = { collection: 'counts', id: 'a', doc: {} };
    expect(() => runProjection(broken(() => [twice, twice]), [tick(1, 'a')])).toThrow(/twice/);
  });

  it('rejects documents that are not plain JSON', () => {
    for (const bad of [{ at: undefined }, { set: new Set([1]) }, { map: new Map() }, { when: new Date(0) }, { n: Number.NaN }]) {
      expect(() => runProjection(broken(() => [{ collection: 'counts', id: 'a', doc: bad }]), [tick(1, 'a')])).toThrow(/not/);
    }
  });

  it('rejects an apply that mutates what it read', () => {
    const mutating = broken((_, view) => {
      const doc = view.get<{ list: number[] }>('counts', 'a');
      if (doc) doc.list.push(2);
      return [{ collection: 'counts', id: 'a', doc: { list: [1] } }];
    });
    expect(() => runProjection(mutating, [tick(1, 'a'), tick(2, 'a')])).toThrow(TypeError);
  });

  it('rejects touches for an event type outside eventTypes', () => {
    expect(() => runProjection(broken(() => []), [otherEvent(1)])).toThrow(/not in its eventTypes/);
  });
});

import { eventCatalogue } from '@nationpulse/domain';
import { partitionOf } from '@nationpulse/ports';
import { describe, expect, it } from 'vitest';
import { projections } from './catalogue.ts';
import { runProjection, snapshot, type ProjectionState } from './testing/projection-harness.ts';
import { seriesHistory } from './testing/scenarios.ts';
import { collections } from './documents.ts';
import * as readModels from './index.ts';

describe('projection catalogue', () => {
  it('lists every projection once, kebab-case, with its version and a description', () => {
    expect(projections.map((p) => p.name)).toEqual(['country-profiles', 'series', 'observations', 'users', 'ingestion-runs', 'change-log', 'reports']);
    for (const p of projections) {
      expect(p.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      // observations and change-log v2: one document per indicator-year and per event instead of per
      // value; series v2: parallel year / value arrays instead of an object per point.
      expect(p.version).toBe(['observations', 'change-log', 'series'].includes(p.name) ? 2 : 1);
      expect(p.description.length).toBeGreaterThan(10);
    }
  });

  it('handles only event types of the catalogue, each type listed once', () => {
    for (const p of projections) {
      expect(new Set(p.eventTypes).size).toBe(p.eventTypes.length);
      for (const type of p.eventTypes) expect(eventCatalogue.has(type), `${p.name}: ${type}`).toBe(true);
    }
  });

  it('writes every read-model collection, each from exactly one projection', () => {
    const written = projections.flatMap((p) => p.collections.map((c) => c.name));
    expect([...written].sort()).toEqual(Object.values(collections).sort());
    const retired = projections.flatMap((p) => p.retiredCollections ?? []);
    for (const name of retired) expect(written).not.toContain(name);
  });

  it('is exported from the package entry with the contracts and each projection', () => {
    expect(readModels.projections).toBe(projections);
    expect(readModels.collections).toBe(collections);
    expect(typeof readModels.defineProjection).toBe('function');
    expect([
      readModels.countryProfilesProjection,
      readModels.seriesProjection,
      readModels.observationsProjection,
      readModels.usersProjection,
      readModels.ingestionRunsProjection,
      readModels.changeLogProjection,
      readModels.reportsProjection,
    ]).toEqual(projections);
  });

  it('declares a partition key only where events of different keys never touch the same document, so that shares rebuilt apart add up to the whole', () => {
    const history = seriesHistory();
    const partitioned = projections.filter((p) => p.partitionKey);
    expect(partitioned.map((p) => p.name)).toEqual(['country-profiles', 'series', 'observations', 'change-log']);
    for (const p of partitioned) {
      const key = p.partitionKey!;
      const owner = new Map<string, string>();
      for (const event of history.filter((e) => p.eventTypes.includes(e.type))) {
        for (const ref of p.touches(event)) {
          const id = `${ref.collection}/${ref.id}`;
          expect(owner.get(id) ?? key(event.streamId), `${p.name}: ${id} touched from two keys`).toBe(key(event.streamId));
          owner.set(id, key(event.streamId));
        }
      }
      const whole = snapshot(runProjection(p, history));
      for (const count of [2, 3]) {
        const merged: ProjectionState = new Map();
        for (let index = 0; index < count; index++) {
          const share = runProjection(p, history.filter((e) => partitionOf(key(e.streamId), count) === index));
          for (const [collection, docs] of share) for (const [id, entry] of docs) merged.set(collection, (merged.get(collection) ?? new Map()).set(id, entry));
        }
        expect(snapshot(merged), `${p.name} in ${count} shares`).toEqual(whole);
      }
    }
  });
});

import { randomUUID } from 'node:crypto';
import { seriesStreamCountry } from '@nationpulse/domain';
import type { EventStore, NewEvent, ReadStore } from '@nationpulse/ports';
import { defineProjection, type ProjectionDefinition } from '@nationpulse/read-models';

export const recorded = (country: string, indicator: string, changes: { year: number; value: number; previous: number | null }[]): NewEvent => ({
  type: 'ObservationsRecorded',
  data: { country, indicator, source: 'file', runId: 'run-1', changes },
  metadata: {
    eventId: randomUUID(),
    correlationId: 'c',
    causationId: null,
    actor: 'system:test',
    occurredAt: '2026-01-01T00:00:00.000Z',
    traceparent: null,
    source: 'test',
    schemaVersion: 1,
  },
});

/** Appends `series` × `years` observations, one event per series per batch of years. */
export const seedObservations = async (store: EventStore, countries: readonly string[], years: readonly number[], rounds = 1) => {
  for (let round = 0; round < rounds; round++) {
    for (const country of countries) {
      const stream = `series-${country}-SP.POP.TOTL`;
      const revision = await store.streamRevision(stream);
      await store.append(stream, [recorded(country, 'SP.POP.TOTL', years.map((year) => ({ year, value: year * 10 + round, previous: round === 0 ? null : year * 10 + round - 1 })))], revision ?? 'no_stream');
    }
  }
};

type Tally = { country: string; version: number; changes: number; sum: number };

/**
 * A small projection for testing the machinery: per country, how many values changed and their
 * latest sum. `edit` makes it change its working copies in place instead of returning new ones.
 */
export const tallyProjection = (version = 1, options: { edit?: boolean; retiredCollections?: readonly string[]; partitioned?: boolean } = {}): ProjectionDefinition =>
  defineProjection({
    name: 'tally',
    version,
    description: 'test projection',
    eventTypes: ['ObservationsRecorded'],
    collections: [{ name: 'tally', indexes: [['country']] }],
    ...(options.retiredCollections ? { retiredCollections: options.retiredCollections } : {}),
    // A country's tally gathers its series: series-{COUNTRY}-… streams with the same country.
    ...(options.partitioned ? { partitionKey: seriesStreamCountry } : {}),
    touches: (e) => [{ collection: 'tally', id: (e.data as { country: string }).country }],
    apply: (e, view) => {
      const data = e.data as { country: string; changes: { value: number }[] };
      const sum = data.changes.reduce((s, c) => s + c.value, 0);
      if (options.edit) {
        const doc = view.edit<Tally>('tally', data.country) ?? { country: data.country, version, changes: 0, sum: 0 };
        doc.changes += data.changes.length;
        doc.sum += sum;
        return [{ collection: 'tally', id: data.country, doc }];
      }
      const current = view.get<Tally>('tally', data.country) ?? { changes: 0, sum: 0 };
      return [{ collection: 'tally', id: data.country, doc: { country: data.country, version, changes: current.changes + data.changes.length, sum: current.sum + sum } }];
    },
  });

/** A collection as sorted JSON: two copies are equal exactly when their dumps are. */
export const dump = async (readStore: ReadStore, collection: string): Promise<string> => {
  const docs = await readStore.find(collection, { orderBy: [{ field: 'country', direction: 'asc' }] });
  return JSON.stringify(docs.map((d) => ({ id: d.id, doc: d.doc })));
};

export const eventually = async (check: () => Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

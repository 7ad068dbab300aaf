import type { EventStore } from '@nationpulse/ports';
import { newId } from '../ids.ts';

/**
 * What ingestion appends, for tests that need data without running it: one ObservationsRecorded
 * of SP.POP.TOTL per country, the value for 2020 (and, with `from`, every year from `from`, each
 * 1,000 below the next). `expected` is the stream's expected version ('no_stream' for a new store).
 */
export const seedPopulation = async (
  eventStore: EventStore,
  values: Readonly<Record<string, number>>,
  options: { from?: number; expected?: 'any' | 'no_stream' } = {},
): Promise<void> => {
  const from = options.from ?? 2020;
  for (const [country, value] of Object.entries(values)) {
    const changes = Array.from({ length: 2020 - from + 1 }, (_, i) => ({ year: from + i, value: value - (2020 - from - i) * 1000, previous: null }));
    await eventStore.append(
      `series-${country}-SP.POP.TOTL`,
      [
        {
          type: 'ObservationsRecorded',
          data: { country, indicator: 'SP.POP.TOTL', source: 'file', runId: 'seed', changes },
          metadata: { eventId: newId(), correlationId: 'seed', causationId: null, actor: 'system:seed', occurredAt: new Date().toISOString(), traceparent: null, source: 'test', schemaVersion: 1 },
        },
      ],
      options.expected ?? 'any',
    );
  }
};

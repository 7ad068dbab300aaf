import { IngestionRunCompleted, RoleGranted } from '@nationpulse/domain';
import { describe, expect, it } from 'vitest';
import { eventFactory } from '../testing/events.ts';
import { expectAtLeastOnceSafe, expectIgnoresOtherEvents } from '../testing/expectations.ts';
import { documentsOf, positionsOf, runProjection } from '../testing/projection-harness.ts';
import { repeatedYear, seriesHistory } from '../testing/scenarios.ts';
import { observationsProjection as projection } from './observations.projection.ts';

const obs = (indicator: string, year: number, country: string, value: number, isAggregate = false) => ({ indicator, year, country, isAggregate, value });

describe('observations projection', () => {
  it('declares its name, version, event types, collection and indexes', () => {
    expect(projection.name).toBe('observations');
    expect(projection.version).toBe(1);
    expect([...projection.eventTypes].sort()).toEqual(['ObservationCorrected', 'ObservationsRecorded']);
    expect(projection.collections).toEqual([
      {
        name: 'observations',
        indexes: [['indicator', 'year', 'value']],
      },
    ]);
  });

  it('keeps one document per indicator × year × country, corrections applied', () => {
    const state = runProjection(projection, seriesHistory());
    expect(documentsOf(state, 'observations')).toEqual({
      'SP.POP.TOTL:2018:FRA': obs('SP.POP.TOTL', 2018, 'FRA', 66_900_000),
      'SP.POP.TOTL:2019:FRA': obs('SP.POP.TOTL', 2019, 'FRA', 67_250_000),
      'SP.POP.TOTL:2020:FRA': obs('SP.POP.TOTL', 2020, 'FRA', 67_600_000),
      'SP.POP.TOTL:2021:FRA': obs('SP.POP.TOTL', 2021, 'FRA', 67_800_000),
      'SP.POP.TOTL:2022:FRA': obs('SP.POP.TOTL', 2022, 'FRA', 68_000_000),
      'SP.POP.TOTL:2020:WLD': obs('SP.POP.TOTL', 2020, 'WLD', 7_820_206_000, true),
      'SP.POP.TOTL:2021:WLD': obs('SP.POP.TOTL', 2021, 'WLD', 7_888_963_000, true),
      'NY.GDP.MKTP.CD:2021:FRA': obs('NY.GDP.MKTP.CD', 2021, 'FRA', 2_959_355_819_170.5),
      'SP.POP.TOTL:2021:DEU': obs('SP.POP.TOTL', 2021, 'DEU', 83_196_078),
    });
    expect(positionsOf(state, 'observations')).toEqual({
      'SP.POP.TOTL:2018:FRA': 56,
      'SP.POP.TOTL:2019:FRA': 50,
      'SP.POP.TOTL:2020:FRA': 59,
      'SP.POP.TOTL:2021:FRA': 53,
      'SP.POP.TOTL:2022:FRA': 56,
      'SP.POP.TOTL:2020:WLD': 44,
      'SP.POP.TOTL:2021:WLD': 44,
      'NY.GDP.MKTP.CD:2021:FRA': 47,
      'SP.POP.TOTL:2021:DEU': 62,
    });
  });

  it('touches exactly the observations an event sets, without loading them (derived from the event alone)', () => {
    const [first, , , correction] = seriesHistory();
    expect(projection.touches(first!)).toEqual([
      { collection: 'observations', id: 'SP.POP.TOTL:2019:FRA', load: false },
      { collection: 'observations', id: 'SP.POP.TOTL:2020:FRA', load: false },
      { collection: 'observations', id: 'SP.POP.TOTL:2021:FRA', load: false },
    ]);
    expect(projection.touches(correction!)).toEqual([{ collection: 'observations', id: 'SP.POP.TOTL:2019:FRA', load: false }]);
  });

  it('writes a repeated year once, with its last value', () => {
    const event = repeatedYear();
    expect(projection.touches(event)).toHaveLength(2);
    expect(documentsOf(runProjection(projection, [event]), 'observations')).toEqual({
      'SP.POP.TOTL:2020:ITA': obs('SP.POP.TOTL', 2020, 'ITA', 59_400_000),
      'SP.POP.TOTL:2021:ITA': obs('SP.POP.TOTL', 2021, 'ITA', 59_100_000),
    });
  });

  it('gives identical state when events are delivered again, in full or resumed mid-way', () => {
    expect(expectAtLeastOnceSafe(projection, seriesHistory())).toBeGreaterThan(50);
  });

  it('ignores other event types', () => {
    const event = eventFactory();
    expectIgnoresOtherEvents(projection, [
      event(RoleGranted, { userId: 'u-1', role: 'analyst' }),
      event(IngestionRunCompleted, {
        runId: 'run-1',
        rowsRead: 1,
        rowsChanged: 1,
        rowsUnchanged: 0,
        rowsRejected: 0,
        seriesChanged: 1,
        rejected: [],
        durationMs: 10,
      }),
    ]);
  });
});

import { expect } from 'vitest';
import { NationPulseError } from '../errors.ts';

/**
 * given(events).when(command).then(events) for a pure decide/evolve pair.
 * Test-only: it uses vitest's expect.
 */
export const specification = <S, C, E>(decide: (command: C, state: S) => E[], evolve: (state: S, event: E) => S, initial: S) => ({
  given: (...history: E[]) => ({
    when: (command: C) => {
      const run = () => decide(command, history.reduce(evolve, initial));
      return {
        then: (...expected: E[]) => expect(run()).toEqual(expected),
        thenNothing: () => expect(run()).toEqual([]),
        thenFails: (code: string) => {
          let error: unknown;
          try {
            run();
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(NationPulseError);
          expect((error as NationPulseError).code).toBe(code);
        },
      };
    },
  }),
});

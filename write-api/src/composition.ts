import { hashPassword, type Clock, type TokenService } from '@nationpulse/platform';
import type { EventStore } from '@nationpulse/ports';
import { createAccessControl, type AccessControl } from './command-handling/access-control.ts';
import { createAggregateExecutor } from '@nationpulse/event-sourcing';
import { createDispatcher, type Dispatcher } from './command-handling/dispatcher.ts';

export interface WriteSide {
  readonly dispatcher: Dispatcher;
  readonly access: AccessControl;
}

/** The write side's object graph; the same for HTTP, gRPC and the embedded platform. */
export const createWriteSide = (deps: {
  eventStore: EventStore;
  tokens: TokenService;
  clock: Clock;
  hashPassword?: (password: string) => Promise<string>;
}): WriteSide => {
  const executor = createAggregateExecutor({ eventStore: deps.eventStore, clock: deps.clock, source: 'write-api' });
  const access = createAccessControl(deps.tokens, executor);
  const dispatcher = createDispatcher(access, { executor, clock: deps.clock, hashPassword: deps.hashPassword ?? ((p) => hashPassword(p)) });
  return { dispatcher, access };
};

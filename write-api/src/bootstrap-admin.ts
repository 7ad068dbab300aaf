import { usernameStreamId } from '@nationpulse/domain';
import type { EventStore } from '@nationpulse/ports';
import { newId } from '@nationpulse/platform';
import type { Dispatcher } from './command-handling/dispatcher.ts';
import { commands } from './commands/catalogue.ts';

/**
 * The first administrator comes from configuration at first start. Once the username is
 * claimed nothing happens, so restarting with the variables still set is harmless.
 */
export const bootstrapAdmin = async (
  eventStore: EventStore,
  dispatcher: Dispatcher,
  admin: { username: string; password: string },
): Promise<'created' | 'exists'> => {
  if ((await eventStore.streamRevision(usernameStreamId(admin.username))) !== null) return 'exists';
  await dispatcher.dispatch(
    commands.registerUser,
    { username: admin.username, displayName: 'Administrator', password: admin.password, roles: ['admin'] },
    {
      actor: { kind: 'system', name: 'bootstrap' },
      idempotencyKey: `bootstrap-admin:${admin.username}`,
      expectedRevision: null,
      correlationId: newId(),
      causationId: null,
      traceparent: null,
    },
  );
  return 'created';
};

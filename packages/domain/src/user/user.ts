import { z } from 'zod';
import { permissionSchema, roleSchema, type Permission, type Principal, type Role } from '../access.ts';
import { defineEvent, type DomainEventOf } from '../envelope.ts';
import { conflict, notFound } from '../errors.ts';

/** A user and their access. Stream: user-{userId}. Usernames are claimed in username-{lowercase}. */
export const userStreamId = (userId: string): string => `user-${userId}`;
export const usernameStreamId = (username: string): string => `username-${username.toLowerCase()}`;
export const USER_STREAM_PREFIX = 'user-';

export const usernameSchema = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._@-]*$/, 'letters, digits, dot, underscore, @ and dash; starting with a letter or digit');

export const UserRegistered = defineEvent(
  'UserRegistered',
  z.object({ userId: z.string().min(1), username: usernameSchema, displayName: z.string().min(1).max(200) }),
  {
    // v1 (the first release) stored a single `name`, used both to sign in and for display.
    version: 2,
    upcasters: {
      1: (data) => {
        const v1 = z.object({ userId: z.string(), name: z.string() }).parse(data);
        return { userId: v1.userId, username: v1.name, displayName: v1.name };
      },
    },
  },
);
/** The credential is a memory-hard hash (scrypt, with its parameters and salt), never the password. */
export const UserPasswordSet = defineEvent('UserPasswordSet', z.object({ userId: z.string().min(1), passwordHash: z.string().min(20) }));
export const UserDisabled = defineEvent('UserDisabled', z.object({ userId: z.string().min(1), reason: z.string().min(1).max(500) }));
export const RoleGranted = defineEvent('RoleGranted', z.object({ userId: z.string().min(1), role: roleSchema }));
export const RoleRevoked = defineEvent('RoleRevoked', z.object({ userId: z.string().min(1), role: roleSchema }));
export const PermissionGranted = defineEvent('PermissionGranted', z.object({ userId: z.string().min(1), permission: permissionSchema }));
export const PermissionRevoked = defineEvent('PermissionRevoked', z.object({ userId: z.string().min(1), permission: permissionSchema }));
export const UsernameClaimed = defineEvent('UsernameClaimed', z.object({ username: usernameSchema, userId: z.string().min(1) }));

export type UserEvent =
  | DomainEventOf<typeof UserRegistered>
  | DomainEventOf<typeof UserPasswordSet>
  | DomainEventOf<typeof UserDisabled>
  | DomainEventOf<typeof RoleGranted>
  | DomainEventOf<typeof RoleRevoked>
  | DomainEventOf<typeof PermissionGranted>
  | DomainEventOf<typeof PermissionRevoked>;

export interface UserState extends Principal {
  readonly exists: boolean;
  readonly userId: string | null;
  readonly username: string | null;
  readonly passwordHash: string | null;
}
export const initialUserState: UserState = {
  exists: false,
  userId: null,
  username: null,
  passwordHash: null,
  roles: new Set(),
  grants: new Set(),
  disabled: false,
};

export type UserCommand =
  | {
      readonly type: 'RegisterUser';
      readonly userId: string;
      readonly username: string;
      readonly displayName: string;
      readonly passwordHash: string;
      readonly roles: readonly Role[];
    }
  | { readonly type: 'DisableUser'; readonly userId: string; readonly reason: string }
  | { readonly type: 'GrantRole' | 'RevokeRole'; readonly userId: string; readonly role: Role }
  | { readonly type: 'GrantPermission' | 'RevokePermission'; readonly userId: string; readonly permission: Permission };

const withSet = <T>(set: ReadonlySet<T>, item: T, present: boolean): ReadonlySet<T> => {
  const out = new Set(set);
  if (present) out.add(item);
  else out.delete(item);
  return out;
};

export const evolveUser = (state: UserState, event: UserEvent): UserState => {
  switch (event.type) {
    case 'UserRegistered':
      return { ...state, exists: true, userId: event.data.userId, username: event.data.username };
    case 'UserPasswordSet':
      return { ...state, passwordHash: event.data.passwordHash };
    case 'UserDisabled':
      return { ...state, disabled: true };
    case 'RoleGranted':
    case 'RoleRevoked':
      return { ...state, roles: withSet(state.roles, event.data.role, event.type === 'RoleGranted') };
    case 'PermissionGranted':
    case 'PermissionRevoked':
      return { ...state, grants: withSet(state.grants, event.data.permission, event.type === 'PermissionGranted') };
  }
};

/** Granting what is held, or revoking what is not, decides nothing: retries are harmless. */
export const decideUser = (command: UserCommand, state: UserState): UserEvent[] => {
  const { userId } = command;
  if (command.type === 'RegisterUser') {
    if (state.exists) throw conflict('USER_ALREADY_EXISTS', `User ${userId} already exists`);
    const { username, displayName, passwordHash } = command;
    return [
      { type: 'UserRegistered', data: { userId, username, displayName } },
      { type: 'UserPasswordSet', data: { userId, passwordHash } },
      ...[...new Set(command.roles)].map((role) => ({ type: 'RoleGranted' as const, data: { userId, role } })),
    ];
  }
  if (!state.exists) throw notFound('USER_NOT_FOUND', `No user ${userId}`, { userId });
  switch (command.type) {
    case 'DisableUser':
      return state.disabled ? [] : [{ type: 'UserDisabled', data: { userId, reason: command.reason } }];
    case 'GrantRole':
      if (state.disabled) throw conflict('USER_DISABLED', `User ${userId} is disabled`);
      return state.roles.has(command.role) ? [] : [{ type: 'RoleGranted', data: { userId, role: command.role } }];
    case 'RevokeRole':
      return state.roles.has(command.role) ? [{ type: 'RoleRevoked', data: { userId, role: command.role } }] : [];
    case 'GrantPermission':
      if (state.disabled) throw conflict('USER_DISABLED', `User ${userId} is disabled`);
      return state.grants.has(command.permission) ? [] : [{ type: 'PermissionGranted', data: { userId, permission: command.permission } }];
    case 'RevokePermission':
      return state.grants.has(command.permission) ? [{ type: 'PermissionRevoked', data: { userId, permission: command.permission } }] : [];
  }
};

/** The user aggregate, as the executor runs it. */
export const userAggregate = { initial: initialUserState, evolve: evolveUser, decide: decideUser };

import {
  effectivePermissions,
  PermissionGranted,
  PermissionRevoked,
  RoleGranted,
  RoleRevoked,
  UserDisabled,
  UserPasswordSet,
  UserRegistered,
  type Permission,
  type Role,
} from '@nationpulse/domain';
import { collections, type AccessLogDoc, type UserDoc } from '../documents.ts';
import { defineProjection, type DocumentChange, type DocumentRef, type DocumentView, type ProjectedEvent } from '../projection.ts';
import { isEvent, put } from '../shared/events.ts';

const handled = [
  UserRegistered.type,
  UserPasswordSet.type,
  UserDisabled.type,
  RoleGranted.type,
  RoleRevoked.type,
  PermissionGranted.type,
  PermissionRevoked.type,
] as const;
const isHandled = (event: ProjectedEvent): event is ProjectedEvent & { readonly data: { readonly userId: string } } =>
  (handled as readonly string[]).includes(event.type);

/** What an event changes in a user's access, or null (a password change is not an access change). */
const accessChange = (event: ProjectedEvent): Pick<AccessLogDoc, 'change' | 'role' | 'permission'> | null => {
  if (isEvent(event, UserRegistered)) return { change: 'registered', role: null, permission: null };
  if (isEvent(event, UserDisabled)) return { change: 'disabled', role: null, permission: null };
  if (isEvent(event, RoleGranted)) return { change: 'role-granted', role: event.data.role, permission: null };
  if (isEvent(event, RoleRevoked)) return { change: 'role-revoked', role: event.data.role, permission: null };
  if (isEvent(event, PermissionGranted)) return { change: 'permission-granted', role: null, permission: event.data.permission };
  if (isEvent(event, PermissionRevoked)) return { change: 'permission-revoked', role: null, permission: event.data.permission };
  return null;
};

const withItem = <T extends string>(items: readonly T[], item: T, present: boolean): T[] =>
  [...new Set([...items, item])].filter((i) => present || i !== item).sort();

/** Roles' permissions plus grants (none when disabled), computed by the domain's own rule. */
const withPermissions = (user: Omit<UserDoc, 'permissions'>): UserDoc => ({
  ...user,
  permissions: [
    ...effectivePermissions({
      roles: new Set(user.roles as Role[]),
      grants: new Set(user.grants as Permission[]),
      disabled: user.disabled,
    }),
  ].sort(),
});

/** The user document after the event; null when there is nothing to change (an event for a user never registered). */
const nextUser = (event: ProjectedEvent, view: DocumentView, userId: string): UserDoc | null => {
  const at = event.metadata.occurredAt;
  if (isEvent(event, UserRegistered)) {
    const current = view.get<UserDoc>(collections.users, userId);
    const { username, displayName } = event.data;
    return withPermissions({
      userId,
      username,
      displayName,
      roles: current?.roles ?? [],
      grants: current?.grants ?? [],
      disabled: current?.disabled ?? false,
      passwordHash: current?.passwordHash ?? null,
      registeredAt: at,
      updatedAt: at,
    });
  }
  const user = view.get<UserDoc>(collections.users, userId);
  if (!user) return null;
  const updated = { ...user, updatedAt: at };
  if (isEvent(event, UserPasswordSet)) return { ...updated, passwordHash: event.data.passwordHash };
  if (isEvent(event, UserDisabled)) return withPermissions({ ...updated, disabled: true });
  if (isEvent(event, RoleGranted) || isEvent(event, RoleRevoked)) {
    return withPermissions({ ...updated, roles: withItem(user.roles, event.data.role, event.type === RoleGranted.type) });
  }
  if (isEvent(event, PermissionGranted) || isEvent(event, PermissionRevoked)) {
    return withPermissions({ ...updated, grants: withItem(user.grants, event.data.permission, event.type === PermissionGranted.type) });
  }
  return null;
};

/**
 * users (id = userId): what the gateway checks on every request — roles, grants, effective
 * permissions, disabled, the password hash it verifies sign-ins against.
 * access_log (id = eventId): every access change — who (the event's actor), whom, what, when.
 */
export const usersProjection = defineProjection({
  name: 'users',
  version: 1,
  description: 'Users with their roles, grants and effective permissions; the log of every access change',
  eventTypes: handled,
  collections: [
    { name: collections.users, indexes: [['username']] },
    {
      name: collections.accessLog,
      indexes: [['userId', 'at'], ['at']],
    },
  ],
  touches(event) {
    if (!isHandled(event)) return [];
    const refs: DocumentRef[] = [{ collection: collections.users, id: event.data.userId }];
    if (accessChange(event)) refs.push({ collection: collections.accessLog, id: event.metadata.eventId });
    return refs;
  },
  apply(event, view) {
    if (!isHandled(event)) return [];
    const { userId } = event.data;
    const changes: DocumentChange[] = [];
    const user = nextUser(event, view, userId);
    if (user) changes.push(put<UserDoc>(collections.users, userId, user));
    const access = accessChange(event);
    if (access) {
      const { eventId, actor, occurredAt } = event.metadata;
      changes.push(put<AccessLogDoc>(collections.accessLog, eventId, { eventId, at: occurredAt, actor, userId, ...access, position: event.position }));
    }
    return changes;
  },
});

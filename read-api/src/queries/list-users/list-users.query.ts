import { collections, type UserDoc } from '@nationpulse/read-models';
import { z } from 'zod';
import { projections } from '../../query-handling/projections.ts';
import { defineQuery } from '../../query-handling/query-definition.ts';
import { fields } from '../fields.ts';

/** A user as listed for administrators: access and dates, never the password hash. */
export const userSummary = z.object({
  userId: z.string(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(z.string()),
  /** Permissions granted one by one, beyond the roles'. */
  grants: z.array(z.string()),
  /** Roles' permissions plus grants; empty when disabled. */
  permissions: z.array(z.string()),
  disabled: z.boolean(),
  registeredAt: z.string(),
  updatedAt: z.string(),
});
export type UserSummary = z.infer<typeof userSummary>;

/** Field by field, so a field added to the document (the password hash is one) is never listed by accident. */
export const toUserSummary = (u: UserDoc): UserSummary => ({
  userId: u.userId,
  username: u.username,
  displayName: u.displayName,
  roles: [...u.roles],
  grants: [...u.grants],
  permissions: [...u.permissions],
  disabled: u.disabled,
  registeredAt: u.registeredAt,
  updatedAt: u.updatedAt,
});

export const listUsersInput = z.object({ limit: fields.limit.default(100), offset: fields.offset.default(0) });
export const listUsersOutput = z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), users: z.array(userSummary) });
export type ListUsersOutput = z.infer<typeof listUsersOutput>;

/** Users with their roles, grants and effective permissions, by username. */
export const listUsersQuery = defineQuery({
  name: 'list-users',
  input: listUsersInput,
  reads: [projections.users],
  async run(input, { readStore }): Promise<ListUsersOutput> {
    const [total, docs] = await Promise.all([
      readStore.count(collections.users),
      readStore.find<UserDoc>(collections.users, { orderBy: [{ field: 'username', direction: 'asc' }], limit: input.limit, offset: input.offset }),
    ]);
    return { total, limit: input.limit, offset: input.offset, users: docs.map((d) => toUserSummary(d.doc)) };
  },
});

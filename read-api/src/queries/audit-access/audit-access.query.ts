import type { FieldCondition } from '@nationpulse/ports';
import { collections, type AccessLogDoc, type UserDoc } from '@nationpulse/read-models';
import { z } from 'zod';
import { projections } from '../../query-handling/projections.ts';
import { defineQuery } from '../../query-handling/query-definition.ts';
import { fields } from '../fields.ts';
import { instant, instantNotAfter } from '../audit-shared/audit-fields.ts';

export const accessChange = z.object({
  at: z.string(),
  /** Who: a user id, or `system:<name>` for the platform itself (the first admin, say). */
  actor: z.string(),
  actorName: z.string().nullable().describe("The actor's username, when the actor is a user"),
  /** Whom. */
  userId: z.string(),
  username: z.string().nullable(),
  change: z.enum(['registered', 'disabled', 'role-granted', 'role-revoked', 'permission-granted', 'permission-revoked']),
  role: z.string().nullable(),
  permission: z.string().nullable(),
  position: z.number().int(),
});
export type AccessChange = z.infer<typeof accessChange>;

export const auditAccessShape = {
  userId: z.string().min(1).max(200).optional().describe("Only this user's access changes"),
  from: instant.optional(),
  to: instant.optional(),
  limit: fields.limit.default(50),
  offset: fields.offset.default(0),
};
export const auditAccessInput = z.object(auditAccessShape).refine(...instantNotAfter);
export const auditAccessOutput = z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), changes: z.array(accessChange) });
export type AuditAccessOutput = z.infer<typeof auditAccessOutput>;

/** Access changes (registrations, roles and permissions granted or revoked, disabling), newest first: who, whom, what, when. */
export const auditAccessQuery = defineQuery({
  name: 'audit-access',
  input: auditAccessInput,
  reads: [projections.users],
  async run(input, { readStore }): Promise<AuditAccessOutput> {
    const where: Record<string, FieldCondition> = {};
    if (input.userId !== undefined) where.userId = input.userId;
    if (input.from !== undefined || input.to !== undefined) {
      where.at = { ...(input.from === undefined ? {} : { gte: input.from }), ...(input.to === undefined ? {} : { lte: input.to }) };
    }
    const [total, docs] = await Promise.all([
      readStore.count(collections.accessLog, where),
      readStore.find<AccessLogDoc>(collections.accessLog, {
        where,
        orderBy: [
          { field: 'at', direction: 'desc' },
          { field: 'position', direction: 'desc' },
        ],
        limit: input.limit,
        offset: input.offset,
      }),
    ]);
    const entries = docs.map((d) => d.doc);
    const ids = [...new Set(entries.flatMap((e) => [e.userId, e.actor]))];
    const names = new Map((await readStore.getMany<UserDoc>(collections.users, ids)).map(({ doc }) => [doc.userId, doc.username]));
    return {
      total,
      limit: input.limit,
      offset: input.offset,
      changes: entries.map((e) => ({
        at: e.at,
        actor: e.actor,
        actorName: names.get(e.actor) ?? null,
        userId: e.userId,
        username: names.get(e.userId) ?? null,
        change: e.change,
        role: e.role,
        permission: e.permission,
        position: e.position,
      })),
    };
  },
});

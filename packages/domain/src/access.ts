import { z } from 'zod';

export const roles = ['admin', 'analyst', 'viewer'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

export const permissions = [
  'data:read',
  'reports:request',
  'data:correct',
  'ingestion:trigger',
  'users:manage',
  'audit:read',
  'ops:manage',
] as const;
export const permissionSchema = z.enum(permissions);
export type Permission = z.infer<typeof permissionSchema>;

/** What each role implies; per-user grants add to it. */
export const rolePermissions: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: ['data:read'],
  analyst: ['data:read', 'reports:request', 'audit:read'],
  admin: permissions,
};

export interface Principal {
  readonly roles: ReadonlySet<Role>;
  readonly grants: ReadonlySet<Permission>;
  readonly disabled: boolean;
}

export const effectivePermissions = (p: Principal): Set<Permission> => {
  if (p.disabled) return new Set();
  const out = new Set<Permission>(p.grants);
  for (const r of p.roles) for (const perm of rolePermissions[r]) out.add(perm);
  return out;
};

export const hasPermission = (p: Principal, permission: Permission): boolean => effectivePermissions(p).has(permission);

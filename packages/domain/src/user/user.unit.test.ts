import { describe, expect, it } from 'vitest';
import { effectivePermissions, hasPermission } from '../access.ts';
import { specification } from '../testing/specification.ts';
import { decideUser, evolveUser, initialUserState, type UserEvent } from './user.ts';

const { given } = specification(decideUser, evolveUser, initialUserState);
const userId = 'u1';
const registered: UserEvent = { type: 'UserRegistered', data: { userId, username: 'ada', displayName: 'Ada' } };
const password: UserEvent = { type: 'UserPasswordSet', data: { userId, passwordHash: 'scrypt$16384$8$1$salt$hash-hash-hash' } };

describe('user', () => {
  it('registers a user with a password hash and initial roles', () => {
    given()
      .when({ type: 'RegisterUser', userId, username: 'ada', displayName: 'Ada', passwordHash: password.data.passwordHash, roles: ['viewer', 'viewer'] })
      .then(registered, password, { type: 'RoleGranted', data: { userId, role: 'viewer' } });
  });

  it('refuses to register the same user twice', () => {
    given(registered)
      .when({ type: 'RegisterUser', userId, username: 'ada', displayName: 'Ada', passwordHash: 'x'.repeat(30), roles: [] })
      .thenFails('USER_ALREADY_EXISTS');
  });

  it('grants a role once; granting it again decides nothing', () => {
    given(registered).when({ type: 'GrantRole', userId, role: 'analyst' }).then({ type: 'RoleGranted', data: { userId, role: 'analyst' } });
    given(registered, { type: 'RoleGranted', data: { userId, role: 'analyst' } }).when({ type: 'GrantRole', userId, role: 'analyst' }).thenNothing();
  });

  it('revokes a held role and ignores revoking one not held', () => {
    given(registered, { type: 'RoleGranted', data: { userId, role: 'admin' } })
      .when({ type: 'RevokeRole', userId, role: 'admin' })
      .then({ type: 'RoleRevoked', data: { userId, role: 'admin' } });
    given(registered).when({ type: 'RevokeRole', userId, role: 'admin' }).thenNothing();
  });

  it('grants and revokes single permissions', () => {
    given(registered)
      .when({ type: 'GrantPermission', userId, permission: 'data:correct' })
      .then({ type: 'PermissionGranted', data: { userId, permission: 'data:correct' } });
    given(registered, { type: 'PermissionGranted', data: { userId, permission: 'data:correct' } })
      .when({ type: 'RevokePermission', userId, permission: 'data:correct' })
      .then({ type: 'PermissionRevoked', data: { userId, permission: 'data:correct' } });
  });

  it('refuses commands for unknown users and grants to disabled ones', () => {
    given().when({ type: 'GrantRole', userId, role: 'viewer' }).thenFails('USER_NOT_FOUND');
    given(registered, { type: 'UserDisabled', data: { userId, reason: 'left' } }).when({ type: 'GrantRole', userId, role: 'viewer' }).thenFails('USER_DISABLED');
  });

  it('disables once', () => {
    given(registered).when({ type: 'DisableUser', userId, reason: 'left' }).then({ type: 'UserDisabled', data: { userId, reason: 'left' } });
    given(registered, { type: 'UserDisabled', data: { userId, reason: 'left' } }).when({ type: 'DisableUser', userId, reason: 'again' }).thenNothing();
  });

  it('derives permissions from roles and grants, and none when disabled', () => {
    const state = [registered, { type: 'RoleGranted', data: { userId, role: 'viewer' } } as UserEvent, { type: 'PermissionGranted', data: { userId, permission: 'data:correct' } } as UserEvent].reduce(evolveUser, initialUserState);
    expect([...effectivePermissions(state)].sort()).toEqual(['data:correct', 'data:read']);
    expect(hasPermission(state, 'users:manage')).toBe(false);
    expect(hasPermission(evolveUser(state, { type: 'UserDisabled', data: { userId, reason: 'x' } }), 'data:read')).toBe(false);
  });
});

import {
  ObservationCorrected,
  PermissionGranted,
  PermissionRevoked,
  RoleGranted,
  RoleRevoked,
  UserDisabled,
  UsernameClaimed,
  UserPasswordSet,
  UserRegistered,
  userStreamId,
} from '@nationpulse/domain';
import { describe, expect, it } from 'vitest';
import { eventFactory } from '../testing/events.ts';
import { expectAtLeastOnceSafe, expectIgnoresOtherEvents } from '../testing/expectations.ts';
import { documentsOf, positionsOf, runProjection } from '../testing/projection-harness.ts';
import { usersProjection as projection } from './users.projection.ts';

const id = (n: number) => `0195a1b2-c3d4-4e5f-8a6b-${n.toString(16).padStart(12, '0')}`;
const at = (n: number) => `2026-03-01T09:${String(n).padStart(2, '0')}:00.000Z`;
const hash = (salt: string) => `scrypt$N=16384,r=8,p=1$${salt}$${'Zm9vYmFy'.repeat(6)}`;

const history = () => {
  const event = eventFactory();
  const ada = { streamId: userStreamId('u-ada') };
  const bob = { streamId: userStreamId('u-bob') };
  return [
    /* 1 @41 */ event(UserRegistered, { userId: 'u-ada', username: 'ada', displayName: 'Ada Lovelace' }, { ...ada, actor: 'bootstrap' }),
    /* 2 @44 */ event(UserPasswordSet, { userId: 'u-ada', passwordHash: hash('c2FsdDE') }, { ...ada, actor: 'bootstrap' }),
    /* 3 @47 */ event(RoleGranted, { userId: 'u-ada', role: 'analyst' }, { ...ada, actor: 'bootstrap' }),
    /* 4 @50 */ event(UserRegistered, { userId: 'u-bob', username: 'bob.smith', displayName: 'Bob Smith' }, { ...bob, actor: 'u-admin' }),
    /* 5 @53 */ event(UserPasswordSet, { userId: 'u-bob', passwordHash: hash('c2FsdDI') }, { ...bob, actor: 'u-admin' }),
    /* 6 @56 */ event(RoleGranted, { userId: 'u-bob', role: 'viewer' }, { ...bob, actor: 'u-admin' }),
    /* 7 @59 */ event(PermissionGranted, { userId: 'u-bob', permission: 'data:correct' }, { ...bob, actor: 'u-admin' }),
    /* 8 @62 */ event(RoleGranted, { userId: 'u-ada', role: 'admin' }, { ...ada, actor: 'u-admin' }),
    /* 9 @65 */ event(RoleRevoked, { userId: 'u-ada', role: 'analyst' }, { ...ada, actor: 'u-admin' }),
    /* 10 @68 */ event(PermissionRevoked, { userId: 'u-bob', permission: 'data:correct' }, { ...bob, actor: 'u-ada' }),
    /* 11 @71 */ event(PermissionGranted, { userId: 'u-bob', permission: 'reports:request' }, { ...bob, actor: 'u-ada' }),
    /* 12 @74 */ event(UserDisabled, { userId: 'u-bob', reason: 'Left the team' }, { ...bob, actor: 'u-ada' }),
    /* 13 @77 */ event(UserPasswordSet, { userId: 'u-ada', passwordHash: hash('c2FsdDM') }, { ...ada, actor: 'u-ada' }),
  ];
};

const log = (n: number, position: number, actor: string, userId: string, change: string, role: string | null = null, permission: string | null = null) => ({
  eventId: id(n),
  at: at(n),
  actor,
  userId,
  change,
  role,
  permission,
  position,
});

describe('users projection', () => {
  it('declares its name, version, event types, collections and indexes', () => {
    expect(projection.name).toBe('users');
    expect(projection.version).toBe(1);
    expect([...projection.eventTypes].sort()).toEqual([
      'PermissionGranted',
      'PermissionRevoked',
      'RoleGranted',
      'RoleRevoked',
      'UserDisabled',
      'UserPasswordSet',
      'UserRegistered',
    ]);
    expect(projection.collections).toEqual([
      { name: 'users', indexes: [['username']] },
      { name: 'access_log', indexes: [['userId', 'at'], ['at']] },
    ]);
  });

  it('keeps each user with roles, grants, effective permissions, disabled and password hash', () => {
    const state = runProjection(projection, history());
    expect(documentsOf(state, 'users')).toEqual({
      'u-ada': {
        userId: 'u-ada',
        username: 'ada',
        displayName: 'Ada Lovelace',
        roles: ['admin'],
        grants: [],
        permissions: ['audit:read', 'data:correct', 'data:read', 'ingestion:trigger', 'ops:manage', 'reports:request', 'users:manage'],
        disabled: false,
        passwordHash: hash('c2FsdDM'),
        registeredAt: at(1),
        updatedAt: at(13),
      },
      'u-bob': {
        userId: 'u-bob',
        username: 'bob.smith',
        displayName: 'Bob Smith',
        roles: ['viewer'],
        grants: ['reports:request'],
        permissions: [], // disabled
        disabled: true,
        passwordHash: hash('c2FsdDI'),
        registeredAt: at(4),
        updatedAt: at(12),
      },
    });
    expect(positionsOf(state, 'users')).toEqual({ 'u-ada': 77, 'u-bob': 74 });
  });

  it('computes permissions from roles and grants while enabled', () => {
    const events = history();
    const users = (n: number) => documentsOf(runProjection(projection, events.slice(0, n)), 'users');
    expect(users(3)['u-ada']).toMatchObject({ roles: ['analyst'], permissions: ['audit:read', 'data:read', 'reports:request'], passwordHash: hash('c2FsdDE') });
    expect(users(7)['u-bob']).toMatchObject({ roles: ['viewer'], grants: ['data:correct'], permissions: ['data:correct', 'data:read'], updatedAt: at(7) });
    expect(users(9)['u-ada']).toMatchObject({ roles: ['admin'] });
    expect(users(11)['u-bob']).toMatchObject({ grants: ['reports:request'], permissions: ['data:read', 'reports:request'], disabled: false });
  });

  it('logs every access change — who, whom, what, when — but not password changes', () => {
    const state = runProjection(projection, history());
    expect(documentsOf(state, 'access_log')).toEqual({
      [id(1)]: log(1, 41, 'bootstrap', 'u-ada', 'registered'),
      [id(3)]: log(3, 47, 'bootstrap', 'u-ada', 'role-granted', 'analyst'),
      [id(4)]: log(4, 50, 'u-admin', 'u-bob', 'registered'),
      [id(6)]: log(6, 56, 'u-admin', 'u-bob', 'role-granted', 'viewer'),
      [id(7)]: log(7, 59, 'u-admin', 'u-bob', 'permission-granted', null, 'data:correct'),
      [id(8)]: log(8, 62, 'u-admin', 'u-ada', 'role-granted', 'admin'),
      [id(9)]: log(9, 65, 'u-admin', 'u-ada', 'role-revoked', 'analyst'),
      [id(10)]: log(10, 68, 'u-ada', 'u-bob', 'permission-revoked', null, 'data:correct'),
      [id(11)]: log(11, 71, 'u-ada', 'u-bob', 'permission-granted', null, 'reports:request'),
      [id(12)]: log(12, 74, 'u-ada', 'u-bob', 'disabled'),
    });
  });

  it('touches the user, and the access log entry only for an access change', () => {
    const [registered, passwordSet] = history();
    expect(projection.touches(registered!)).toEqual([
      { collection: 'users', id: 'u-ada' },
      { collection: 'access_log', id: id(1) },
    ]);
    expect(projection.touches(passwordSet!)).toEqual([{ collection: 'users', id: 'u-ada' }]);
  });

  it('logs a change for a user it has not seen registered, without inventing the user', () => {
    const event = eventFactory({ firstPosition: 500 });
    const state = runProjection(projection, [event(RoleGranted, { userId: 'u-ghost', role: 'viewer' }, { actor: 'u-admin' })]);
    expect(documentsOf(state, 'users')).toEqual({});
    expect(Object.values(documentsOf(state, 'access_log'))).toMatchObject([{ userId: 'u-ghost', change: 'role-granted', role: 'viewer', position: 500 }]);
  });

  it('gives identical state when events are delivered again, in full or resumed mid-way', () => {
    expect(expectAtLeastOnceSafe(projection, history())).toBeGreaterThan(100);
  });

  it('ignores other event types, username claims included', () => {
    const event = eventFactory();
    expectIgnoresOtherEvents(projection, [
      event(UsernameClaimed, { username: 'ada', userId: 'u-ada' }),
      event(ObservationCorrected, { country: 'FRA', indicator: 'SP.POP.TOTL', year: 2020, value: 1, previous: 2, reason: 'typo' }),
    ]);
  });
});

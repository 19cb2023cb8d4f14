import { defineAbilityFor, type MeResponse, type OrgRole, type UserView } from '@enclave/contracts';
import { describe, expect, it } from 'vitest';
import { creatableRoles, rowPermissions } from './roles';

const ORG = '00000000-0000-4000-8000-000000000001';
const ME = '00000000-0000-4000-8000-0000000000aa';

function session(role: OrgRole) {
  const me: MeResponse = { id: ME, email: 'me@lab.test', name: 'Me', role, orgId: ORG };
  return { me, ability: defineAbilityFor({ userId: ME, role, orgId: ORG }) };
}

function user(role: OrgRole, id = '00000000-0000-4000-8000-0000000000bb'): UserView {
  return {
    id,
    email: `${role}@lab.test`,
    name: role,
    role,
    status: 'active',
    createdAt: '2025-01-01T00:00:00Z',
  };
}

describe('user controls by role', () => {
  it('lets an owner create and change every role, but not their own', () => {
    const { me, ability } = session('owner');
    expect(creatableRoles(ability)).toEqual(['owner', 'admin', 'manager', 'reviewer', 'annotator']);
    expect(rowPermissions(ability, me, user('admin'))).toEqual({
      canUpdate: true,
      roles: ['owner', 'admin', 'manager', 'reviewer', 'annotator'],
    });
    expect(rowPermissions(ability, me, { ...user('owner'), id: ME }).canUpdate).toBe(false);
  });

  it('keeps an admin to staff roles and away from owners and other admins', () => {
    const { me, ability } = session('admin');
    expect(creatableRoles(ability)).toEqual(['manager', 'reviewer', 'annotator']);
    expect(rowPermissions(ability, me, user('annotator')).roles).toEqual([
      'manager',
      'reviewer',
      'annotator',
    ]);
    expect(rowPermissions(ability, me, user('owner'))).toEqual({ canUpdate: false, roles: [] });
    expect(rowPermissions(ability, me, user('admin'))).toEqual({ canUpdate: false, roles: [] });
  });

  it('gives a manager a read-only directory', () => {
    const { me, ability } = session('manager');
    expect(creatableRoles(ability)).toEqual([]);
    expect(rowPermissions(ability, me, user('annotator')).canUpdate).toBe(false);
  });
});

import { defineAbilityFor, type OrgRole, type ProjectMemberView, type UserView } from '@enclave/contracts';
import { describe, expect, it } from 'vitest';
import {
  addableUsers,
  canManage,
  projectPermissions,
  projectRoleOptions,
  projectRolesFor,
} from './member-roles';

const ORG = '00000000-0000-4000-8000-000000000001';

function user(id: string, name: string, role: OrgRole, status: UserView['status'] = 'active'): UserView {
  return { id, name, email: `${id}@lab.test`, role, status, createdAt: '2025-01-01T00:00:00Z' };
}

describe('project roles', () => {
  it('never offers more than the organization role allows', () => {
    expect(projectRolesFor('annotator')).toEqual(['annotator']);
    expect(projectRolesFor('reviewer')).toEqual(['annotator', 'reviewer']);
    expect(projectRolesFor('manager')).toEqual(['annotator', 'reviewer', 'manager']);
    expect(projectRolesFor('owner')).toEqual(['annotator', 'reviewer', 'manager']);
    expect(projectRoleOptions('reviewer')).toEqual([
      { value: 'annotator', label: 'Annotator (labels tasks)' },
      { value: 'reviewer', label: 'Reviewer (labels and reviews)' },
    ]);
  });

  it('offers active people who are not members yet, by name', () => {
    const members = [{ userId: 'u2' } as ProjectMemberView];
    const users = [
      user('u3', 'Zoe', 'annotator'),
      user('u2', 'Bo', 'reviewer'),
      user('u4', 'Al', 'manager', 'disabled'),
      user('u1', 'Ann', 'annotator'),
    ];
    expect(addableUsers(users, members).map((u) => u.name)).toEqual(['Ann', 'Zoe']);
  });
});

describe('projectPermissions', () => {
  const ability = (role: OrgRole) => defineAbilityFor({ userId: 'me', role, orgId: ORG });

  it('lets a project manager run it, but not name annotators in exports', () => {
    const p = projectPermissions(ability('manager'), { myRole: 'manager', status: 'active' });
    expect(p).toMatchObject({
      update: true,
      changeMembers: true,
      importTasks: true,
      exportData: true,
      stats: true,
      identities: false,
    });
    expect(canManage(p)).toBe(true);
  });

  it('gives a manager who only labels in the project nothing to manage', () => {
    const p = projectPermissions(ability('manager'), { myRole: 'annotator', status: 'active' });
    expect(canManage(p)).toBe(false);
  });

  it('lets an admin manage any project and export identities; an archived one is read-only', () => {
    const p = projectPermissions(ability('admin'), { myRole: null, status: 'archived' });
    expect(p).toMatchObject({
      update: false,
      archive: false,
      changeMembers: false,
      importTasks: false,
      members: true,
      exportData: true,
      identities: true,
    });
  });

  it('keeps annotators out', () => {
    expect(
      canManage(projectPermissions(ability('annotator'), { myRole: 'annotator', status: 'active' })),
    ).toBe(false);
  });
});

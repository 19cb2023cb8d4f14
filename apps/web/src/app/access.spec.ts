import { defineAbilityFor, type MeResponse, type Role } from '@enclave/contracts';
import { describe, expect, it } from 'vitest';
import { homePathFor, pagesFor } from './access';

function as(role: Role) {
  const user: MeResponse = {
    id: '00000000-0000-4000-8000-0000000000aa',
    email: `${role}@lab.test`,
    name: role,
    role,
    orgId: role === 'operator' ? null : '00000000-0000-4000-8000-000000000001',
  };
  const ability = defineAbilityFor({ userId: user.id, role: user.role, orgId: user.orgId });
  return { labels: pagesFor(ability, user).map((p) => p.label), home: homePathFor(ability, user) };
}

describe('navigation by role', () => {
  it('gives the operator organizations and nothing inside them', () => {
    expect(as('operator')).toEqual({ labels: ['Organizations'], home: '/organizations' });
  });

  it('gives owners and admins users, tokens and the audit log', () => {
    expect(as('owner').labels).toEqual(['Users', 'API tokens', 'Audit log']);
    expect(as('admin').labels).toEqual(['Users', 'API tokens', 'Audit log']);
    expect(as('owner').home).toBe('/users');
  });

  it('gives a manager the directory but not the audit log', () => {
    expect(as('manager').labels).toEqual(['Users', 'API tokens']);
  });

  it('hides users and the audit log from reviewers and annotators', () => {
    expect(as('reviewer').labels).toEqual(['API tokens']);
    expect(as('annotator')).toEqual({ labels: ['API tokens'], home: '/tokens' });
  });
});

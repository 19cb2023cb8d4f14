import { defineAbilityFor, type MeResponse, type Role } from '@enclave/contracts';
import { describe, expect, it } from 'vitest';
import { canLabelIn, canReviewIn, homePathFor, PAGES, pagesFor } from './access';

function sessionOf(role: Role) {
  const user: MeResponse = {
    id: '00000000-0000-4000-8000-0000000000aa',
    email: `${role}@lab.test`,
    name: role,
    role,
    orgId: role === 'operator' ? null : '00000000-0000-4000-8000-000000000001',
  };
  const ability = defineAbilityFor({ userId: user.id, role: user.role, orgId: user.orgId });
  return { user, ability };
}

function as(role: Role) {
  const { user, ability } = sessionOf(role);
  return { labels: pagesFor(ability, user).map((p) => p.label), home: homePathFor(ability, user) };
}

function opens(role: Role, id: string): boolean {
  const { user, ability } = sessionOf(role);
  return PAGES.find((p) => p.id === id)!.allowed(ability, user);
}

describe('navigation by role', () => {
  it('gives the operator organizations and nothing inside them', () => {
    expect(as('operator')).toEqual({ labels: ['Organizations'], home: '/organizations' });
  });

  it('gives owners and admins their projects, users, tokens and the audit log', () => {
    expect(as('owner').labels).toEqual(['My projects', 'Users', 'API tokens', 'Audit log']);
    expect(as('admin').labels).toEqual(['My projects', 'Users', 'API tokens', 'Audit log']);
    expect(as('owner').home).toBe('/projects');
  });

  it('gives a manager the directory but not the audit log', () => {
    expect(as('manager').labels).toEqual(['My projects', 'Users', 'API tokens']);
  });

  it('hides users and the audit log from reviewers and annotators, who start at their projects', () => {
    expect(as('reviewer').labels).toEqual(['My projects', 'API tokens']);
    expect(as('annotator')).toEqual({ labels: ['My projects', 'API tokens'], home: '/projects' });
  });

  it('never lists pages that need parameters', () => {
    for (const p of PAGES) if (p.path.includes(':')) expect(p.nav).toBe(false);
  });
});

describe('project pages', () => {
  it('lets everyone in an organization label, and nobody on the platform', () => {
    for (const role of ['owner', 'admin', 'manager', 'reviewer', 'annotator'] as const)
      expect(opens(role, 'labelling')).toBe(true);
    expect(opens('operator', 'labelling')).toBe(false);
    expect(opens('operator', 'my-projects')).toBe(false);
  });

  it('keeps the review screen from organization annotators, who can never review', () => {
    expect(opens('annotator', 'review')).toBe(false);
    expect(opens('reviewer', 'review')).toBe(true);
    expect(opens('manager', 'review')).toBe(true);
    expect(opens('operator', 'review')).toBe(false);
  });

  it('decides labelling and reviewing per project from the caller’s role in it', () => {
    const reviewer = sessionOf('reviewer').ability;
    expect(canLabelIn(reviewer, { myRole: 'annotator' })).toBe(true);
    expect(canReviewIn(reviewer, { myRole: 'annotator' })).toBe(false);
    expect(canReviewIn(reviewer, { myRole: 'reviewer' })).toBe(true);
    expect(canLabelIn(reviewer, { myRole: null })).toBe(false);
    // Owners and admins run every project, but label only where they are members.
    const owner = sessionOf('owner').ability;
    expect(canLabelIn(owner, { myRole: null })).toBe(false);
    expect(canReviewIn(owner, { myRole: null })).toBe(true);
  });
});

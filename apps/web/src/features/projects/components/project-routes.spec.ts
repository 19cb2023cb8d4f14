import { defineAbilityFor, type MeResponse, type OrgRole } from '@enclave/contracts';
import { describe, expect, it } from 'vitest';
import { PAGES } from '../../../app/access';
import { matchRoute } from '../../../app/router';

const ORG = '00000000-0000-4000-8000-000000000001';

function session(role: OrgRole) {
  const user: MeResponse = { id: 'me', email: 'me@lab.test', name: 'Me', role, orgId: ORG };
  return { user, ability: defineAbilityFor({ userId: 'me', role, orgId: ORG }) };
}

describe('the manager’s routes', () => {
  it('tell the new-project page from a project’s page, and leave the labelling routes alone', () => {
    expect(matchRoute(PAGES, '/projects/new')?.route.id).toBe('project-new');
    expect(matchRoute(PAGES, '/projects/3f1c')).toMatchObject({
      route: { id: 'project' },
      params: { id: '3f1c' },
    });
    expect(matchRoute(PAGES, '/projects/3f1c/label')?.route.id).toBe('labelling');
    expect(matchRoute(PAGES, '/projects')?.route.id).toBe('my-projects');
  });

  it('open to managers, admins and owners, not to reviewers and annotators', () => {
    const page = (id: string) => PAGES.find((p) => p.id === id)!;
    for (const role of ['owner', 'admin', 'manager'] as const) {
      const { user, ability } = session(role);
      expect(page('project').allowed(ability, user), role).toBe(true);
      expect(page('project-new').allowed(ability, user), role).toBe(true);
    }
    for (const role of ['reviewer', 'annotator'] as const) {
      const { user, ability } = session(role);
      expect(page('project').allowed(ability, user), role).toBe(false);
      expect(page('project-new').allowed(ability, user), role).toBe(false);
    }
  });
});

import { subject } from '@casl/ability';
import type { AppAbility, MeResponse } from '@enclave/contracts';

export type PageId = 'organizations' | 'users' | 'tokens' | 'audit';

export interface PageAccess {
  id: PageId;
  path: string;
  label: string;
  allowed: (ability: AppAbility, user: MeResponse) => boolean;
}

/** The pages of the signed-in app, in navigation order, each with the rule that shows it. */
export const PAGES: readonly PageAccess[] = [
  {
    id: 'organizations',
    path: '/organizations',
    label: 'Organizations',
    allowed: (a) => a.can('list', 'Organization'),
  },
  { id: 'users', path: '/users', label: 'Users', allowed: (a) => a.can('list', 'User') },
  {
    id: 'tokens',
    path: '/tokens',
    label: 'API tokens',
    allowed: (a, user) => a.can('create', subject('ApiToken', { userId: user.id })),
  },
  { id: 'audit', path: '/audit', label: 'Audit log', allowed: (a) => a.can('read', 'AuditEvent') },
];

export function pagesFor(ability: AppAbility, user: MeResponse): PageAccess[] {
  return PAGES.filter((p) => p.allowed(ability, user));
}

/** Where a person lands after signing in: their first page. */
export function homePathFor(ability: AppAbility, user: MeResponse): string {
  return pagesFor(ability, user)[0]?.path ?? '/';
}

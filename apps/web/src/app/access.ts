import { subject } from '@casl/ability';
import {
  maxProjectRole,
  type AppAbility,
  type MeResponse,
  type ProjectScopedSubject,
} from '@enclave/contracts';

export type PageId =
  | 'my-projects'
  | 'labelling'
  | 'review'
  | 'project-new'
  | 'project'
  | 'organizations'
  | 'users'
  | 'tokens'
  | 'audit';

export interface PageAccess {
  id: PageId;
  /** A pattern: static segments and `:name` parameters, which the page receives (`router.matchPath`). */
  path: string;
  /** The navigation entry and the document title. */
  label: string;
  /** In the main navigation. Pages with parameters are reached from other pages, never listed. */
  nav: boolean;
  /** `wide`: the page uses the window's whole width (the labelling and review screens). */
  layout?: 'wide';
  /**
   * Whether the person may open the page at all. For a page inside a project this can only check the
   * kind of thing (reviewing at all); the page checks the project itself once it has `myRole`.
   */
  allowed: (ability: AppAbility, user: MeResponse) => boolean;
}

/** The pages of the signed-in app, in navigation order, each with the rule that shows it. */
export const PAGES: readonly PageAccess[] = [
  {
    id: 'my-projects',
    path: '/projects',
    label: 'My projects',
    nav: true,
    allowed: (a, user) => user.orgId !== null && a.can('list', 'Project'),
  },
  {
    id: 'labelling',
    path: '/projects/:id/label',
    label: 'Labelling',
    nav: false,
    layout: 'wide',
    allowed: (a, user) => user.orgId !== null && a.can('label', 'Task'),
  },
  {
    id: 'review',
    path: '/projects/:id/review',
    label: 'Review',
    nav: false,
    layout: 'wide',
    // An organization annotator can never hold a reviewer's project role.
    allowed: (a, user) =>
      user.role !== 'operator' && maxProjectRole(user.role) !== 'annotator' && a.can('review', 'Annotation'),
  },
  {
    id: 'project-new',
    path: '/projects/new',
    label: 'New project',
    nav: false,
    allowed: (a, user) => user.orgId !== null && a.can('create', 'Project'),
  },
  {
    id: 'project',
    path: '/projects/:id',
    label: 'Project',
    nav: false,
    // Managers (of some project) and admins; the page checks this project's `myRole` itself.
    allowed: (a, user) => user.orgId !== null && (a.can('update', 'Project') || a.can('export', 'Project')),
  },
  {
    id: 'organizations',
    path: '/organizations',
    label: 'Organizations',
    nav: true,
    allowed: (a) => a.can('list', 'Organization'),
  },
  { id: 'users', path: '/users', label: 'Users', nav: true, allowed: (a) => a.can('list', 'User') },
  {
    id: 'tokens',
    path: '/tokens',
    label: 'API tokens',
    nav: true,
    allowed: (a, user) => a.can('create', subject('ApiToken', { userId: user.id })),
  },
  {
    id: 'audit',
    path: '/audit',
    label: 'Audit log',
    nav: true,
    allowed: (a) => a.can('read', 'AuditEvent'),
  },
];

/** The navigation entries the person may use. */
export function pagesFor(ability: AppAbility, user: MeResponse): PageAccess[] {
  return PAGES.filter((p) => p.nav && p.allowed(ability, user));
}

/** Where a person lands after signing in: their first page. */
export function homePathFor(ability: AppAbility, user: MeResponse): string {
  return pagesFor(ability, user)[0]?.path ?? '/';
}

/** A project as the access rules see it: the caller's role in it (null: not a member). */
interface ProjectScope {
  myRole: ProjectScopedSubject['myRole'];
}

/** Whether the person may take tasks of this project from the queue. */
export function canLabelIn(ability: AppAbility, project: ProjectScope): boolean {
  return ability.can('label', subject('Task', { myRole: project.myRole }));
}

/** Whether the person may review this project's annotations. */
export function canReviewIn(ability: AppAbility, project: ProjectScope): boolean {
  return ability.can('review', subject('Annotation', { myRole: project.myRole }));
}

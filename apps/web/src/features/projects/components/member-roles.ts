import { subject } from '@casl/ability';
import {
  PROJECT_ROLES,
  projectRoleAllowed,
  type AppAbility,
  type OrgRole,
  type ProjectMemberView,
  type ProjectRole,
  type ProjectView,
  type UserView,
} from '@enclave/contracts';
import { titleCase } from '../../../shared/format';

const ROLE_HINTS: Record<ProjectRole, string> = {
  annotator: 'labels tasks',
  reviewer: 'labels and reviews',
  manager: 'runs the project',
};

/** The project roles a person of this organization role may hold, highest last (docs/projects.md). */
export function projectRolesFor(orgRole: OrgRole): ProjectRole[] {
  return PROJECT_ROLES.filter((r) => projectRoleAllowed(orgRole, r));
}

export function projectRoleOptions(orgRole: OrgRole) {
  return projectRolesFor(orgRole).map((r) => ({ value: r, label: `${titleCase(r)} (${ROLE_HINTS[r]})` }));
}

/** People who could be added: active, and not members already; by name. */
export function addableUsers(users: readonly UserView[], members: readonly ProjectMemberView[]): UserView[] {
  const taken = new Set(members.map((m) => m.userId));
  return users
    .filter((u) => u.status === 'active' && !taken.has(u.id))
    .sort((a, b) => a.name.localeCompare(b.name) || a.email.localeCompare(b.email));
}

/** A new member starts as an annotator, which every organization role allows. */
export const DEFAULT_PROJECT_ROLE: ProjectRole = 'annotator';

/** What the session may do on this project's page, from the same rules the API applies. */
export function projectPermissions(ability: AppAbility, project: Pick<ProjectView, 'myRole' | 'status'>) {
  // CASL's subject() tags the object it is given: each check gets an object of its own.
  const scoped = () => ({ myRole: project.myRole });
  const active = project.status === 'active';
  return {
    update: active && ability.can('update', subject('Project', scoped())),
    archive: active && ability.can('archive', subject('Project', scoped())),
    members: ability.can('list', subject('ProjectMember', scoped())),
    changeMembers: active && ability.can('update', subject('ProjectMember', scoped())),
    importTasks: active && ability.can('import', subject('Task', scoped())),
    listTasks: ability.can('list', subject('Task', scoped())),
    uploadAssets: active && ability.can('create', subject('Asset', scoped())),
    exportData: ability.can('export', subject('Project', scoped())),
    identities: ability.can('read', 'AnnotatorIdentity'),
    stats: ability.can('read', subject('ProjectStats', scoped())),
  };
}
export type ProjectPermissions = ReturnType<typeof projectPermissions>;

/** Someone who may manage at least a part of the project: the page is for them. */
export function canManage(p: ProjectPermissions): boolean {
  return p.update || p.members || p.listTasks || p.exportData || p.stats;
}

/** Whether the project's page (`/projects/:id`) has anything for this person: the "Manage" entry. */
export function canManageProject(
  ability: AppAbility,
  project: Pick<ProjectView, 'myRole' | 'status'>,
): boolean {
  return canManage(projectPermissions(ability, project));
}

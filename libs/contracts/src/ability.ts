import { AbilityBuilder, createMongoAbility, type MongoAbility, type ForcedSubject } from '@casl/ability';
import type { OrgRole, Role } from './roles';
import type { ProjectRole } from './projects';

/**
 * The one vocabulary of actions and subjects. The API builds an ability from it per request; the web
 * app builds the same ability only to hide what a user cannot do.
 */
export const ACTIONS = [
  'manage',
  'list',
  'create',
  'read',
  'update',
  'delete',
  'verify',
  'archive',
  'import',
  'export',
  'label',
  'review',
] as const;
export type Action = (typeof ACTIONS)[number];

export const SUBJECTS = [
  'Platform',
  'Organization',
  'User',
  'ApiToken',
  'AuditEvent',
  'Project',
  'ProjectMember',
  'Task',
  'Asset',
  'Annotation',
  'ProjectStats',
  'AnnotatorIdentity',
  'all',
] as const;
export type SubjectName = (typeof SUBJECTS)[number];

/** Plain objects tagged with `__caslSubjectType__` (CASL's `subject()` helper) carry their fields. */
export interface UserSubject {
  id: string;
  role: OrgRole;
}
export interface ApiTokenSubject {
  userId: string;
}
export interface OrganizationSubject {
  id: string;
}
/**
 * A project, or a thing inside one (its members, tasks, assets), as seen by the caller: `myRole` is
 * the caller's role in that project, null when they are not a member.
 */
export interface ProjectScopedSubject {
  myRole: ProjectRole | null;
}

type TaggedSubject =
  | (UserSubject & ForcedSubject<'User'>)
  | (ApiTokenSubject & ForcedSubject<'ApiToken'>)
  | (OrganizationSubject & ForcedSubject<'Organization'>)
  | (ProjectScopedSubject & ForcedSubject<'Project'>)
  | (ProjectScopedSubject & ForcedSubject<'ProjectMember'>)
  | (ProjectScopedSubject & ForcedSubject<'Task'>)
  | (ProjectScopedSubject & ForcedSubject<'Asset'>)
  | (ProjectScopedSubject & ForcedSubject<'Annotation'>)
  | (ProjectScopedSubject & ForcedSubject<'ProjectStats'>);

export type AppAbility = MongoAbility<[Action, SubjectName | TaggedSubject]>;

export interface AbilityPrincipal {
  userId: string;
  role: Role;
  orgId: string | null;
}

const STAFF_ROLES: OrgRole[] = ['manager', 'reviewer', 'annotator'];

/**
 * Role rules. Instance rules the conditions cannot express (nobody raises their own role, the last
 * active owner stays) live in the services.
 */
export function defineAbilityFor(principal: AbilityPrincipal): AppAbility {
  const { can, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  const { role, userId, orgId } = principal;

  if (role === 'operator') {
    // The operator runs the instance: organizations, never their contents.
    can('manage', 'Platform');
    can(['list', 'create', 'read', 'update'], 'Organization');
    return build();
  }

  // Everybody: themselves and their own tokens.
  can('read', 'User', { id: userId });
  can(['create', 'read', 'delete'], 'ApiToken', { userId });
  if (orgId) can('read', 'Organization', { id: orgId });

  // Projects: everyone lists what they may see (the query filters by membership) and reads the
  // projects they belong to, with their assets.
  can('list', 'Project');
  can('read', ['Project', 'Asset'], { myRole: { $ne: null } });
  // Every member labels (SPEC §1: reviewers and managers can label too); reviewers and managers review.
  can('label', 'Task', { myRole: { $ne: null } });
  can('review', 'Annotation', { myRole: { $in: ['reviewer', 'manager'] } });
  can('read', 'Annotation', { myRole: { $ne: null } });

  if (role === 'manager') {
    // The directory needed to pick project members.
    can(['list', 'read'], 'User');
    // Managers start projects and run the ones they manage.
    can('create', 'Project');
    can(['update', 'archive'], 'Project', { myRole: 'manager' });
    can(['list', 'read', 'create', 'update', 'delete'], 'ProjectMember', { myRole: 'manager' });
    can(['list', 'read', 'import'], 'Task', { myRole: 'manager' });
    can('create', 'Asset', { myRole: 'manager' });
    can('export', 'Project', { myRole: 'manager' });
    can('read', 'ProjectStats', { myRole: 'manager' });
  }
  if (role === 'admin' || role === 'owner') {
    // Admins and owners run every project of the organization.
    can(['list', 'read', 'create', 'update', 'archive'], 'Project');
    can(['list', 'read', 'create', 'update', 'delete'], 'ProjectMember');
    can(['list', 'read', 'import'], 'Task');
    can(['create', 'read'], 'Asset');
    can('export', 'Project');
    can('read', 'ProjectStats');
    can('review', 'Annotation');
    // Real identities in exports instead of per-project pseudonyms (audited).
    can('read', 'AnnotatorIdentity');
  }
  if (role === 'admin') {
    can(['list', 'read'], 'User');
    // Admins manage staff; only an owner creates, changes or appoints owners and admins.
    can(['create', 'update'], 'User', { role: { $in: STAFF_ROLES } });
    can(['read', 'verify'], 'AuditEvent');
  }
  if (role === 'owner') {
    can(['list', 'read', 'create', 'update'], 'User');
    can(['read', 'verify'], 'AuditEvent');
    can('update', 'Organization', { id: orgId ?? '' });
  }
  return build();
}

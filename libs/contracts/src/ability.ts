import { AbilityBuilder, createMongoAbility, type MongoAbility, type ForcedSubject } from '@casl/ability';
import type { OrgRole, Role } from './roles';

/**
 * The one vocabulary of actions and subjects. The API builds an ability from it per request; the web
 * app builds the same ability only to hide what a user cannot do.
 */
export const ACTIONS = ['manage', 'list', 'create', 'read', 'update', 'delete', 'verify'] as const;
export type Action = (typeof ACTIONS)[number];

export const SUBJECTS = ['Platform', 'Organization', 'User', 'ApiToken', 'AuditEvent', 'all'] as const;
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

type TaggedSubject =
  | (UserSubject & ForcedSubject<'User'>)
  | (ApiTokenSubject & ForcedSubject<'ApiToken'>)
  | (OrganizationSubject & ForcedSubject<'Organization'>);

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

  if (role === 'manager') {
    // The directory needed to pick project members.
    can(['list', 'read'], 'User');
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

import { subject } from '@casl/ability';
import { ORG_ROLES, type AppAbility, type MeResponse, type OrgRole, type UserView } from '@enclave/contracts';
import { titleCase } from '../../../shared/format';

export function roleOptions(roles: readonly OrgRole[]) {
  return roles.map((r) => ({ value: r, label: titleCase(r) }));
}

/** Roles the person may give a new user (an admin: staff only; an owner: any). */
export function creatableRoles(ability: AppAbility): OrgRole[] {
  return ORG_ROLES.filter((role) => ability.can('create', subject('User', { id: '', role })));
}

/**
 * What the person may change on a row. Nobody changes their own role or status here (the API refuses
 * it too); an admin changes staff only, and only to staff roles.
 */
export function rowPermissions(ability: AppAbility, me: MeResponse, user: UserView) {
  const canUpdate =
    user.id !== me.id && ability.can('update', subject('User', { id: user.id, role: user.role }));
  const roles = canUpdate
    ? ORG_ROLES.filter(
        (role) => role === user.role || ability.can('update', subject('User', { id: user.id, role })),
      )
    : [];
  return { canUpdate, roles };
}

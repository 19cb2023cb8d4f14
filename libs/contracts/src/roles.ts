/** Roles inside one organization, highest first. The operator stands outside every organization. */
export const ORG_ROLES = ['owner', 'admin', 'manager', 'reviewer', 'annotator'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];
export type Role = OrgRole | 'operator';

const RANK: Record<OrgRole, number> = { owner: 5, admin: 4, manager: 3, reviewer: 2, annotator: 1 };

/** A numeric rank so that "at least manager" and "raises their own role" are one comparison. */
export function roleRank(role: OrgRole): number {
  return RANK[role];
}

export function isAtLeast(role: OrgRole, floor: OrgRole): boolean {
  return RANK[role] >= RANK[floor];
}

export const USER_STATUSES = ['active', 'disabled'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const ORG_STATUSES = ['active', 'suspended'] as const;
export type OrgStatus = (typeof ORG_STATUSES)[number];

/** What an API token may do. `read` allows safe methods; `write` allows changes as well. */
export const TOKEN_SCOPES = ['read', 'write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

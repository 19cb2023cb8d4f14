import { z } from 'zod';
import { ORG_ROLES, ORG_STATUSES, TOKEN_SCOPES, USER_STATUSES } from './roles';

/** Shared building blocks. Bodies are strict: unknown keys (org ids, timestamps, roles of oneself) are refused. */
export const uuidSchema = z.uuid({ message: 'must be a UUID' });
export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: 'must be an e-mail address' }))
  .transform((e) => e.toLowerCase());
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;
/** Length only; the server also refuses passwords on its common-password list. */
export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, { message: `must be at least ${PASSWORD_MIN_LENGTH} characters` })
  .max(PASSWORD_MAX_LENGTH, { message: `must be at most ${PASSWORD_MAX_LENGTH} characters` });
export const personNameSchema = z.string().trim().min(1, { message: 'must not be empty' }).max(200);
export const slugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: 'must be 2-63 lowercase letters, digits or dashes' });

export const loginSchema = z.strictObject({
  email: z.string().trim().max(254).transform((e) => e.toLowerCase()),
  password: z.string().max(PASSWORD_MAX_LENGTH),
});
export type LoginInput = z.infer<typeof loginSchema>;

export const changePasswordSchema = z.strictObject({
  currentPassword: z.string().max(PASSWORD_MAX_LENGTH),
  newPassword: passwordSchema,
});
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;

export const createTokenSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  expiresInDays: z.number().int().min(1).max(365).default(30),
  scopes: z
    .array(z.enum(TOKEN_SCOPES))
    .min(1)
    .refine((s) => new Set(s).size === s.length, { message: 'scopes must be distinct' })
    .default(['read', 'write']),
});
export type CreateTokenInput = z.infer<typeof createTokenSchema>;

export const createOrgSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  slug: slugSchema,
  owner: z.strictObject({ email: emailSchema, name: personNameSchema, password: passwordSchema }),
});
export type CreateOrgInput = z.infer<typeof createOrgSchema>;

export const updateOrgSchema = z.strictObject({ status: z.enum(ORG_STATUSES) });
export type UpdateOrgInput = z.infer<typeof updateOrgSchema>;

export const createUserSchema = z.strictObject({
  email: emailSchema,
  name: personNameSchema,
  role: z.enum(ORG_ROLES),
  password: passwordSchema,
});
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const updateUserSchema = z
  .strictObject({
    name: personNameSchema.optional(),
    role: z.enum(ORG_ROLES).optional(),
    status: z.enum(USER_STATUSES).optional(),
  })
  .refine((b) => b.name !== undefined || b.role !== undefined || b.status !== undefined, {
    message: 'give at least one of name, role, status',
  });
export type UpdateUserInput = z.infer<typeof updateUserSchema>;

/** Lists: `limit` (default 50, max 500) and an opaque `cursor`. */
export const listQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

export const AUDIT_OUTCOMES = ['success', 'denied', 'failure'] as const;
export const auditQuerySchema = listQuerySchema.extend({
  action: z
    .string()
    .regex(/^[a-z_.]{1,64}$/, { message: 'must be an action name such as auth.login' })
    .optional(),
  actorId: uuidSchema.optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface MeResponse {
  id: string;
  email: string;
  name: string;
  role: import('./roles').Role;
  orgId: string | null;
  orgSlug?: string | null;
  orgName?: string | null;
}

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: import('./roles').OrgRole;
  status: import('./roles').UserStatus;
  createdAt: string;
}

export interface OrgView {
  id: string;
  name: string;
  slug: string;
  status: import('./roles').OrgStatus;
  userCount?: number;
  createdAt?: string;
}

export interface TokenView {
  id: string;
  name: string;
  prefix: string;
  scopes: import('./roles').TokenScope[];
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

export interface AuditEventView {
  /** The chain (0–15) the event belongs to; `seq` numbers it within that lane (docs/security.md, "The audit log"). */
  lane: number;
  seq: number;
  id: string;
  occurredAt: string;
  actorType: 'user' | 'operator' | 'system' | 'anonymous';
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: (typeof AUDIT_OUTCOMES)[number];
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  hash: string;
}

/** `lane` names the broken chain of an organization's log; the platform's log is one chain and has none. */
export type AuditVerifyResult =
  | { valid: true; checked: number }
  | { valid: false; checked: number; lane?: number; brokenAt: number; reason: string };

import type { z } from 'zod';
import type {
  AuditEventView,
  AuditVerifyResult,
  createOrgSchema,
  createTokenSchema,
  createUserSchema,
  loginSchema,
  MeResponse,
  OrgView,
  Page,
  TokenView,
  updateOrgSchema,
  updateUserSchema,
  UserView,
} from '@enclave/contracts';

export interface ListQuery {
  limit?: number;
  cursor?: string;
}

export interface AuditListQuery extends ListQuery {
  action?: string;
  actorId?: string;
  outcome?: AuditEventView['outcome'];
}

/** A token as created: the only answer that carries the secret. */
export type CreatedToken = TokenView & { token: string };

/**
 * The API's routes under /api/v1, keyed by `METHOD path`. Bodies are the input side of the same zod
 * schemas the API parses with, so a renamed field breaks the web build, not a user's request.
 */
export interface Endpoints {
  'POST /auth/login': { body: z.input<typeof loginSchema>; response: { user: MeResponse } };
  'POST /auth/logout': { response: void };
  'GET /auth/me': { response: MeResponse };

  'GET /auth/tokens': { query: ListQuery; response: Page<TokenView> };
  'POST /auth/tokens': { body: z.input<typeof createTokenSchema>; response: CreatedToken };
  'DELETE /auth/tokens/:id': { response: void };

  'GET /platform/orgs': { query: ListQuery; response: Page<OrgView> };
  'POST /platform/orgs': { body: z.input<typeof createOrgSchema>; response: OrgView };
  'PATCH /platform/orgs/:id': { body: z.input<typeof updateOrgSchema>; response: OrgView };

  'GET /users': { query: ListQuery; response: Page<UserView> };
  'POST /users': { body: z.input<typeof createUserSchema>; response: UserView };
  'PATCH /users/:id': { body: z.input<typeof updateUserSchema>; response: UserView };

  'GET /audit': { query: AuditListQuery; response: Page<AuditEventView> };
  'GET /audit/verify': { response: AuditVerifyResult };
}

import type { z } from 'zod';
import type {
  AnnotationView,
  AssetView,
  AuditEventView,
  AuditVerifyResult,
  createOrgSchema,
  createTokenSchema,
  createUserSchema,
  loginSchema,
  MeResponse,
  OrgView,
  Page,
  ProjectStatus,
  ProjectView,
  queueNextSchema,
  QueueNextResponse,
  reviewSchema,
  ReviewNextResponse,
  saveAnnotationSchema,
  skipTaskSchema,
  TokenView,
  updateOrgSchema,
  updateUserSchema,
  UserView,
} from '@enclave/contracts';
import type { ProjectManagementEndpoints } from '../features/projects/api/endpoints';
import type { StatsEndpoints } from '../features/stats/api/endpoints';

export interface ListQuery {
  limit?: number;
  cursor?: string;
}

export interface AuditListQuery extends ListQuery {
  action?: string;
  actorId?: string;
  outcome?: AuditEventView['outcome'];
}

export interface ProjectListQuery extends ListQuery {
  /** `active` (the default), `archived` or `all`. */
  status?: ProjectStatus | 'all';
}

/** A token as created: the only answer that carries the secret. */
export type CreatedToken = TokenView & { token: string };

/**
 * The API's routes under /api/v1, keyed by `METHOD path`; the manager's feature keeps its routes
 * beside its code and they merge in here. Bodies are the input side of the same zod
 * schemas the API parses with, so a renamed field breaks the web build, not a user's request.
 */
export interface Endpoints extends ProjectManagementEndpoints, StatsEndpoints {
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

  'GET /projects': { query: ProjectListQuery; response: Page<ProjectView> };
  /** With `taskCounts`. */
  'GET /projects/:id': { response: ProjectView };
  'GET /assets/:id/meta': { response: AssetView };

  /** 200 with a leased task, or `undefined` (204) when nothing is left for the caller. */
  'POST /projects/:id/queue/next': {
    body: z.input<typeof queueNextSchema>;
    response: QueueNextResponse | undefined;
  };
  'PUT /tasks/:id/annotation': { body: z.input<typeof saveAnnotationSchema>; response: AnnotationView };
  'POST /tasks/:id/skip': { body: z.input<typeof skipTaskSchema>; response: void };
  'GET /tasks/:id/annotations': { response: { items: AnnotationView[] } };

  /** 200 with an annotation held for the caller, or `undefined` (204) when none waits. */
  'POST /projects/:id/review/next': { response: ReviewNextResponse | undefined };
  'POST /annotations/:id/review': { body: z.input<typeof reviewSchema>; response: AnnotationView };

  'GET /audit': { query: AuditListQuery; response: Page<AuditEventView> };
  'GET /audit/verify': { response: AuditVerifyResult };
}

import { AUDIT_OUTCOMES, type AuditEventView, type AuditVerifyResult, type Page } from '@enclave/contracts';
import { api } from '../../../api/client';

export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export interface AuditFilter {
  action?: string;
  actorId?: string;
  outcome?: AuditOutcome;
}

export const auditKeys = {
  all: ['audit'] as const,
  list: (filter: AuditFilter) => ['audit', 'events', filter] as const,
};

export const AUDIT_PAGE_SIZE = 50;

export function listAuditEvents(
  filter: AuditFilter,
  cursor: string | undefined,
  signal?: AbortSignal,
): Promise<Page<AuditEventView>> {
  return api.call('GET /audit', { query: { ...filter, limit: AUDIT_PAGE_SIZE, cursor }, signal });
}

export function verifyAuditChain(): Promise<AuditVerifyResult> {
  return api.call('GET /audit/verify');
}

/** The verdict in one sentence; both start from "valid", the word a reader scans for. */
export function describeVerification(result: AuditVerifyResult): string {
  const n = `${result.checked} event${result.checked === 1 ? '' : 's'} checked`;
  if (result.valid) return `Chain valid: ${n}, every link intact.`;
  const where = `event #${result.brokenAt}${result.lane === undefined ? '' : ` of lane ${result.lane}`}`;
  return `Chain invalid: broken at ${where}${result.reason ? ` (${result.reason})` : ''}; ${n}.`;
}

/** The actions the API records (docs/security.md), offered as suggestions in the filter. */
export const KNOWN_AUDIT_ACTIONS = [
  'access.denied',
  'annotation.reviewed',
  'annotation.submitted',
  'asset.uploaded',
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.password_changed',
  'project.archived',
  'project.config_change_refused',
  'project.created',
  'project.export_aborted',
  'project.exported',
  'project.member_added',
  'project.member_removed',
  'project.member_role_changed',
  'project.updated',
  'review.leased',
  'task.leased',
  'task.skipped',
  'tasks.import_rejected',
  'tasks.imported',
  'token.created',
  'token.revoked',
  'user.created',
  'user.disabled',
  'user.enabled',
  'user.role_changed',
  'user.updated',
] as const;

const ACTION = /^[a-z_.]{1,64}$/;

/**
 * The filter the form describes, or why the action cannot be searched: the API takes only an exact
 * action name (`auth.login`), so the field is normalised and checked before it is sent.
 */
export function auditFilterFrom(form: {
  action: string;
  actorId: string;
  outcome: AuditOutcome | '';
}): { ok: true; filter: AuditFilter } | { ok: false; error: string } {
  const action = form.action.trim().toLowerCase();
  if (action && !ACTION.test(action)) {
    return { ok: false, error: 'An action is a name such as auth.login: letters, dots and underscores.' };
  }
  const filter: AuditFilter = {};
  if (action) filter.action = action;
  if (form.actorId) filter.actorId = form.actorId;
  if (form.outcome) filter.outcome = form.outcome;
  return { ok: true, filter };
}

export function isFiltered(filter: AuditFilter): boolean {
  return Boolean(filter.action || filter.actorId || filter.outcome);
}

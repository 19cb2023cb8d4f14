import type { AuditEventView, AuditVerifyResult, Page } from '@enclave/contracts';
import { api } from '../../../api/client';

export interface AuditFilter {
  action?: string;
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
  return `Chain invalid: broken at event #${result.brokenAt}${result.reason ? ` (${result.reason})` : ''}; ${n}.`;
}

import type { CreateOrgInput, OrgStatus, OrgView, Page } from '@enclave/contracts';
import { api } from '../../../api/client';

export const orgKeys = { all: ['platform', 'orgs'] as const };

export const ORGS_PAGE_SIZE = 50;

export function listOrgs(cursor: string | undefined, signal?: AbortSignal): Promise<Page<OrgView>> {
  return api.call('GET /platform/orgs', { query: { limit: ORGS_PAGE_SIZE, cursor }, signal });
}

export function createOrg(input: CreateOrgInput): Promise<OrgView> {
  return api.call('POST /platform/orgs', { body: input });
}

export function setOrgStatus(id: string, status: OrgStatus): Promise<OrgView> {
  return api.call('PATCH /platform/orgs/:id', { params: { id }, body: { status } });
}

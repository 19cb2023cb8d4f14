import type { Page, ProjectView } from '@enclave/contracts';
import { api } from '../../../api/client';

/**
 * Query keys shared with the manager's screens (`features/projects`): a project is `['projects', id]`
 * everywhere, so a change saved there shows here, and invalidating `['projects']` refreshes both.
 */
export const myProjectKeys = {
  list: ['projects', 'list', 'mine'] as const,
  detail: (id: string) => ['projects', id] as const,
};

export const PROJECTS_PAGE_SIZE = 50;

export function listMyProjects(cursor: string | undefined, signal?: AbortSignal): Promise<Page<ProjectView>> {
  return api.call('GET /projects', { query: { limit: PROJECTS_PAGE_SIZE, cursor }, signal });
}

export function getProject(id: string, signal?: AbortSignal): Promise<ProjectView> {
  return api.call('GET /projects/:id', { params: { id }, signal });
}

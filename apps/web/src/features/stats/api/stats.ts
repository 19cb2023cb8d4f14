import type { ProjectStatsView } from '@enclave/contracts';
import { api } from '../../../api/client';

export const statsKeys = { project: (id: string) => ['stats', id] as const };

export function getProjectStats(id: string, signal?: AbortSignal): Promise<ProjectStatsView> {
  return api.call('GET /projects/:id/stats', { params: { id }, signal });
}

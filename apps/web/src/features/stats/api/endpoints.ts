import type { ProjectStatsView } from '@enclave/contracts';

/** The statistics route, merged into the client's `Endpoints` table. */
export interface StatsEndpoints {
  'GET /projects/:id/stats': { response: ProjectStatsView };
}

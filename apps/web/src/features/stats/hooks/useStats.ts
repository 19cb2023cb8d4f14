import { useQuery } from '@tanstack/react-query';
import { getProjectStats, statsKeys } from '../api/stats';

/** The dashboard refreshes itself while open: it is for watching a project run. */
export function useProjectStats(id: string) {
  return useQuery({
    queryKey: statsKeys.project(id),
    queryFn: ({ signal }) => getProjectStats(id, signal),
    refetchInterval: 30_000,
    staleTime: 10_000,
  });
}

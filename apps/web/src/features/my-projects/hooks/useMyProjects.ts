import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { Page, ProjectView } from '@enclave/contracts';
import { getProject, listMyProjects, myProjectKeys } from '../api/projects';

/** The projects the caller may see (their own memberships; every project for owners and admins). */
export function useMyProjects() {
  return useInfiniteQuery({
    queryKey: myProjectKeys.list,
    queryFn: ({ pageParam, signal }) => listMyProjects(pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: Page<ProjectView>) => last.nextCursor ?? undefined,
  });
}

/** One project with its task counts; the labelling and review screens read its configuration here. */
export function useProjectDetail(id: string, enabled = true) {
  return useQuery({
    queryKey: myProjectKeys.detail(id),
    queryFn: ({ signal }) => getProject(id, signal),
    enabled,
  });
}

import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreateOrgInput, OrgStatus, OrgView, Page } from '@enclave/contracts';
import { nextCursorOf, replaceItem, type PagedData } from '../../../shared/pages';
import { createOrg, listOrgs, orgKeys, setOrgStatus } from '../api/orgs';

export function useOrgs() {
  return useInfiniteQuery({
    queryKey: orgKeys.all,
    queryFn: ({ pageParam, signal }) => listOrgs(pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: Page<OrgView>) => nextCursorOf(last),
  });
}

export function useCreateOrg() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateOrgInput) => createOrg(input),
    onSuccess: () => client.invalidateQueries({ queryKey: orgKeys.all }),
  });
}

export function useSetOrgStatus() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, status }: { id: string; status: OrgStatus }) => setOrgStatus(id, status),
    onSuccess: (updated, { id, status }) => {
      // The answer may leave out the user count: keep what the list had, overlay what changed.
      client.setQueryData<PagedData<OrgView>>(orgKeys.all, (data) =>
        replaceItem(data, { ...updated, id, status }),
      );
    },
  });
}

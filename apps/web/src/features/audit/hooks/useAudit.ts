import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import type { AuditEventView, Page } from '@enclave/contracts';
import { nextCursorOf } from '../../../shared/pages';
import { auditKeys, listAuditEvents, verifyAuditChain, type AuditFilter } from '../api/audit';

export function useAuditEvents(filter: AuditFilter) {
  return useInfiniteQuery({
    queryKey: auditKeys.list(filter),
    queryFn: ({ pageParam, signal }) => listAuditEvents(filter, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: Page<AuditEventView>) => nextCursorOf(last),
    // The log grows with every action, this page's own included: always ask again on entry.
    staleTime: 0,
  });
}

/** A button press, not cached: each press recomputes the chain on the server. */
export function useVerifyAuditChain() {
  return useMutation({ mutationFn: verifyAuditChain });
}

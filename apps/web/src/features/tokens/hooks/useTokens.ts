import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreateTokenInput, Page, TokenView } from '@enclave/contracts';
import { nextCursorOf } from '../../../shared/pages';
import { createToken, listTokens, revokeToken, tokenKeys } from '../api/tokens';

export function useTokens() {
  return useInfiniteQuery({
    queryKey: tokenKeys.all,
    queryFn: ({ pageParam, signal }) => listTokens(pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: Page<TokenView>) => nextCursorOf(last),
  });
}

/** The secret comes back in this mutation's answer only; it is never put in the query cache. */
export function useCreateToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateTokenInput) => createToken(input),
    onSuccess: () => client.invalidateQueries({ queryKey: tokenKeys.all }),
  });
}

export function useRevokeToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => revokeToken(id),
    onSuccess: () => client.invalidateQueries({ queryKey: tokenKeys.all }),
  });
}

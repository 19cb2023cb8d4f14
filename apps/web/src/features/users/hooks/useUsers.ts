import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreateUserInput, Page, UpdateUserInput, UserView } from '@enclave/contracts';
import { nextCursorOf, replaceItem, type PagedData } from '../../../shared/pages';
import { createUser, listUsers, updateUser, userKeys } from '../api/users';

export function useUsers() {
  return useInfiniteQuery({
    queryKey: userKeys.all,
    queryFn: ({ pageParam, signal }) => listUsers(pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: Page<UserView>) => nextCursorOf(last),
  });
}

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateUserInput) => createUser(input),
    onSuccess: () => client.invalidateQueries({ queryKey: userKeys.all }),
  });
}

/** One per row, so each row has its own pending state and its own error. */
export function useUpdateUser(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: UpdateUserInput) => updateUser(id, patch),
    onSuccess: (updated) => {
      client.setQueryData<PagedData<UserView>>(userKeys.all, (data) => replaceItem(data, updated));
    },
  });
}

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { LoginInput, MeResponse } from '@enclave/contracts';
import { forgetSession, ME_KEY } from '../../../app/queryClient';
import { navigate } from '../../../app/router';
import { fetchMe, signIn, signOut } from '../api/auth';

export function useMe() {
  return useQuery<MeResponse | null>({
    queryKey: ME_KEY,
    queryFn: ({ signal }) => fetchMe(signal),
    staleTime: Infinity,
  });
}

/** On success the app sees the person in the cache and leaves /login by itself. */
export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (credentials: LoginInput) => signIn(credentials),
    onSuccess: (user) => {
      forgetSession(client);
      client.setQueryData(ME_KEY, user);
    },
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: signOut,
    // Forget the session even when the API already had (a 401 here means it is gone anyway).
    onSettled: () => {
      navigate('/login');
      forgetSession(client);
    },
  });
}

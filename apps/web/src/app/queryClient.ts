import { MutationCache, QueryCache, QueryClient, type QueryKey } from '@tanstack/react-query';
import { isApiError } from '../api/client';

export const ME_KEY = ['auth', 'me'] as const;

function isMeKey(key: QueryKey): boolean {
  return key.length === ME_KEY.length && key[0] === ME_KEY[0] && key[1] === ME_KEY[1];
}

/** A 401 other than a failed sign-in means the session is gone (expired, revoked, signed out elsewhere). */
export function isSessionLost(error: unknown): boolean {
  return isApiError(error) && error.status === 401 && error.code !== 'INVALID_CREDENTIALS';
}

/** Retry what may pass on a second try (network, 5xx, 503); never a 4xx, which would answer the same. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= 2) return false;
  if (!isApiError(error)) return false;
  return error.status === 0 || error.status >= 500;
}

/**
 * Drops every cached answer of the signed-in person — another person may sign in next on this
 * browser — and marks the session as absent, which sends the app to /login.
 */
export function forgetSession(client: QueryClient): void {
  client.removeQueries({ predicate: (q) => !isMeKey(q.queryKey) });
  client.getMutationCache().clear();
  client.setQueryData(ME_KEY, null);
}

export function createQueryClient(): QueryClient {
  const onError = (error: unknown) => {
    if (isSessionLost(error)) forgetSession(client);
  };
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 15_000, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
  return client;
}

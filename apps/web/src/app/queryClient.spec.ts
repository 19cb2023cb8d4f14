import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { createQueryClient, isSessionLost, ME_KEY, shouldRetry } from './queryClient';

describe('query client', () => {
  it('treats a 401 as a lost session, except a refused sign-in', () => {
    expect(isSessionLost(new ApiError(401, 'UNAUTHENTICATED', 'sign in'))).toBe(true);
    expect(isSessionLost(new ApiError(401, 'INVALID_CREDENTIALS', 'wrong'))).toBe(false);
    expect(isSessionLost(new ApiError(403, 'FORBIDDEN', 'no'))).toBe(false);
    expect(isSessionLost(new Error('x'))).toBe(false);
  });

  it('retries transport failures and 5xx a couple of times, never a 4xx', () => {
    expect(shouldRetry(0, new ApiError(0, 'NETWORK_ERROR', 'x'))).toBe(true);
    expect(shouldRetry(1, new ApiError(503, 'UNAVAILABLE', 'x'))).toBe(true);
    expect(shouldRetry(2, new ApiError(503, 'UNAVAILABLE', 'x'))).toBe(false);
    expect(shouldRetry(0, new ApiError(404, 'NOT_FOUND', 'x'))).toBe(false);
    expect(shouldRetry(0, new ApiError(429, 'TOO_MANY_REQUESTS', 'x'))).toBe(false);
  });

  it('forgets every cached answer and the person when any query answers 401', async () => {
    const client = createQueryClient();
    client.setQueryData(ME_KEY, { id: 'u', email: 'a@b.co', name: 'A', role: 'owner', orgId: 'o' });
    client.setQueryData(['users'], {
      pages: [{ items: [{ id: 'secret' }], nextCursor: null }],
      pageParams: [undefined],
    });
    await expect(
      client.fetchQuery({
        queryKey: ['audit', 'events', {}],
        queryFn: () => Promise.reject(new ApiError(401, 'UNAUTHENTICATED', 'session expired')),
      }),
    ).rejects.toThrow('session expired');
    expect(client.getQueryData(ME_KEY)).toBeNull();
    expect(client.getQueryData(['users'])).toBeUndefined();
  });

  it('keeps the cache on other failures', async () => {
    const client = createQueryClient();
    client.setQueryData(['users'], { pages: [], pageParams: [] });
    await expect(
      client.fetchQuery({
        queryKey: ['x'],
        queryFn: () => Promise.reject(new ApiError(403, 'FORBIDDEN', 'no')),
      }),
    ).rejects.toThrow('no');
    expect(client.getQueryData(['users'])).toEqual({ pages: [], pageParams: [] });
  });
});

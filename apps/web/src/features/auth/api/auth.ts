import type { LoginInput, MeResponse } from '@enclave/contracts';
import { api, isApiError } from '../../../api/client';

/** The signed-in person, or null when there is no session (a 401 here is an answer, not a failure). */
export async function fetchMe(signal?: AbortSignal): Promise<MeResponse | null> {
  try {
    return await api.call('GET /auth/me', { signal });
  } catch (e) {
    if (isApiError(e) && e.status === 401) return null;
    throw e;
  }
}

export async function signIn(credentials: LoginInput): Promise<MeResponse> {
  const { user } = await api.call('POST /auth/login', { body: credentials });
  return user;
}

export function signOut(): Promise<void> {
  return api.call('POST /auth/logout');
}

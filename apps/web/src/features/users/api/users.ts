import type { CreateUserInput, Page, UpdateUserInput, UserView } from '@enclave/contracts';
import { api } from '../../../api/client';

export const userKeys = { all: ['users'] as const };

export const USERS_PAGE_SIZE = 100;

export function listUsers(cursor: string | undefined, signal?: AbortSignal): Promise<Page<UserView>> {
  return api.call('GET /users', { query: { limit: USERS_PAGE_SIZE, cursor }, signal });
}

export function createUser(input: CreateUserInput): Promise<UserView> {
  return api.call('POST /users', { body: input });
}

export function updateUser(id: string, patch: UpdateUserInput): Promise<UserView> {
  return api.call('PATCH /users/:id', { params: { id }, body: patch });
}

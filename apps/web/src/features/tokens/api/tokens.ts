import type { CreateTokenInput, Page, TokenView } from '@enclave/contracts';
import { api } from '../../../api/client';
import type { CreatedToken } from '../../../api/endpoints';

export const tokenKeys = { all: ['auth', 'tokens'] as const };

export function listTokens(cursor: string | undefined, signal?: AbortSignal): Promise<Page<TokenView>> {
  return api.call('GET /auth/tokens', { query: { limit: 100, cursor }, signal });
}

export function createToken(input: CreateTokenInput): Promise<CreatedToken> {
  return api.call('POST /auth/tokens', { body: input });
}

export function revokeToken(id: string): Promise<void> {
  return api.call('DELETE /auth/tokens/:id', { params: { id } });
}

export type TokenState = 'active' | 'revoked' | 'expired';

export function tokenState(token: Pick<TokenView, 'revokedAt' | 'expiresAt'>, now = Date.now()): TokenState {
  if (token.revokedAt) return 'revoked';
  return Date.parse(token.expiresAt) <= now ? 'expired' : 'active';
}

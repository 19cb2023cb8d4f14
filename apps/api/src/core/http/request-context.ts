import type { Request } from 'express';
import type { AppAbility, Role, TokenScope } from '@enclave/contracts';

/** The caller of a request, resolved from the session cookie or an API token. */
export interface Principal {
  kind: 'user' | 'operator';
  id: string;
  orgId: string | null;
  role: Role;
  email: string;
  name: string;
  orgSlug: string | null;
  orgName: string | null;
  via: 'session' | 'token';
  sessionId?: string;
  tokenId?: string;
  scopes?: TokenScope[];
}

/** What Enclave attaches to an Express request. */
export interface EnclaveRequest extends Request {
  id: string;
  principal?: Principal;
  ability?: AppAbility;
}

export function clientAddress(req: Request): string | null {
  // req.ip honours ENCLAVE_TRUST_PROXY (Express's "trust proxy"); without it, only the socket counts.
  return req.ip ?? req.socket.remoteAddress ?? null;
}

export function userAgent(req: Request): string | null {
  const ua = req.headers['user-agent'];
  return typeof ua === 'string' ? ua.slice(0, 512) : null;
}

import { AsyncLocalStorage } from 'node:async_hooks';

/** The current HTTP request, for the pieces (audit, logs) that record who asked and from where. */
export const requestStorage = new AsyncLocalStorage<EnclaveRequest>();

export function currentRequest(): EnclaveRequest | undefined {
  return requestStorage.getStore();
}

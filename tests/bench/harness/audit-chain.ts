import { createHash } from 'node:crypto';

/**
 * The audit chain's hash as the API computes it (apps/api/src/core/audit/canonical.ts), for the queue
 * reference, which appends to the same chain. The bench cannot import the API (an app), so this is a
 * copy; the queue benchmark proves it faithful by having the API verify the whole chain afterwards.
 */
export const GENESIS_HASH = '0'.repeat(64);

/** Canonical JSON: keys sorted at every depth, no whitespace, `undefined` dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new Error('non-finite number in audit event');
    return JSON.stringify(value ?? null);
  }
  if (Array.isArray(value))
    return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export interface ChainedEvent {
  orgId: string | null;
  seq: number;
  id: string;
  occurredAt: string;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
}

/** hash = sha256(prev_hash || canonical(event)), hex. */
export function chainHash(event: ChainedEvent): string {
  const { prevHash, ...rest } = event;
  return createHash('sha256').update(prevHash).update(canonicalJson(rest)).digest('hex');
}

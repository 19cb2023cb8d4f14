import { createHash } from 'node:crypto';

/**
 * The audit event's content hash as the API computes it (apps/api/src/core/audit/canonical.ts), for the
 * queue reference, which appends to the same chain through the same `audit_append` function. The bench
 * cannot import the API (an app), so this is a copy; the queue benchmark proves it faithful by having
 * the API verify the whole chain afterwards.
 */

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

/** What an event says, without its place in the chain (canonical.ts, EventContent). */
export interface EventContent {
  orgId: string | null;
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
}

/** sha256(canonical(content)), hex: what `audit_append` links into the chain. */
export function contentHash(content: EventContent): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

import { createHash } from 'node:crypto';

/** The first link of every chain points at this. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Canonical JSON: object keys sorted at every depth, no whitespace, `undefined` dropped. The same event
 * always serialises to the same bytes, whatever order its fields were written in or read back from
 * jsonb.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('non-finite number in audit event');
    return JSON.stringify(value ?? null);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The fields an event's hash covers: everything but the hash itself. */
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

/** What an event says, without its place in the chain: the part Node hashes. */
export type EventContent = Omit<ChainedEvent, 'seq' | 'prevHash'>;

/** Which formula links an event to the one before it (the `chain_version` column). */
export type ChainVersion = 1 | 2;

/** Version 1 (events written before the `audit_append` function): sha256(prev_hash || canonical(event)), hex. */
export function chainHash(event: ChainedEvent): string {
  const { prevHash, ...rest } = event;
  return createHash('sha256').update(prevHash).update(canonicalJson(rest)).digest('hex');
}

/** sha256(canonical(content)), hex: what the API hands to `audit_append`. */
export function contentHash(content: EventContent): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** Version 2, computed by `audit_append` in PostgreSQL: sha256(prev_hash ':' lane ':' seq ':' content_hash), hex. */
export function linkHash(prevHash: string, lane: number, seq: number, content: string): string {
  return createHash('sha256').update(`${prevHash}:${lane}:${seq}:${content}`).digest('hex');
}

/** The hash an event must carry under its chain version (version 1 knows no lanes: all its events are lane 0). */
export function eventHash(event: ChainedEvent, version: ChainVersion, lane: number): string {
  if (version === 1) return chainHash(event);
  const { prevHash, seq, ...content } = event;
  return linkHash(prevHash, lane, seq, contentHash(content));
}

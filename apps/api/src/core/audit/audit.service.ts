import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditEventView, AuditQuery, AuditVerifyResult, Page } from '@enclave/contracts';
import { Db } from '../db/tenant';
import { CURSOR_PATTERNS, decodeCursor, encodeCursor } from '../http/cursor';
import { clientAddress, currentRequest, userAgent } from '../http/request-context';
import { contentHash, eventHash, GENESIS_HASH, type ChainVersion, type EventContent } from './canonical';

export type ActorType = 'user' | 'operator' | 'system' | 'anonymous';
export type Outcome = 'success' | 'denied' | 'failure';

export interface AuditInput {
  action: string;
  outcome?: Outcome;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
  /** Defaults to the caller of the current request (or `system` outside one). */
  actor?: { type: ActorType; id: string | null };
}

interface AuditRow {
  org_id: string | null;
  lane: number;
  seq: string;
  pos: string;
  id: string;
  occurred_at: Date;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
  chain_version: ChainVersion;
}

const VERIFY_BATCH = 2000;

/** The append (migration request-path, `audit_append`); its parameters come from `auditAppendParams`. */
export const AUDIT_APPEND_SQL = 'SELECT seq FROM audit_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14)';

/** The parameters of AUDIT_APPEND_SQL for an event: its content and the hash Node computes of it. */
export function auditAppendParams(content: EventContent): unknown[] {
  return [
    content.orgId,
    content.id,
    content.occurredAt,
    content.actorType,
    content.actorId,
    content.action,
    content.targetType,
    content.targetId,
    content.outcome,
    content.ip,
    content.userAgent,
    content.requestId,
    JSON.stringify(content.details),
    contentHash(content),
  ];
}

const EVENT_COLUMNS = `seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id, outcome,
  ip, user_agent, request_id, details, prev_hash, hash, chain_version`;
const COLUMNS = `org_id, lane, pos, ${EVENT_COLUMNS}`;
const PLATFORM_COLUMNS = `NULL::uuid AS org_id, 0 AS lane, seq AS pos, ${EVENT_COLUMNS}`;

/**
 * The tamper-evident audit log: one append, inside the transaction of the change it records, so an
 * event is never lost nor recorded for a change that rolled back. Writers of one organization take
 * turns on a transaction-scoped advisory lock, so the chain never forks or skips under concurrency;
 * `audit_append` holds it for one statement and the commit.
 */
@Injectable()
export class AuditService {
  constructor(private readonly db: Db) {}

  /** Appends to the current tenant's chain, or to the platform chain when the transaction has no tenant. */
  async append(input: AuditInput): Promise<void> {
    const scope = this.db.scope;
    const req = currentRequest();
    const principal = req?.principal;
    const actor =
      input.actor ??
      (principal
        ? { type: principal.kind === 'operator' ? ('operator' as const) : ('user' as const), id: principal.id }
        : { type: 'system' as const, id: null });
    const content: EventContent = {
      orgId: scope.orgId,
      id: randomUUID(),
      occurredAt: new Date().toISOString(),
      actorType: actor.type,
      actorId: actor.id,
      action: input.action,
      targetType: input.targetType ?? null,
      targetId: input.targetId ?? null,
      outcome: input.outcome ?? 'success',
      ip: req ? clientAddress(req) : null,
      userAgent: req ? userAgent(req) : null,
      requestId: req?.id ?? null,
      details: JSON.parse(JSON.stringify(input.details ?? {})) as Record<string, unknown>,
    };
    // One statement takes a lane's lock, reads its head and inserts the event (migrations,
    // request-path). The lock is held from here to the commit, so callers append last.
    await this.db.sql(AUDIT_APPEND_SQL, auditAppendParams(content));
  }

  /** The current organization's events, newest first; filters come from an allow-list. */
  async list(query: AuditQuery): Promise<Page<AuditEventView>> {
    const { orgId } = this.db.scope;
    const where: string[] = ['org_id = $1'];
    const params: unknown[] = [orgId];
    if (query.action) {
      params.push(query.action);
      where.push(`action = $${params.length}`);
    }
    if (query.actorId) {
      params.push(query.actorId);
      where.push(`actor_id = $${params.length}`);
    }
    if (query.outcome) {
      params.push(query.outcome);
      where.push(`outcome = $${params.length}`);
    }
    if (query.cursor) {
      params.push(decodePosCursor(query.cursor));
      where.push(`pos < $${params.length}`);
    }
    params.push(query.limit + 1);
    const rows: AuditRow[] = await this.db.em.query(
      `SELECT ${COLUMNS} FROM audit_events WHERE ${where.join(' AND ')} ORDER BY pos DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toView),
      nextCursor: rows.length > query.limit && last ? encodePosCursor(last.pos) : null,
    };
  }

  /** Recomputes the current organization's chain (or the platform's) and names the first broken link. */
  async verify(): Promise<AuditVerifyResult> {
    return verifyChain(this.db.em, this.db.scope.orgId);
  }
}

/**
 * Recomputes every lane of an organization's log (or the platform's one chain): each event must follow
 * the one before it in its lane (no gap), point at its hash, and hash to what it carries. `checked`
 * counts the events found intact, in every lane; a broken result names the lowest broken lane and its
 * first bad event.
 */
export async function verifyChain(em: EntityManager, orgId: string | null): Promise<AuditVerifyResult> {
  const lanes: number[] = orgId
    ? (await em.query<{ lane: number }[]>('SELECT DISTINCT lane FROM audit_events WHERE org_id = $1 ORDER BY lane', [orgId])).map(
        (r) => r.lane,
      )
    : [0];
  let checked = 0;
  let broken: LaneBreak | null = null;
  for (const lane of lanes) {
    const result = await verifyLane(em, orgId, lane);
    checked += result.intact;
    if (result.broken && !broken) broken = result.broken;
  }
  if (!broken) return { valid: true, checked };
  return orgId === null
    ? { valid: false, checked, brokenAt: broken.seq, reason: broken.reason }
    : { valid: false, checked, lane: broken.lane, brokenAt: broken.seq, reason: `lane ${broken.lane}: ${broken.reason}` };
}

interface LaneBreak {
  lane: number;
  seq: number;
  reason: string;
}

async function verifyLane(em: EntityManager, orgId: string | null, lane: number): Promise<{ intact: number; broken: LaneBreak | null }> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let intact = 0;
  const brokenAt = (seq: number, reason: string) => ({ intact, broken: { lane, seq, reason } });
  for (;;) {
    const rows: AuditRow[] = orgId
      ? await em.query(
          `SELECT ${COLUMNS} FROM audit_events WHERE org_id = $1 AND lane = $2 AND seq >= $3 ORDER BY seq LIMIT $4`,
          [orgId, lane, expectedSeq, VERIFY_BATCH],
        )
      : await em.query(`SELECT ${PLATFORM_COLUMNS} FROM platform_audit_events WHERE seq >= $1 ORDER BY seq LIMIT $2`, [
          expectedSeq,
          VERIFY_BATCH,
        ]);
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return brokenAt(expectedSeq, `event ${expectedSeq} is missing`);
      if (row.prev_hash !== prevHash) return brokenAt(seq, `event ${seq} does not point at the hash of event ${seq - 1}`);
      const recomputed = eventHash(
        {
          orgId,
          seq,
          id: row.id,
          occurredAt: row.occurred_at.toISOString(),
          actorType: row.actor_type,
          actorId: row.actor_id,
          action: row.action,
          targetType: row.target_type,
          targetId: row.target_id,
          outcome: row.outcome,
          ip: row.ip,
          userAgent: row.user_agent,
          requestId: row.request_id,
          details: row.details,
          prevHash: row.prev_hash,
        },
        row.chain_version,
        lane,
      );
      if (recomputed !== row.hash) return brokenAt(seq, `event ${seq} was changed after it was written`);
      prevHash = row.hash;
      expectedSeq = seq + 1;
      intact += 1;
    }
    if (rows.length < VERIFY_BATCH) return { intact, broken: null };
  }
}

function toView(r: AuditRow): AuditEventView {
  return {
    lane: r.lane,
    seq: Number(r.seq),
    id: r.id,
    occurredAt: r.occurred_at.toISOString(),
    actorType: r.actor_type as AuditEventView['actorType'],
    actorId: r.actor_id,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    outcome: r.outcome as AuditEventView['outcome'],
    ip: r.ip,
    userAgent: r.user_agent,
    requestId: r.request_id,
    details: r.details,
    hash: r.hash,
  };
}

function encodePosCursor(pos: string): string {
  return encodeCursor('pos', [pos]);
}

function decodePosCursor(cursor: string): string {
  return decodeCursor('pos', cursor, [CURSOR_PATTERNS.integer])[0]!;
}

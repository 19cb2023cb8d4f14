import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditEventView, AuditQuery, AuditVerifyResult, Page } from '@enclave/contracts';
import { Db } from '../db/tenant';
import { CURSOR_PATTERNS, decodeCursor, encodeCursor } from '../http/cursor';
import { clientAddress, currentRequest, userAgent } from '../http/request-context';
import { chainHash, GENESIS_HASH, type ChainedEvent } from './canonical';

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
  seq: string;
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
}

/** Advisory-lock namespaces: one chain head per organization, one for the platform. */
const TENANT_CHAIN_LOCK = 7_077_100;
const PLATFORM_CHAIN_LOCK = 7_077_101;
const VERIFY_BATCH = 2000;

const COLUMNS = `org_id, seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id, outcome,
  ip, user_agent, request_id, details, prev_hash, hash`;
const PLATFORM_COLUMNS = `NULL::uuid AS org_id, ${COLUMNS.replace('org_id, ', '')}`;

/**
 * The tamper-evident audit log: one append, inside the transaction of the change it records, so an
 * event is never lost nor recorded for a change that rolled back. Writers of one organization take
 * turns on a transaction-scoped advisory lock, so the chain never forks or skips under concurrency.
 */
@Injectable()
export class AuditService {
  constructor(private readonly db: Db) {}

  /** Appends to the current tenant's chain, or to the platform chain when the transaction has no tenant. */
  async append(input: AuditInput): Promise<void> {
    const em = this.db.em;
    const scope = this.db.scope;
    const req = currentRequest();
    const principal = req?.principal;
    const actor =
      input.actor ??
      (principal
        ? { type: principal.kind === 'operator' ? ('operator' as const) : ('user' as const), id: principal.id }
        : { type: 'system' as const, id: null });
    if (scope.orgId) {
      await em.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [TENANT_CHAIN_LOCK, scope.orgId]);
    } else {
      await em.query('SELECT pg_advisory_xact_lock($1, 0)', [PLATFORM_CHAIN_LOCK]);
    }
    const head: { seq: string; hash: string }[] = scope.orgId
      ? await em.query('SELECT seq, hash FROM audit_events WHERE org_id = $1 ORDER BY seq DESC LIMIT 1', [scope.orgId])
      : await em.query('SELECT seq, hash FROM platform_audit_events ORDER BY seq DESC LIMIT 1');
    const event: ChainedEvent = {
      orgId: scope.orgId,
      seq: head[0] ? Number(head[0].seq) + 1 : 1,
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
      prevHash: head[0]?.hash ?? GENESIS_HASH,
    };
    const hash = chainHash(event);
    const values = [
      event.seq,
      event.id,
      event.occurredAt,
      event.actorType,
      event.actorId,
      event.action,
      event.targetType,
      event.targetId,
      event.outcome,
      event.ip,
      event.userAgent,
      event.requestId,
      JSON.stringify(event.details),
      event.prevHash,
      hash,
    ];
    if (scope.orgId) {
      await em.query(
        `INSERT INTO audit_events (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15, $16)`,
        [scope.orgId, ...values],
      );
    } else {
      await em.query(
        `INSERT INTO platform_audit_events (${COLUMNS.replace('org_id, ', '')}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15)`,
        values,
      );
    }
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
      params.push(decodeSeqCursor(query.cursor));
      where.push(`seq < $${params.length}`);
    }
    params.push(query.limit + 1);
    const rows: AuditRow[] = await this.db.em.query(
      `SELECT ${COLUMNS} FROM audit_events WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toView),
      nextCursor: rows.length > query.limit && last ? encodeSeqCursor(Number(last.seq)) : null,
    };
  }

  /** Recomputes the current organization's chain (or the platform's) and names the first broken link. */
  async verify(): Promise<AuditVerifyResult> {
    return verifyChain(this.db.em, this.db.scope.orgId);
  }
}

export async function verifyChain(em: EntityManager, orgId: string | null): Promise<AuditVerifyResult> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const rows: AuditRow[] = orgId
      ? await em.query(
          `SELECT ${COLUMNS} FROM audit_events WHERE org_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3`,
          [orgId, expectedSeq, VERIFY_BATCH],
        )
      : await em.query(
          `SELECT ${PLATFORM_COLUMNS} FROM platform_audit_events WHERE seq >= $1 ORDER BY seq LIMIT $2`,
          [expectedSeq, VERIFY_BATCH],
        );
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return { valid: false, checked, brokenAt: expectedSeq, reason: `event ${expectedSeq} is missing` };
      if (row.prev_hash !== prevHash) {
        return { valid: false, checked, brokenAt: seq, reason: `event ${seq} does not point at the hash of event ${seq - 1}` };
      }
      const recomputed = chainHash({
        orgId: orgId,
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
      });
      if (recomputed !== row.hash) {
        return { valid: false, checked, brokenAt: seq, reason: `event ${seq} was changed after it was written` };
      }
      prevHash = row.hash;
      expectedSeq = seq + 1;
      checked += 1;
    }
    if (rows.length < VERIFY_BATCH) return { valid: true, checked };
  }
}

function toView(r: AuditRow): AuditEventView {
  return {
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

function encodeSeqCursor(seq: number): string {
  return encodeCursor('seq', [String(seq)]);
}

function decodeSeqCursor(cursor: string): number {
  return Number(decodeCursor('seq', cursor, [CURSOR_PATTERNS.integer])[0]);
}

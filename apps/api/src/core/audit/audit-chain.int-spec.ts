import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { createTestOrg, openAppDataSource, type TestOrg } from '../../../test/fixtures';
import { hash32, inTransaction, withClient } from '../../../test/pg';
import { Db, type TenantScope } from '../db/tenant';
import { AuditService, verifyChain } from './audit.service';
import { chainHash, eventHash, GENESIS_HASH } from './canonical';

interface EventRow {
  lane: number;
  seq: string;
  action: string;
  prev_hash: string;
  hash: string;
  details: Record<string, unknown>;
}

class PlannedRollback extends Error {}

/**
 * The per-organization hash chain: no gap and no fork under concurrency, no event for a change that
 * rolled back, every kind of tampering named at the right link, and the table append-only for
 * everyone short of a superuser switching the trigger off.
 */
describe('audit hash chain', () => {
  let ds: DataSource;
  let db: Db;
  let audit: AuditService;
  const migrator = () => inject('migratorUrl');
  const scopeOf = (o: TestOrg): TenantScope => ({ orgId: o.orgId, userId: o.users.owner.id, role: 'owner' });

  const events = (o: TestOrg) =>
    db.inTenant(scopeOf(o), () =>
      db.sql<EventRow>('SELECT lane, seq, action, prev_hash, hash, details FROM audit_events ORDER BY lane, seq'),
    );
  /** The rows of each lane, in order. */
  const byLane = (rows: EventRow[]) => {
    const lanes = new Map<number, EventRow[]>();
    for (const r of rows) lanes.set(r.lane, [...(lanes.get(r.lane) ?? []), r]);
    return lanes;
  };
  /** Every lane numbered 1..n with no gap, starting on the genesis hash, each event linked to the one before. */
  const expectIntactLanes = (rows: EventRow[]) => {
    for (const chain of byLane(rows).values()) {
      expect(chain.map((r) => Number(r.seq))).toEqual(Array.from({ length: chain.length }, (_, k) => k + 1));
      expect(chain[0]!.prev_hash).toBe(GENESIS_HASH);
      for (let k = 1; k < chain.length; k++) expect(chain[k]!.prev_hash).toBe(chain[k - 1]!.hash);
    }
  };
  /** Events appended one after the other by one actor (here: the system) all land in its lane. */
  const onlyLane = async (o: TestOrg) => {
    const lanes = [...byLane(await events(o)).keys()];
    expect(lanes).toHaveLength(1);
    return lanes[0]!;
  };
  const verify = (o: TestOrg) => db.inTenant(scopeOf(o), () => verifyChain(db.em, o.orgId));

  /** A fresh organization (its chain starts with org.created) plus `n` more events. */
  async function orgWithEvents(n: number): Promise<TestOrg> {
    const o = await createTestOrg(db, audit);
    await db.inTenant(scopeOf(o), async () => {
      for (let i = 0; i < n; i++) await audit.append({ action: 'test.event', targetType: 'thing', targetId: String(i), details: { i } });
    });
    return o;
  }

  /** Changes audit rows as the superuser with the append-only trigger off for this transaction only. */
  const tamper = (sql: string, params: unknown[]) =>
    withClient(migrator(), (c) =>
      inTransaction(c, async () => {
        await c.query('SET LOCAL session_replication_role = replica');
        const r = await c.query(sql, params);
        expect(r.rowCount).toBe(1);
      }),
    );

  beforeAll(async () => {
    ds = await openAppDataSource(inject('appUrl'), 8);
    db = new Db(ds);
    audit = new AuditService(db);
  });
  afterAll(() => ds.destroy());

  describe('under concurrency', () => {
    it('numbers 60 concurrent appends 1..N in each lane with no gap or fork, and keeps none of the rolled-back ones', async () => {
      const org = await createTestOrg(db, audit);
      const run = randomBytes(4).toString('hex');
      const CALLS = 60;
      const fails = (i: number) => i % 4 === 1 || i % 7 === 3;
      const results = await Promise.allSettled(
        Array.from({ length: CALLS }, (_, i) =>
          db.inTenant(scopeOf(org), async () => {
            // The change the event records, in the same transaction.
            await db.sql(
              `INSERT INTO sessions (org_id, user_id, token_hash, csrf_hash, expires_at, user_agent)
               VALUES ($1, $2, $3, $4, now() + interval '1 hour', $5)`,
              [org.orgId, org.users.owner.id, hash32(), hash32(), `chain-${run}-${i}`],
            );
            await audit.append({ action: 'test.concurrent', details: { i } });
            await new Promise((resolve) => setImmediate(resolve));
            if (fails(i)) throw new PlannedRollback(`call ${i} rolls back`);
          }),
        ),
      );
      const kept = [...Array(CALLS).keys()].filter((i) => !fails(i));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(kept.length);
      expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof PlannedRollback)).toBe(
        true,
      );

      const rows = await events(org);
      const n = kept.length + 1; // + org.created
      expect(rows).toHaveLength(n);
      expectIntactLanes(rows);
      // Concurrent appends spread over lanes instead of queueing for one.
      expect(byLane(rows).size).toBeGreaterThan(1);
      expect(new Set(rows.map((r) => r.hash)).size).toBe(n);
      const recorded = rows.filter((r) => r.action === 'test.concurrent').map((r) => r.details.i as number);
      expect(recorded.sort((x, y) => x - y)).toEqual(kept);
      expect(await verify(org)).toEqual({ valid: true, checked: n });

      // The change and its event stood or fell together.
      const sessions = await db.inTenant(scopeOf(org), () =>
        db.sql<{ user_agent: string }>('SELECT user_agent FROM sessions WHERE user_agent LIKE $1', [`chain-${run}-%`]),
      );
      expect(sessions.map((s) => Number(s.user_agent.split('-').pop())).sort((x, y) => x - y)).toEqual(kept);
    });

    it("keeps two organizations' lanes independent, each from seq 1 on the genesis hash", async () => {
      const [x, y] = [await createTestOrg(db, audit), await createTestOrg(db, audit)];
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          db.inTenant(scopeOf(i % 2 ? x : y), () => audit.append({ action: 'test.interleaved', details: { i } })),
        ),
      );
      const [ex, ey] = [await events(x), await events(y)];
      for (const chain of [ex, ey]) {
        expect(chain).toHaveLength(6);
        expectIntactLanes(chain);
      }
      // The organization is part of what is hashed: equal-looking first events still differ.
      expect(ex[0]!.hash).not.toBe(ey[0]!.hash);
      expect(await verify(x)).toEqual({ valid: true, checked: 6 });
      expect(await verify(y)).toEqual({ valid: true, checked: 6 });
    });
  });

  describe('tamper evidence', () => {
    it('names the changed event when its details are edited', async () => {
      const org = await orgWithEvents(4);
      const lane = await onlyLane(org);
      expect(await verify(org)).toEqual({ valid: true, checked: 5 });
      await tamper(`UPDATE audit_events SET details = '{"i": 99}' WHERE org_id = $1 AND seq = 3`, [org.orgId]);
      expect(await verify(org)).toEqual({
        valid: false,
        checked: 2,
        lane,
        brokenAt: 3,
        reason: `lane ${lane}: event 3 was changed after it was written`,
      });
      // AuditService.verify (GET /audit/verify) says the same for the current tenant.
      expect(await db.inTenant(scopeOf(org), () => audit.verify())).toMatchObject({ valid: false, lane, brokenAt: 3 });
    });

    it('names the changed event when its action is edited', async () => {
      const org = await orgWithEvents(4);
      await tamper(`UPDATE audit_events SET action = 'test.harmless' WHERE org_id = $1 AND seq = 2`, [org.orgId]);
      expect(await verify(org)).toMatchObject({ valid: false, brokenAt: 2 });
    });

    it('names the missing event when a middle one is deleted', async () => {
      const org = await orgWithEvents(4);
      const lane = await onlyLane(org);
      await tamper('DELETE FROM audit_events WHERE org_id = $1 AND seq = 3', [org.orgId]);
      expect(await verify(org)).toEqual({ valid: false, checked: 2, lane, brokenAt: 3, reason: `lane ${lane}: event 3 is missing` });
    });

    it('names the next link when an edited event is re-hashed to look consistent', async () => {
      const org = await orgWithEvents(4);
      const lane = await onlyLane(org);
      const [row] = (await withClient(migrator(), (c) =>
        c.query(
          `SELECT org_id, seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id, outcome, ip, user_agent,
                  request_id, details, prev_hash FROM audit_events WHERE org_id = $1 AND seq = 2`,
          [org.orgId],
        ),
      )).rows as Record<string, unknown>[];
      const forged = eventHash({
        orgId: org.orgId,
        seq: 2,
        id: row!.id as string,
        occurredAt: (row!.occurred_at as Date).toISOString(),
        actorType: row!.actor_type as string,
        actorId: row!.actor_id as string | null,
        action: 'test.harmless',
        targetType: row!.target_type as string | null,
        targetId: row!.target_id as string | null,
        outcome: row!.outcome as string,
        ip: row!.ip as string | null,
        userAgent: row!.user_agent as string | null,
        requestId: row!.request_id as string | null,
        details: row!.details as Record<string, unknown>,
        prevHash: row!.prev_hash as string,
      }, 2, lane);
      await tamper(`UPDATE audit_events SET action = 'test.harmless', hash = $2 WHERE org_id = $1 AND seq = 2`, [org.orgId, forged]);
      expect(await verify(org)).toEqual({
        valid: false,
        checked: 2,
        lane,
        brokenAt: 3,
        reason: `lane ${lane}: event 3 does not point at the hash of event 2`,
      });
    });
  });

  describe('chain versions', () => {
    it('links each event in PostgreSQL with the formula Node verifies (version 2)', async () => {
      const org = await orgWithEvents(3);
      const rows = await withClient(migrator(), (c) =>
        c.query<{ seq: string; chain_version: number }>('SELECT seq, chain_version FROM audit_events WHERE org_id = $1 ORDER BY lane, seq', [org.orgId]),
      );
      expect(rows.rows.map((r) => r.chain_version)).toEqual([2, 2, 2, 2]);
      expect(await verify(org)).toEqual({ valid: true, checked: 4 });
    });

    it('verifies a chain begun before the upgrade (version 1, lane 0) and continued after it (version 2)', async () => {
      const org = await createTestOrg(db, audit);
      // Replace the new organization's first event by two version-1 events in lane 0, as an older Enclave wrote them.
      const [first] = (await withClient(migrator(), (c) =>
        c.query('SELECT id, occurred_at FROM audit_events WHERE org_id = $1 AND seq = 1', [org.orgId]),
      )).rows as { id: string; occurred_at: Date }[];
      let prevHash = GENESIS_HASH;
      await withClient(migrator(), (c) =>
        inTransaction(c, async () => {
          await c.query('SET LOCAL session_replication_role = replica');
          await c.query('DELETE FROM audit_events WHERE org_id = $1', [org.orgId]);
          for (const seq of [1, 2]) {
            const event = {
              orgId: org.orgId,
              seq,
              id: seq === 1 ? first!.id : '00000000-0000-4000-8000-00000000000' + seq,
              occurredAt: first!.occurred_at.toISOString(),
              actorType: 'system',
              actorId: null,
              action: 'test.v1',
              targetType: null,
              targetId: null,
              outcome: 'success',
              ip: null,
              userAgent: null,
              requestId: null,
              details: { seq },
              prevHash,
            };
            const hash = chainHash(event);
            await c.query(
              `INSERT INTO audit_events (org_id, seq, id, occurred_at, actor_type, action, outcome, details, prev_hash, hash)
               VALUES ($1, $2, $3, $4, 'system', 'test.v1', 'success', $5, $6, $7)`,
              [org.orgId, seq, event.id, event.occurredAt, JSON.stringify(event.details), prevHash, hash],
            );
            prevHash = hash;
          }
        }),
      );
      // Lane 0 continues from the old chain. The append is steered there by another session holding
      // every other lane of the organization meanwhile (audit_append never waits for a busy lane).
      await withClient(migrator(), async (c) => {
        await c.query('BEGIN');
        try {
          for (let lane = 1; lane < 16; lane++) {
            await c.query("SELECT pg_advisory_xact_lock(7077100, hashtext($1 || '/' || $2))", [org.orgId, String(lane)]);
          }
          await db.inTenant(scopeOf(org), () => audit.append({ action: 'test.v2' }));
        } finally {
          await c.query('ROLLBACK');
        }
      });
      const rows = await events(org);
      expect(rows.map((r) => [r.lane, Number(r.seq), r.action])).toEqual([
        [0, 1, 'test.v1'],
        [0, 2, 'test.v1'],
        [0, 3, 'test.v2'],
      ]);
      expect(rows[2]!.prev_hash).toBe(prevHash);
      expect(await verify(org)).toEqual({ valid: true, checked: 3 });
      // A version-1 event relabelled as version 2 no longer verifies.
      await tamper('UPDATE audit_events SET chain_version = 2 WHERE org_id = $1 AND seq = 2', [org.orgId]);
      expect(await verify(org)).toMatchObject({ valid: false, lane: 0, brokenAt: 2 });
    });

    it('refuses a content hash that is not 64 hex digits', async () => {
      const org = await createTestOrg(db, audit);
      await expect(
        db.inTenant(scopeOf(org), () =>
          db.sql(
            `SELECT * FROM audit_append($1, gen_random_uuid(), now(), 'system', NULL, 'test.bad', NULL, NULL, 'success', NULL, NULL, NULL, '{}', $2)`,
            [org.orgId, 'not a hash'],
          ),
        ),
      ).rejects.toThrow(/64 hex digits/);
    });
  });

  describe('append-only', () => {
    it('refuses UPDATE, DELETE and TRUNCATE to the runtime role, even on its own tenant rows', async () => {
      const org = await orgWithEvents(1);
      for (const sql of [
        'UPDATE audit_events SET action = action WHERE org_id = $1',
        'DELETE FROM audit_events WHERE org_id = $1',
      ]) {
        await expect(db.inTenant(scopeOf(org), () => db.exec(sql, [org.orgId]))).rejects.toThrow(/permission denied for table audit_events/);
      }
      await expect(db.inTenant(scopeOf(org), () => db.exec('TRUNCATE audit_events'))).rejects.toThrow(/permission denied for table audit_events/);
      for (const sql of ['UPDATE platform_audit_events SET action = action', 'DELETE FROM platform_audit_events', 'TRUNCATE platform_audit_events']) {
        await expect(db.inTenant({ orgId: null, userId: null, role: 'operator' }, () => db.exec(sql))).rejects.toThrow(
          /permission denied for table platform_audit_events/,
        );
      }
      expect(await verify(org)).toEqual({ valid: true, checked: 2 });
    });

    it('refuses UPDATE, DELETE and TRUNCATE even to the migrator (owner and superuser), unless the trigger is switched off', async () => {
      const org = await orgWithEvents(1);
      await withClient(migrator(), async (c: pg.Client) => {
        await expect(c.query(`UPDATE audit_events SET action = 'x' WHERE org_id = $1`, [org.orgId])).rejects.toThrow(
          /audit events are append-only \(UPDATE refused\)/,
        );
        await expect(c.query('DELETE FROM audit_events WHERE org_id = $1', [org.orgId])).rejects.toThrow(
          /audit events are append-only \(DELETE refused\)/,
        );
        // TRUNCATE would empty every organization's chain: try it only inside a transaction that is
        // rolled back whatever happens, and do not wait long for the table lock.
        await c.query('BEGIN');
        try {
          await c.query(`SET LOCAL lock_timeout = '5s'`);
          await expect(c.query('TRUNCATE audit_events')).rejects.toThrow(/audit events are append-only \(TRUNCATE refused\)/);
        } finally {
          await c.query('ROLLBACK');
        }
        // With the trigger off (superuser only), the same UPDATE goes through; rolled back here.
        await c.query('BEGIN');
        try {
          await c.query('SET LOCAL session_replication_role = replica');
          const r = await c.query(`UPDATE audit_events SET action = 'x' WHERE org_id = $1 AND seq = 1`, [org.orgId]);
          expect(r.rowCount).toBe(1);
        } finally {
          await c.query('ROLLBACK');
        }
      });
      expect(await verify(org)).toEqual({ valid: true, checked: 2 });
    });
  });
});

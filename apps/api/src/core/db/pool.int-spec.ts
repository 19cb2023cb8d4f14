import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createTestOrg, openAppDataSource, type TestOrg } from '../../../test/fixtures';
import { hash32 } from '../../../test/pg';
import { Db, type TenantScope } from './tenant';

/** A small deterministic PRNG (mulberry32), so a failing interleaving can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

class PlannedFailure extends Error {}

/**
 * Two tenants hammering ONE pooled connection: every transaction must see only its own tenant, and
 * a transaction that fails after writing must leave nothing behind for the next user of the connection.
 */
describe('tenant transactions on a pool of one connection', () => {
  let ds: DataSource;
  let db: Db;
  let a: TestOrg;
  let b: TestOrg;
  const CALLS = 200;
  const SEED = 20_240_601;

  beforeAll(async () => {
    ds = await openAppDataSource(inject('appUrl'), 1);
    db = new Db(ds);
    a = await createTestOrg(db);
    b = await createTestOrg(db);
  });
  afterAll(() => ds.destroy());

  it(`keeps ${CALLS} interleaved calls of two tenants apart, and rolls back the ones that fail midway`, async () => {
    const random = prng(SEED);
    const run = randomBytes(4).toString('hex');
    const marker = (i: number) => `pool-${run}-${i}`;
    const calls = Array.from({ length: CALLS }, (_, i) => ({ i, org: random() < 0.5 ? a : b, fail: random() < 1 / 3 }));
    const scopeOf = (o: TestOrg): TenantScope => ({ orgId: o.orgId, userId: o.users.owner.id, role: 'owner' });

    const results = await Promise.allSettled(
      calls.map((call) =>
        db.inTenant(scopeOf(call.org), async () => {
          await db.sql(
            `INSERT INTO sessions (org_id, user_id, token_hash, csrf_hash, expires_at, user_agent)
             VALUES ($1, $2, $3, $4, now() + interval '1 hour', $5)`,
            [call.org.orgId, call.org.users.owner.id, hash32(), hash32(), marker(call.i)],
          );
          await tick();
          const [ctx] = await db.sql<{ pid: number; setting: string }>(
            `SELECT pg_backend_pid() AS pid, current_setting('app.org_id') AS setting`,
          );
          const userOrgs = (await db.sql<{ org_id: string }>('SELECT DISTINCT org_id FROM users')).map((r) => r.org_id);
          if (call.fail) throw new PlannedFailure(`planned failure of call ${call.i}`);
          await tick();
          const sessions = await db.sql<{ org_id: string; user_agent: string }>(
            'SELECT org_id, user_agent FROM sessions WHERE user_agent LIKE $1',
            [`pool-${run}-%`],
          );
          return { pid: ctx!.pid, setting: ctx!.setting, userOrgs, sessions };
        }),
      ),
    );

    const failing = calls.filter((c) => c.fail);
    expect(failing.length).toBeGreaterThan(CALLS / 5);
    expect(failing.length).toBeLessThan(CALLS / 2);
    const pids = new Set<number>();
    const failedMarkers = new Set(failing.map((c) => marker(c.i)));
    for (const [k, result] of results.entries()) {
      const call = calls[k]!;
      if (call.fail) {
        expect(result.status).toBe('rejected');
        expect((result as PromiseRejectedResult).reason).toBeInstanceOf(PlannedFailure);
        continue;
      }
      expect(result.status).toBe('fulfilled');
      const seen = (result as PromiseFulfilledResult<{ pid: number; setting: string; userOrgs: string[]; sessions: { org_id: string; user_agent: string }[] }>)
        .value;
      pids.add(seen.pid);
      expect(seen.setting).toBe(call.org.orgId);
      expect(seen.userOrgs).toEqual([call.org.orgId]);
      expect(seen.sessions.every((s) => s.org_id === call.org.orgId)).toBe(true);
      expect(seen.sessions.some((s) => s.user_agent === marker(call.i))).toBe(true);
      // A failed call's write is never visible to anyone, not even for a moment.
      expect(seen.sessions.filter((s) => failedMarkers.has(s.user_agent))).toEqual([]);
    }
    expect(pids.size).toBe(1);

    // What stayed: exactly the writes of the calls that succeeded, each under its own tenant.
    for (const org of [a, b]) {
      const kept = await db.inTenant(scopeOf(org), () =>
        db.sql<{ user_agent: string }>('SELECT user_agent FROM sessions WHERE user_agent LIKE $1 ORDER BY user_agent', [`pool-${run}-%`]),
      );
      const expected = calls.filter((c) => c.org === org && !c.fail).map((c) => marker(c.i));
      expect(kept.map((r) => r.user_agent).sort()).toEqual(expected.sort());
    }
    // And the connection is handed back with no tenant on it.
    expect(await ds.query(`SELECT current_setting('app.org_id', true) AS s, (SELECT count(*)::int FROM sessions) AS n`)).toEqual([
      { s: '', n: 0 },
    ]);
  });
});

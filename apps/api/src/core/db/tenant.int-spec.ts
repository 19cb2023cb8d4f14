import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createTestOrg, openAppDataSource, type TestOrg } from '../../../test/fixtures';
import { Db } from './tenant';

describe('tenant transaction', () => {
  let ds: DataSource;
  let db: Db;
  let a: TestOrg;
  let b: TestOrg;

  beforeAll(async () => {
    ds = await openAppDataSource(inject('appUrl'));
    db = new Db(ds);
    a = await createTestOrg(db);
    b = await createTestOrg(db);
  });
  afterAll(() => ds.destroy());

  it('shows a tenant only its own users', async () => {
    const rows = await db.inTenant({ orgId: a.orgId, userId: a.users.owner.id, role: 'owner' }, () =>
      db.sql<{ org_id: string }>('SELECT org_id FROM users'),
    );
    expect(rows.length).toBe(5);
    expect(new Set(rows.map((r) => r.org_id))).toEqual(new Set([a.orgId]));
    expect(b.orgId).not.toBe(a.orgId);
  });

  it('opens and scopes the transaction in one round trip, quoting the scope as literals', async () => {
    const seen = await db.inTenant({ orgId: a.orgId, userId: null, role: "it's; SELECT 1 --" }, () =>
      db.sql<{ org: string; user: string; role: string; tx: boolean }>(
        `SELECT current_setting('app.org_id') AS org, current_setting('app.user_id') AS "user",
                current_setting('app.role') AS role, now() = statement_timestamp() AS tx`,
      ),
    );
    // Inside a transaction block now() is the transaction's start, earlier than this statement's.
    expect(seen).toEqual([{ org: a.orgId, user: '', role: "it's; SELECT 1 --", tx: false }]);
  });

  it('commits the work, rolls it back on error, and lets TypeORM nest only as a savepoint', async () => {
    const scope = { orgId: a.orgId, userId: a.users.owner.id, role: 'owner' };
    const rename = (name: string) => db.sql('UPDATE users SET name = $2 WHERE org_id = $1 AND id = $3', [a.orgId, name, a.users.owner.id]);
    const nameNow = async () =>
      (await db.inTenant(scope, () => db.sql<{ name: string }>('SELECT name FROM users WHERE id = $1', [a.users.owner.id])))[0]!.name;
    const original = await nameNow();

    await expect(
      db.inTenant(scope, async (em) => {
        await rename('inside a nested transaction');
        // TypeORM's own transaction inside ours is a savepoint: its "commit" must not commit ours.
        await em.transaction(() => rename('nested'));
        throw new Error('the request failed');
      }),
    ).rejects.toThrow('the request failed');
    expect(await nameNow()).toBe(original);

    await db.inTenant(scope, () => rename('committed'));
    expect(await nameNow()).toBe('committed');
    await db.inTenant(scope, () => rename(original));
  });

  it('hands the pool back a clean connection after a failed statement', async () => {
    const scope = { orgId: a.orgId, userId: a.users.owner.id, role: 'owner' };
    await expect(db.inTenant(scope, () => db.sql('SELECT 1/0'))).rejects.toThrow(/division by zero/);
    const rows = await Promise.all(Array.from({ length: 12 }, () => db.inTenant(scope, () => db.sql<{ n: number }>('SELECT 1 AS n'))));
    expect(rows.flat()).toHaveLength(12);
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { addProjectRows, createTestOrg, openAppDataSource, type TestOrg } from '../../../test/fixtures';
import { TENANT_TABLES_SQL } from '../../../test/isolation';
import { hash32 } from '../../../test/pg';
import { AuditService } from '../audit/audit.service';
import { Db, type TenantScope } from './tenant';

/** The operator works with no tenant; writing an organization's rows goes through `actingFor`. */
describe('no-tenant scope and actingFor', () => {
  let ds: DataSource;
  let db: Db;
  let audit: AuditService;
  let org: TestOrg;
  let tables: string[];
  const operator: TenantScope = { orgId: null, userId: null, role: 'operator' };

  const count = async (table: string) => (await db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;
  const setting = async () => (await db.sql<{ s: string }>(`SELECT current_setting('app.org_id', true) AS s`))[0]!.s;

  beforeAll(async () => {
    ds = await openAppDataSource(inject('appUrl'), 2);
    db = new Db(ds);
    audit = new AuditService(db);
    org = await createTestOrg(db);
    await db.inTenant({ orgId: org.orgId, userId: null, role: 'system' }, async () => {
      await db.sql(
        `INSERT INTO sessions (org_id, user_id, token_hash, csrf_hash, expires_at) VALUES ($1, $2, $3, $4, now() + interval '1 hour')`,
        [org.orgId, org.users.owner.id, hash32(), hash32()],
      );
      await db.sql(
        `INSERT INTO api_tokens (org_id, user_id, name, prefix, token_hash, scopes, expires_at)
         VALUES ($1, $2, 'op test', 'enc_optt', $3, ARRAY['read'], now() + interval '1 day')`,
        [org.orgId, org.users.owner.id, hash32()],
      );
    });
    await addProjectRows(db, org, 2);
    tables = ((await ds.query(TENANT_TABLES_SQL)) as { table: string }[]).map((r) => r.table);
  });
  afterAll(() => ds.destroy());

  it('reads every tenant table as empty, though the tenant itself has rows in each', async () => {
    expect(tables.length).toBeGreaterThanOrEqual(5);
    const asTenant = await db.inTenant({ orgId: org.orgId, userId: null, role: 'system' }, async () => {
      const out: Record<string, number> = {};
      for (const t of tables) out[t] = await count(t);
      return out;
    });
    expect(Object.entries(asTenant).filter(([, n]) => n === 0)).toEqual([]);

    const asOperator = await db.inTenant(operator, async () => {
      const out: Record<string, number> = {};
      for (const t of tables) out[t] = await count(t);
      return out;
    });
    expect(asOperator).toEqual(Object.fromEntries(tables.map((t) => [t, 0])));
  });

  it("writes the organization's rows inside actingFor and is back to no tenant right after, in the same transaction", async () => {
    const email = `acting-${org.slug}@example.test`;
    const trace = await db.inTenant(operator, async () => {
      const before = await count('users');
      const inside = await db.actingFor(org.orgId, async () => {
        await db.sql(`INSERT INTO users (org_id, email, name, role, password_hash) VALUES ($1, $2, 'Acting', 'annotator', 'x')`, [
          org.orgId,
          email,
        ]);
        await audit.append({ action: 'user.created', targetType: 'user' });
        return { scope: db.scope.orgId, users: await count('users'), setting: await setting() };
      });
      return { before, inside, after: { scope: db.scope.orgId, users: await count('users'), setting: await setting() } };
    });
    expect(trace).toEqual({
      before: 0,
      inside: { scope: org.orgId, users: 6, setting: org.orgId },
      after: { scope: null, users: 0, setting: '' },
    });
    const committed = await db.inTenant({ orgId: org.orgId, userId: null, role: 'system' }, async () => ({
      user: await db.sql('SELECT 1 FROM users WHERE email = $1', [email]),
      events: await db.sql<{ seq: string; action: string }>(`SELECT seq, action FROM audit_events ORDER BY pos`),
    }));
    expect(committed.user).toHaveLength(1);
    expect(committed.events.map((e) => e.action)).toEqual(['org.created', 'user.created']);
  });

  it('restores no tenant when the work throws and the caller carries on', async () => {
    const after = await db.inTenant(operator, async () => {
      await expect(
        db.actingFor(org.orgId, async () => {
          expect(await count('users')).toBeGreaterThan(0);
          throw new Error('work failed');
        }),
      ).rejects.toThrow('work failed');
      return { scope: db.scope.orgId, users: await count('users'), setting: await setting() };
    });
    expect(after).toEqual({ scope: null, users: 0, setting: '' });
  });

  it("reports the work's own error when a failed statement inside actingFor aborted the transaction", async () => {
    // PlatformService.createOrg turns a duplicate e-mail into EMAIL_TAKEN inside actingFor; restoring
    // the scope in an aborted transaction must not replace that answer with "transaction is aborted".
    class EmailTaken extends Error {}
    await expect(
      db.inTenant(operator, () =>
        db.actingFor(org.orgId, async () => {
          try {
            await db.sql('INSERT INTO email_directory (email) VALUES ($1)', [org.users.owner.email]);
          } catch (err) {
            if ((err as { code?: string }).code === '23505') throw new EmailTaken('this address already has an account');
            throw err;
          }
        }),
      ),
    ).rejects.toBeInstanceOf(EmailTaken);
  });

  it('refuses actingFor outside a transaction and a nested inTenant', async () => {
    await expect(db.actingFor(org.orgId, async () => undefined)).rejects.toThrow(/actingFor needs a transaction/);
    await expect(db.inTenant(operator, () => db.inTenant(operator, async () => undefined))).rejects.toThrow(
      /inTenant called inside a tenant transaction/,
    );
  });
});

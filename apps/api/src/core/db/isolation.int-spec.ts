import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { addProjectRows, createTestOrg, openAppDataSource, type TestOrg } from '../../../test/fixtures';
import { CORE_TABLE_PROBES, findIsolationLeaks, TENANT_TABLES_SQL, type OrgSide, type TableProbe } from '../../../test/isolation';
import { createScratchSchema, hash32, withClient } from '../../../test/pg';
import { AuditService } from '../audit/audit.service';
import { Db } from './tenant';

/**
 * Row-level security of every tenant table, probed through the runtime role: from one tenant's scope
 * another tenant's rows cannot be read, added, changed, moved into or removed.
 */
describe('tenant isolation of every tenant table', () => {
  let ds: DataSource;
  let db: Db;
  let a: TestOrg;
  let b: TestOrg;
  /** Per table, per org: how many rows and the key of one. */
  const sides = new Map<string, { a: OrgSide; b: OrgSide }>();

  async function addRows(org: TestOrg, sessionsAndTokens: number, extraEvents: number) {
    const audit = new AuditService(db);
    const core = await db.inTenant({ orgId: org.orgId, userId: org.users.owner.id, role: 'owner' }, async () => {
      const sessionIds: string[] = [];
      const tokenIds: string[] = [];
      for (let i = 0; i < sessionsAndTokens; i++) {
        const [s] = await db.sql<{ id: string }>(
          `INSERT INTO sessions (org_id, user_id, token_hash, csrf_hash, expires_at)
           VALUES ($1, $2, $3, $4, now() + interval '1 hour') RETURNING id`,
          [org.orgId, org.users.owner.id, hash32(), hash32()],
        );
        const [t] = await db.sql<{ id: string }>(
          `INSERT INTO api_tokens (org_id, user_id, name, prefix, token_hash, scopes, expires_at)
           VALUES ($1, $2, $3, 'enc_test', $4, ARRAY['read', 'write'], now() + interval '30 days') RETURNING id`,
          [org.orgId, org.users.admin.id, `token ${i}`, hash32()],
        );
        sessionIds.push(s!.id);
        tokenIds.push(t!.id);
      }
      for (let i = 0; i < extraEvents; i++) await audit.append({ action: 'test.event', details: { i } });
      return { sessionIds, tokenIds };
    });
    return { ...core, ...(await addProjectRows(db, org, sessionsAndTokens)) };
  }

  beforeAll(async () => {
    ds = await openAppDataSource(inject('appUrl'));
    db = new Db(ds);
    a = await createTestOrg(db);
    b = await createTestOrg(db);
    // Different counts per tenant, so that "sees only its own" cannot pass by coincidence.
    const ra = await addRows(a, 2, 0);
    const rb = await addRows(b, 3, 2);
    const refs = {
      a: { projectId: ra.projectId, taskId: ra.taskIds[0], annotationId: ra.annotationIds[0], annotatorId: a.users.annotator.id },
      b: { projectId: rb.projectId, taskId: rb.taskIds[0], annotationId: rb.annotationIds[0], annotatorId: b.users.annotator.id },
    };
    const side = (org: TestOrg, count: number, key: unknown): OrgSide => ({
      orgId: org.orgId,
      userId: org.users.owner.id,
      count,
      key,
      ...(org === a ? refs.a : refs.b),
    });
    sides.set('organizations', { a: side(a, 1, null), b: side(b, 1, null) });
    sides.set('users', { a: side(a, 5, a.users.owner.id), b: side(b, 5, b.users.owner.id) });
    sides.set('sessions', { a: side(a, 2, ra.sessionIds[0]), b: side(b, 3, rb.sessionIds[0]) });
    sides.set('api_tokens', { a: side(a, 2, ra.tokenIds[0]), b: side(b, 3, rb.tokenIds[0]) });
    sides.set('audit_events', { a: side(a, 1, 1), b: side(b, 3, 1) });
    sides.set('projects', { a: side(a, 1, ra.projectId), b: side(b, 1, rb.projectId) });
    sides.set('project_configs', { a: side(a, 1, 1), b: side(b, 1, 1) });
    sides.set('project_members', { a: side(a, 1, a.users.annotator.id), b: side(b, 1, b.users.annotator.id) });
    sides.set('tasks', { a: side(a, 2, ra.taskIds[0]), b: side(b, 3, rb.taskIds[0]) });
    sides.set('task_leases', { a: side(a, 1, ra.taskIds[0]), b: side(b, 1, rb.taskIds[0]) });
    sides.set('assets', { a: side(a, 1, ra.assetId), b: side(b, 1, rb.assetId) });
    sides.set('annotations', { a: side(a, 2, ra.annotationIds[0]), b: side(b, 3, rb.annotationIds[0]) });
    sides.set('annotation_revisions', { a: side(a, 2, ra.annotationIds[0]), b: side(b, 3, rb.annotationIds[0]) });
    sides.set('task_skips', { a: side(a, 1, ra.taskIds[0]), b: side(b, 1, rb.taskIds[0]) });
    sides.set('reviews', { a: side(a, 1, ra.annotationIds[0]), b: side(b, 1, rb.annotationIds[0]) });
    sides.set('gold_scores', { a: side(a, 1, ra.taskIds[0]), b: side(b, 1, rb.taskIds[0]) });
    sides.set('qualifications', { a: side(a, 1, a.users.annotator.id), b: side(b, 1, b.users.annotator.id) });
  });
  afterAll(() => ds.destroy());

  it('has a probe for every table of public with an org_id column', async () => {
    const tables = (await ds.query(TENANT_TABLES_SQL)) as { table: string }[];
    expect(tables.map((t) => t.table)).toEqual(CORE_TABLE_PROBES.map((p) => p.table).sort());
  });

  for (const probe of CORE_TABLE_PROBES) {
    it(`${probe.table}: tenant A can neither read, insert for, update, delete nor move into tenant B`, async () => {
      const s = sides.get(probe.table)!;
      expect(await findIsolationLeaks(db, probe, s.a, s.b)).toEqual([]);
    });

    it(`${probe.table}: and the other way round, tenant B cannot reach tenant A`, async () => {
      const s = sides.get(probe.table)!;
      expect(await findIsolationLeaks(db, probe, s.b, s.a)).toEqual([]);
    });
  }

  it('states the refusals explicitly: RLS WITH CHECK for a cross-tenant INSERT, 0 rows for UPDATE', async () => {
    const asA = { orgId: a.orgId, userId: a.users.owner.id, role: 'owner' };
    await expect(
      db.inTenant(asA, () =>
        db.sql(`INSERT INTO users (org_id, email, name, role, password_hash) VALUES ($1, 'x@example.test', 'x', 'owner', 'x')`, [
          b.orgId,
        ]),
      ),
    ).rejects.toThrow(/new row violates row-level security policy for table "users"/);
    expect(await db.inTenant(asA, () => db.exec(`UPDATE users SET name = 'taken over' WHERE org_id = $1`, [b.orgId]))).toBe(0);
    expect(await db.inTenant(asA, () => db.exec(`UPDATE users SET name = 'taken over' WHERE id = $1`, [b.users.owner.id]))).toBe(0);
    const names = await db.inTenant({ orgId: b.orgId, userId: null, role: 'system' }, () =>
      db.sql<{ name: string }>('SELECT name FROM users WHERE id = $1', [b.users.owner.id]),
    );
    expect(names).toEqual([{ name: `owner of ${b.slug}` }]);
    // audit_events is insert-only for the runtime role: UPDATE and DELETE are refused outright.
    await expect(db.inTenant(asA, () => db.exec('UPDATE audit_events SET action = action WHERE org_id = $1', [b.orgId]))).rejects.toThrow(
      /permission denied for table audit_events/,
    );
    await expect(db.inTenant(asA, () => db.exec('DELETE FROM audit_events WHERE org_id = $1', [b.orgId]))).rejects.toThrow(
      /permission denied for table audit_events/,
    );
  });
});

/**
 * The probe above would be worthless if it could not fail. On scratch tables of their own schema
 * (so no other test file ever sees them), built like a tenant table and then broken the ways a
 * careless migration breaks one, the same probe reports the leak.
 */
describe('the isolation probe catches a missing or wrong policy', () => {
  let ds: DataSource;
  let db: Db;
  let scratch: { name: string; drop(): Promise<void> };
  const A = { orgId: '', userId: '', count: 2, key: null as unknown };
  const B = { orgId: '', userId: '', count: 3, key: null as unknown };
  const migrator = () => inject('migratorUrl');

  const probeFor = (table: string): TableProbe => ({
    table: `${scratch.name}.${table}`,
    keyColumn: 'id',
    touch: 'note = note',
    insert: (s) => ({ sql: `INSERT INTO ${scratch.name}.${table} (org_id, note) VALUES ($1, 'probe')`, params: [s.orgId] }),
  });

  /** A tenant table exactly as the migrations build one, with 2 rows of A and 3 of B; `ids` = one key per org. */
  async function createTenantTable(table: string): Promise<void> {
    const t = `${scratch.name}.${table}`;
    await withClient(migrator(), async (c) => {
      await c.query(`CREATE TABLE ${t} (
        org_id uuid NOT NULL, id uuid NOT NULL DEFAULT gen_random_uuid(), note text NOT NULL, PRIMARY KEY (org_id, id))`);
      await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${t} TO enclave_runtime`);
      await c.query(`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`);
      await c.query(`ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`);
      await c.query(
        `CREATE POLICY tenant_isolation ON ${t} USING (org_id = public.app_current_org()) WITH CHECK (org_id = public.app_current_org())`,
      );
      // The migrator is the superuser: its own inserts skip RLS, as seeding does.
      const [ka] = (
        await c.query<{ id: string }>(`INSERT INTO ${t} (org_id, note) VALUES ($1, 'a1'), ($1, 'a2') RETURNING id`, [A.orgId])
      ).rows;
      const [kb] = (
        await c.query<{ id: string }>(`INSERT INTO ${t} (org_id, note) VALUES ($1, 'b1'), ($1, 'b2'), ($1, 'b3') RETURNING id`, [
          B.orgId,
        ])
      ).rows;
      A.key = ka!.id;
      B.key = kb!.id;
    });
  }

  const ddl = (sql: string) => withClient(migrator(), (c) => c.query(sql));

  beforeAll(async () => {
    ds = await openAppDataSource(inject('appUrl'), 2);
    db = new Db(ds);
    const [oa, ob] = [await createTestOrg(db), await createTestOrg(db)];
    A.orgId = oa.orgId;
    A.userId = oa.users.owner.id;
    B.orgId = ob.orgId;
    B.userId = ob.users.owner.id;
    scratch = await createScratchSchema(migrator());
  });
  afterAll(async () => {
    await scratch?.drop();
    await ds?.destroy();
  });

  it('passes with the policy, reports the leak once it is dropped, and passes again when it is back', async () => {
    await createTenantTable('notes');
    const probe = probeFor('notes');
    expect(await findIsolationLeaks(db, probe, A, B)).toEqual([]);

    // The policy dropped and RLS switched off, as a careless migration would leave a table.
    await ddl(`DROP POLICY tenant_isolation ON ${probe.table}; ALTER TABLE ${probe.table} NO FORCE ROW LEVEL SECURITY;
               ALTER TABLE ${probe.table} DISABLE ROW LEVEL SECURITY`);
    const leaks = await findIsolationLeaks(db, probe, A, B);
    expect(leaks).toEqual(
      expect.arrayContaining([
        `${probe.table}: tenant A's scope sees 3 row(s) of another tenant`,
        `${probe.table}: tenant A's scope reads tenant B's row by its key`,
        `${probe.table}: tenant A's scope may INSERT a row for tenant B`,
        `${probe.table}: tenant A's scope may UPDATE 3 row(s) of tenant B`,
        `${probe.table}: tenant A's scope may DELETE 3 row(s) of tenant B`,
        `${probe.table}: tenant A's scope may move 5 row(s) into tenant B`,
        `${probe.table}: the no-tenant scope sees 5 row(s)`,
      ]),
    );

    await ddl(`ALTER TABLE ${probe.table} ENABLE ROW LEVEL SECURITY; ALTER TABLE ${probe.table} FORCE ROW LEVEL SECURITY;
               CREATE POLICY tenant_isolation ON ${probe.table}
                 USING (org_id = public.app_current_org()) WITH CHECK (org_id = public.app_current_org())`);
    expect(await findIsolationLeaks(db, probe, A, B)).toEqual([]);
  });

  it('reports a dropped policy on a table that still has RLS on (everything denied, even the own rows)', async () => {
    await createTenantTable('no_policy');
    const probe = probeFor('no_policy');
    await ddl(`DROP POLICY tenant_isolation ON ${probe.table}`);
    const leaks = await findIsolationLeaks(db, probe, A, B);
    expect(leaks).toContain(`${probe.table}: tenant A's scope sees 0 of its own 2 row(s)`);
    expect(leaks.some((l) => l.startsWith(`${probe.table}: the probe's INSERT fails even for tenant A itself`))).toBe(true);
  });

  it('reports a policy whose WITH CHECK lets any org_id in', async () => {
    await createTenantTable('loose_check');
    const probe = probeFor('loose_check');
    await ddl(`DROP POLICY tenant_isolation ON ${probe.table};
               CREATE POLICY tenant_isolation ON ${probe.table} USING (org_id = public.app_current_org()) WITH CHECK (true)`);
    expect(await findIsolationLeaks(db, probe, A, B)).toEqual([
      `${probe.table}: tenant A's scope may INSERT a row for tenant B`,
      `${probe.table}: tenant A's scope may move 2 row(s) into tenant B`,
    ]);
  });

  it('reports a second, permissive policy that is OR-ed with the tenant policy', async () => {
    await createTenantTable('extra_policy');
    const probe = probeFor('extra_policy');
    await ddl(`CREATE POLICY reporting ON ${probe.table} FOR SELECT USING (true)`);
    const leaks = await findIsolationLeaks(db, probe, A, B);
    expect(leaks).toEqual(
      expect.arrayContaining([
        `${probe.table}: tenant A's scope sees 3 row(s) of another tenant`,
        `${probe.table}: tenant A's scope reads tenant B's row by its key`,
        `${probe.table}: the no-tenant scope sees 5 row(s)`,
      ]),
    );
  });
});

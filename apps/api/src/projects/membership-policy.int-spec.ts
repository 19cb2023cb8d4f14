import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { OrgRole } from '@enclave/contracts';
import { createTestOrg, openAppDataSource, type TestOrg } from '../../test/fixtures';
import { hash32 } from '../../test/pg';
import { Db, type TenantScope } from '../core/db/tenant';

/**
 * SPEC §3: inside a tenant, project membership is enforced by policy on the data tables. Connected as
 * the runtime role, with no help from the API: below admin, the rows of a project one is not a member
 * of are invisible and cannot be written, whatever the SQL says.
 */
describe('project membership is enforced by row-level security', () => {
  let ds: DataSource;
  let db: Db;
  let org: TestOrg;
  /** Project A has the annotator as a member; project B has nobody but the manager. */
  let projectA: string;
  let projectB: string;
  const DATA_TABLES = ['tasks', 'task_leases', 'assets'] as const;

  const scope = (role: OrgRole | 'system' | '', userId: string | null = null): TenantScope => ({
    orgId: org.orgId,
    userId: userId ?? (role === '' || role === 'system' ? null : org.users[role].id),
    role,
  });

  async function count(s: TenantScope, table: string, projectId: string): Promise<number> {
    const [row] = await db.inTenant(s, () =>
      db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE project_id = $1`, [projectId]),
    );
    return row!.n;
  }

  beforeAll(async () => {
    ds = await openAppDataSource(inject('appUrl'));
    db = new Db(ds);
    org = await createTestOrg(db);
    const ids = await db.inTenant(scope('system'), async () => {
      const out: string[] = [];
      for (const name of ['A', 'B']) {
        const [p] = await db.sql<{ id: string }>(
          `INSERT INTO projects (org_id, name, label_config, created_by) VALUES ($1, $2, '{}'::jsonb, $3) RETURNING id`,
          [org.orgId, name, org.users.manager.id],
        );
        await db.sql(`INSERT INTO project_members (org_id, project_id, user_id, role) VALUES ($1, $2, $3, 'manager')`, [
          org.orgId,
          p!.id,
          org.users.manager.id,
        ]);
        const tasks = await db.sql<{ id: string }>(
          `INSERT INTO tasks (org_id, project_id, data) SELECT $1, $2, jsonb_build_object('text', 'task ' || i)
             FROM generate_series(1, 3) i RETURNING id`,
          [org.orgId, p!.id],
        );
        await db.sql(
          `INSERT INTO task_leases (org_id, project_id, task_id, user_id, expires_at) VALUES ($1, $2, $3, $4, now() + interval '5 minutes')`,
          [org.orgId, p!.id, tasks[0]!.id, org.users.manager.id],
        );
        await db.sql(
          `INSERT INTO assets (org_id, project_id, sha256, media_type, byte_size, width, height, created_by)
           VALUES ($1, $2, $3, 'image/png', 10, 1, 1, $4)`,
          [org.orgId, p!.id, hash32().toString('hex'), org.users.manager.id],
        );
        out.push(p!.id);
      }
      await db.sql(`INSERT INTO project_members (org_id, project_id, user_id, role) VALUES ($1, $2, $3, 'annotator')`, [
        org.orgId,
        out[0],
        org.users.annotator.id,
      ]);
      return out;
    });
    [projectA, projectB] = ids as [string, string];
  });
  afterAll(() => ds.destroy());

  it('shows a member the rows of their project and nothing of the others', async () => {
    for (const table of DATA_TABLES) {
      expect(await count(scope('annotator'), table, projectA), table).toBeGreaterThan(0);
      expect(await count(scope('annotator'), table, projectB), table).toBe(0);
      expect(await count(scope('reviewer'), table, projectA), `${table}: the reviewer is in no project`).toBe(0);
    }
  });

  it('applies to managers too: only the projects they are members of', async () => {
    expect(await count(scope('manager'), 'tasks', projectB)).toBe(3);
    await db.inTenant(scope('system'), () =>
      db.exec('DELETE FROM project_members WHERE project_id = $1 AND user_id = $2', [projectB, org.users.manager.id]),
    );
    try {
      for (const table of DATA_TABLES) expect(await count(scope('manager'), table, projectB), table).toBe(0);
    } finally {
      await db.inTenant(scope('system'), () =>
        db.exec(`INSERT INTO project_members (org_id, project_id, user_id, role) VALUES ($1, $2, $3, 'manager')`, [
          org.orgId,
          projectB,
          org.users.manager.id,
        ]),
      );
    }
  });

  it('shows owners, admins and the system every project of the tenant', async () => {
    for (const role of ['owner', 'admin', 'system'] as const) {
      for (const table of DATA_TABLES) {
        expect(await count(scope(role), table, projectA), `${role} ${table}`).toBeGreaterThan(0);
        expect(await count(scope(role), table, projectB), `${role} ${table}`).toBeGreaterThan(0);
      }
    }
  });

  it('shows nothing to a scope without a role or a user', async () => {
    expect(await count(scope(''), 'tasks', projectA)).toBe(0);
    expect(await count({ orgId: org.orgId, userId: null, role: 'annotator' }, 'tasks', projectA)).toBe(0);
  });

  it('refuses writes into a project one is not a member of', async () => {
    const insert = db.inTenant(scope('annotator'), () =>
      db.exec(`INSERT INTO tasks (org_id, project_id, data) VALUES ($1, $2, '{"text": "smuggled"}')`, [org.orgId, projectB]),
    );
    await expect(insert).rejects.toThrow(/row-level security/);
    const moved = await db.inTenant(scope('annotator'), () =>
      db.exec('UPDATE tasks SET priority = 99 WHERE project_id = $1', [projectB]),
    );
    expect(moved).toBe(0);
    // Moving one's own project's task into another project is refused by WITH CHECK.
    const move = db.inTenant(scope('annotator'), () => db.exec('UPDATE tasks SET project_id = $1 WHERE project_id = $2', [projectB, projectA]));
    await expect(move).rejects.toThrow(/row-level security/);
  });
});

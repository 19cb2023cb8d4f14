import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createTestOrg, openAppDataSource, type TestOrg } from '../../test/fixtures';
import { Db, type TenantScope } from '../core/db/tenant';

interface Summary {
  lease_count: number;
  expired: boolean | null;
}

/**
 * The lease summary on `tasks` (migration request-path): kept exact by a trigger whatever writes
 * `task_leases`, and read by `queue_lease_next` only to skip tasks that are certainly full. Run as
 * the runtime role, under row-level security, as the API writes leases.
 */
describe('lease summary', () => {
  let ds: DataSource;
  let db: Db;
  let org: TestOrg;
  let projectId: string;
  let tasks: string[];
  const system = (): TenantScope => ({ orgId: org.orgId, userId: null, role: 'system' });
  const as = (user: { id: string }, role = 'annotator'): TenantScope => ({ orgId: org.orgId, userId: user.id, role });

  const summary = (taskId: string) =>
    db.inTenant(system(), async () => {
      const [row] = await db.sql<Summary>('SELECT lease_count, lease_first_expiry <= now() AS expired FROM tasks WHERE id = $1', [taskId]);
      return row!;
    });
  const lease = (taskId: string, userId: string, interval: string) =>
    db.inTenant(system(), () =>
      db.sql(`INSERT INTO task_leases (org_id, project_id, task_id, user_id, expires_at) VALUES ($1, $2, $3, $4, now() + $5::interval)`, [
        org.orgId,
        projectId,
        taskId,
        userId,
        interval,
      ]),
    );
  /** What `next` hands this user now (overlap 2), or null. */
  const next = (user: { id: string }) =>
    db.inTenant(as(user), async () => {
      const [row] = await db.sql<{ task_id: string }>('SELECT task_id FROM queue_lease_next($1, 2, 900, false, false)', [projectId]);
      return row?.task_id ?? null;
    });

  beforeAll(async () => {
    ds = await openAppDataSource(inject('appUrl'));
    db = new Db(ds);
    org = await createTestOrg(db);
    ({ projectId, tasks } = await db.inTenant(system(), async () => {
      const [p] = await db.sql<{ id: string }>(
        `INSERT INTO projects (org_id, name, label_config, created_by) VALUES ($1, 'lease summary', '{}'::jsonb, $2) RETURNING id`,
        [org.orgId, org.users.owner.id],
      );
      for (const u of [org.users.annotator, org.users.reviewer, org.users.manager, org.users.admin]) {
        await db.sql(`INSERT INTO project_members (org_id, project_id, user_id, role) VALUES ($1, $2, $3, 'annotator')`, [org.orgId, p!.id, u.id]);
      }
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const [t] = await db.sql<{ id: string }>(`INSERT INTO tasks (org_id, project_id, data) VALUES ($1, $2, $3) RETURNING id`, [
          org.orgId,
          p!.id,
          { text: `task ${i}` },
        ]);
        ids.push(t!.id);
      }
      return { projectId: p!.id, tasks: ids };
    }));
  });
  afterAll(() => ds.destroy());

  it('counts the lease rows of a task and their earliest expiry through inserts, updates and deletes', async () => {
    const [t] = tasks;
    expect(await summary(t!)).toEqual({ lease_count: 0, expired: null });
    await lease(t!, org.users.reviewer.id, '10 minutes');
    await lease(t!, org.users.manager.id, '20 minutes');
    expect(await summary(t!)).toEqual({ lease_count: 2, expired: false });
    await db.inTenant(system(), () =>
      db.sql(`UPDATE task_leases SET expires_at = now() - interval '1 second' WHERE task_id = $1 AND user_id = $2`, [t, org.users.reviewer.id]),
    );
    expect(await summary(t!)).toEqual({ lease_count: 2, expired: true });
    await db.inTenant(system(), () => db.sql('DELETE FROM task_leases WHERE task_id = $1 AND user_id = $2', [t, org.users.reviewer.id]));
    expect(await summary(t!)).toEqual({ lease_count: 1, expired: false });
    await db.inTenant(system(), () => db.sql('DELETE FROM task_leases WHERE task_id = $1', [t]));
    expect(await summary(t!)).toEqual({ lease_count: 0, expired: null });
  });

  it('lets the queue pass over a full task, and offers it again once one of its leases expires', async () => {
    const [first, second] = tasks;
    // The first task is full: two live leases at overlap 2. The annotator is handed the second.
    await lease(first!, org.users.reviewer.id, '10 minutes');
    await lease(first!, org.users.manager.id, '10 minutes');
    expect(await next(org.users.annotator)).toBe(second);
    // A full task whose lease expired has room again: the summary sends it to the exact count.
    await db.inTenant(system(), () =>
      db.sql(`UPDATE task_leases SET expires_at = now() - interval '1 second' WHERE task_id = $1 AND user_id = $2`, [first, org.users.manager.id]),
    );
    expect(await next(org.users.admin)).toBe(first);
    // Its lease is now the admin's, taken under the annotator-role policies the API runs with.
    expect(await summary(first!)).toEqual({ lease_count: 3, expired: true });
  });
});

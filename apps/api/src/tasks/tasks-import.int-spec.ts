import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { LabelConfigInput, OrgRole } from '@enclave/contracts';
import { parseLabelConfig } from '@enclave/contracts';
import { createTestOrg, openAppDataSource, type TestOrg } from '../../test/fixtures';
import { AuditService } from '../core/audit/audit.service';
import { abilityFor } from '../core/authz/authz';
import { loadConfig } from '../core/config/config';
import { Db, type TenantScope } from '../core/db/tenant';
import { AppError } from '../core/errors/app-error';
import type { Principal } from '../core/http/request-context';
import { ProjectAccess } from '../projects/project-access';
import { TasksImportService } from './tasks-import.service';

/**
 * The import against real PostgreSQL, connected as the runtime role: COPY runs on the request
 * transaction's own connection into a temporary staging table, the INSERT … SELECT into `tasks` is held
 * to row-level security, and a refused import leaves nothing behind.
 */
const CONFIG: LabelConfigInput = {
  fields: [{ name: 'text', type: 'text' }],
  questions: [{ name: 'sentiment', type: 'single_choice', options: ['pos', 'neg'] }],
};

describe('task import against PostgreSQL', () => {
  let ds: DataSource;
  let db: Db;
  let org: TestOrg;
  let service: TasksImportService;
  let projectId: string;
  let foreignProjectId: string;
  const config = loadConfig({ ENCLAVE_DATA_DIR: '/tmp', ENCLAVE_IMPORT_TIMEOUT_MINUTES: '30' });

  const scopeOf = (role: OrgRole | 'system'): TenantScope => ({
    orgId: org.orgId,
    userId: role === 'system' ? null : org.users[role].id,
    role,
  });
  const principal = (role: OrgRole): Principal => ({
    kind: 'user',
    id: org.users[role].id,
    orgId: org.orgId,
    role,
    email: org.users[role].email,
    name: role,
    orgSlug: org.slug,
    orgName: org.slug,
    via: 'session',
  });
  const body = (text: string, contentType = 'application/x-ndjson') =>
    Object.assign(Readable.from([Buffer.from(text)]), { headers: { 'content-type': contentType } });
  const importAs = (role: OrgRole, project: string, text: string) =>
    db.inTenant(scopeOf(role), () =>
      service.importTasks(principal(role), abilityFor(principal(role)), project, body(text)),
    );
  const tasksIn = async (project: string) =>
    db.inTenant(scopeOf('system'), () =>
      db.sql<{ external_id: string | null; priority: number }>(
        'SELECT external_id, priority FROM tasks WHERE project_id = $1 ORDER BY seq',
        [project],
      ),
    );

  beforeAll(async () => {
    ds = await openAppDataSource(inject('appUrl'));
    db = new Db(ds);
    org = await createTestOrg(db);
    service = new TasksImportService(db, new ProjectAccess(db), new AuditService(db), config);
    const parsed = parseLabelConfig(CONFIG);
    if (!parsed.ok) throw new Error('bad config');
    [projectId, foreignProjectId] = await db.inTenant(scopeOf('system'), async () => {
      const ids: string[] = [];
      for (const name of ['imports', 'no members']) {
        const [p] = await db.sql<{ id: string }>(
          'INSERT INTO projects (org_id, name, label_config, created_by) VALUES ($1, $2, $3::jsonb, $4) RETURNING id',
          [org.orgId, name, JSON.stringify(parsed.config), org.users.manager.id],
        );
        ids.push(p!.id);
      }
      await db.sql(
        `INSERT INTO project_members (org_id, project_id, user_id, role) VALUES ($1, $2, $3, 'manager')`,
        [org.orgId, ids[0], org.users.manager.id],
      );
      return ids as [string, string];
    });
  });
  afterAll(() => ds?.destroy());

  it('gives COPY the transaction’s own connection, and raises the statement timeout for that transaction only', async () => {
    const before = await db.inTenant(scopeOf('manager'), () =>
      db.sql<{ t: string }>('SHOW statement_timeout'),
    );
    await db.inTenant(scopeOf('manager'), async () => {
      const client = await db.pgClient();
      const [viaClient] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
      const [viaDb] = await db.sql<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      expect(viaClient!.pid).toBe(viaDb!.pid);
      const result = await service.importTasks(
        principal('manager'),
        abilityFor(principal('manager')),
        projectId,
        body('{"data":{"text":"a"}}\n'),
      );
      expect(result).toEqual({ imported: 1 });
      const [inside] = await db.sql<{ statement_timeout: string }>('SHOW statement_timeout');
      expect(inside!.statement_timeout).toBe('30min');
    });
    const after = await db.inTenant(scopeOf('manager'), () =>
      db.sql<{ t: string }>('SHOW statement_timeout'),
    );
    expect(after).toEqual(before);
    // the staging table went with its transaction
    const [gone] = await db.inTenant(scopeOf('manager'), () =>
      db.sql<{ t: string | null }>("SELECT to_regclass('pg_temp.import_staging')::text AS t"),
    );
    expect(gone!.t).toBeNull();
  });

  it('imports in file order with defaults, and leaves nothing when a row is bad', async () => {
    const [project] = await db.inTenant(scopeOf('system'), () =>
      db.sql<{ id: string }>(
        'INSERT INTO projects (org_id, name, label_config, created_by) SELECT org_id, $2, label_config, created_by FROM projects WHERE id = $1 RETURNING id',
        [projectId, 'ordered'],
      ),
    );
    const ok = '{"data":{"text":"1"},"externalId":"e1","priority":4}\n{"data":{"text":"2"}}\n';
    await expect(importAs('admin', project!.id, ok)).resolves.toEqual({ imported: 2 });
    expect(await tasksIn(project!.id)).toEqual([
      { external_id: 'e1', priority: 4 },
      { external_id: null, priority: 0 },
    ]);
    const bad = '{"data":{"text":"3"},"externalId":"e3"}\n{"data":{"text":"4"},"externalId":"e1"}\n';
    const err = await importAs('admin', project!.id, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).details).toEqual([
      { line: 2, path: 'externalId', message: 'externalId "e1" is already taken by a task of this project' },
    ]);
    expect(await tasksIn(project!.id)).toHaveLength(2);
  });

  it('refuses a manager who is not a member of the project (404 before any work)', async () => {
    const err = await importAs('manager', foreignProjectId, '{"data":{"text":"x"}}\n').catch(
      (e: unknown) => e,
    );
    expect((err as AppError).status).toBe(404);
  });

  describe('why a staging table', () => {
    it('COPY FROM straight into tasks is refused to the runtime role: tasks has row-level security', async () => {
      const attempt = db.inTenant(scopeOf('admin'), async () => {
        const client = await db.pgClient();
        await pipeline(
          Readable.from([`${org.orgId}\t${projectId}\t{"text":"x"}\n`]),
          client.query(copyFrom('COPY tasks (org_id, project_id, data) FROM STDIN')),
        );
      });
      await expect(attempt).rejects.toThrow(/row-level security/);
    });

    it('the INSERT … SELECT from staging is held to the membership policy', async () => {
      const attempt = db.inTenant(scopeOf('manager'), async () => {
        await db.sql('CREATE TEMP TABLE s (data jsonb) ON COMMIT DROP');
        await db.sql(`INSERT INTO s VALUES ('{"text":"smuggled"}')`);
        await db.exec('INSERT INTO tasks (org_id, project_id, data) SELECT $1, $2, data FROM s', [
          org.orgId,
          foreignProjectId,
        ]);
      });
      await expect(attempt).rejects.toThrow(/row-level security/);
      expect(await tasksIn(foreignProjectId)).toEqual([]);
    });
  });
});

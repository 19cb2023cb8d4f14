import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { OrgRole } from '@enclave/contracts';
import { AuditService } from '../src/core/audit/audit.service';
import { hashPassword } from '../src/core/auth/passwords';
import { Db } from '../src/core/db/tenant';
import { hash32 } from './pg';

/** The runtime role's pool, as the API opens it. */
export async function openAppDataSource(appUrl: string, poolSize = 4): Promise<DataSource> {
  const ds = new DataSource({ type: 'postgres', url: appUrl, poolSize, extra: { max: poolSize }, logging: false });
  await ds.initialize();
  return ds;
}

export const TEST_PASSWORD = 'integration test passphrase';
let hashed: Promise<string> | undefined;

export interface TestUser {
  id: string;
  email: string;
  role: OrgRole;
  password: string;
}

export interface TestOrg {
  orgId: string;
  slug: string;
  users: Record<OrgRole, TestUser>;
}

/**
 * A new organization with one user per role, written through the runtime role under the new
 * organization's scope, exactly as the operator's "create organization" does. Each test makes its own.
 */
export async function createTestOrg(db: Db, audit = new AuditService(db)): Promise<TestOrg> {
  hashed ??= hashPassword(TEST_PASSWORD);
  const passwordHash = await hashed;
  const orgId = randomUUID();
  const slug = `t-${randomBytes(6).toString('hex')}`;
  const users = {} as Record<OrgRole, TestUser>;
  await db.inTenant({ orgId, userId: null, role: 'system' }, async () => {
    await db.sql('INSERT INTO organizations (org_id, name, slug) VALUES ($1, $2, $3)', [orgId, `Org ${slug}`, slug]);
    await audit.append({ action: 'org.created', targetType: 'organization', targetId: orgId });
    for (const role of ['owner', 'admin', 'manager', 'reviewer', 'annotator'] as const) {
      const email = `${role}.${slug}@example.test`;
      await db.sql('INSERT INTO email_directory (email) VALUES ($1)', [email]);
      const [row] = await db.sql<{ id: string }>(
        'INSERT INTO users (org_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING id',
        [orgId, email, `${role} of ${slug}`, role, passwordHash],
      );
      users[role] = { id: row!.id, email, role, password: TEST_PASSWORD };
    }
  });
  return { orgId, slug, users };
}

export interface ProjectRows {
  projectId: string;
  taskIds: string[];
  assetId: string;
  annotationIds: string[];
}

/**
 * Rows in every project table for `org`, written as the system: one project with its configuration and
 * the annotator as a member, `tasks` tasks with a lease on the first, an asset, and the annotator's work
 * (an annotation with its revision on every task, a skip, a review by the reviewer, a gold score and a
 * qualification). For the tests that need every tenant table populated.
 */
export async function addProjectRows(db: Db, org: TestOrg, tasks: number): Promise<ProjectRows> {
  return db.inTenant({ orgId: org.orgId, userId: null, role: 'system' }, async () => {
    const [p] = await db.sql<{ id: string }>(
      `INSERT INTO projects (org_id, name, label_config, created_by) VALUES ($1, 'isolation', '{}'::jsonb, $2) RETURNING id`,
      [org.orgId, org.users.owner.id],
    );
    const projectId = p!.id;
    await db.sql(
      `INSERT INTO project_configs (org_id, project_id, version, label_config, created_by) VALUES ($1, $2, 1, '{}'::jsonb, $3)`,
      [org.orgId, projectId, org.users.owner.id],
    );
    await db.sql(`INSERT INTO project_members (org_id, project_id, user_id, role) VALUES ($1, $2, $3, 'annotator')`, [
      org.orgId,
      projectId,
      org.users.annotator.id,
    ]);
    const taskIds: string[] = [];
    for (let i = 0; i < tasks; i++) {
      const [t] = await db.sql<{ id: string }>(
        `INSERT INTO tasks (org_id, project_id, data) VALUES ($1, $2, $3) RETURNING id`,
        [org.orgId, projectId, { text: `task ${i}` }],
      );
      taskIds.push(t!.id);
    }
    await db.sql(
      `INSERT INTO task_leases (org_id, project_id, task_id, user_id, expires_at) VALUES ($1, $2, $3, $4, now() + interval '5 minutes')`,
      [org.orgId, projectId, taskIds[0], org.users.annotator.id],
    );
    const [asset] = await db.sql<{ id: string }>(
      `INSERT INTO assets (org_id, project_id, sha256, media_type, byte_size, width, height, created_by)
       VALUES ($1, $2, $3, 'image/png', 10, 1, 1, $4) RETURNING id`,
      [org.orgId, projectId, hash32().toString('hex'), org.users.owner.id],
    );
    const annotationIds: string[] = [];
    for (const taskId of taskIds) {
      const [ann] = await db.sql<{ id: string }>(
        `INSERT INTO annotations (org_id, project_id, task_id, user_id, status, result, config_version, revision)
         VALUES ($1, $2, $3, $4, 'submitted', '{}'::jsonb, 1, 1) RETURNING id`,
        [org.orgId, projectId, taskId, org.users.annotator.id],
      );
      await db.sql(
        `INSERT INTO annotation_revisions (org_id, annotation_id, revision, project_id, task_id, annotator_id, author_id, kind, result, config_version)
         VALUES ($1, $2, 1, $3, $4, $5, $5, 'submission', '{}'::jsonb, 1)`,
        [org.orgId, ann!.id, projectId, taskId, org.users.annotator.id],
      );
      annotationIds.push(ann!.id);
    }
    await db.sql(`INSERT INTO task_skips (org_id, project_id, task_id, user_id) VALUES ($1, $2, $3, $4)`, [
      org.orgId,
      projectId,
      taskIds[0],
      org.users.annotator.id,
    ]);
    await db.sql(
      `INSERT INTO reviews (org_id, project_id, annotation_id, task_id, annotator_id, reviewer_id, verdict, comment)
       VALUES ($1, $2, $3, $4, $5, $6, 'reject', 'no')`,
      [org.orgId, projectId, annotationIds[0], taskIds[0], org.users.annotator.id, org.users.reviewer.id],
    );
    await db.sql(`INSERT INTO gold_scores (org_id, project_id, task_id, user_id, annotation_id, score) VALUES ($1, $2, $3, $4, $5, 0.5)`, [
      org.orgId,
      projectId,
      taskIds[0],
      org.users.annotator.id,
      annotationIds[0],
    ]);
    await db.sql(`INSERT INTO qualifications (org_id, project_id, user_id, status, answered, accuracy) VALUES ($1, $2, $3, 'passed', 1, 1)`, [
      org.orgId,
      projectId,
      org.users.annotator.id,
    ]);
    return { projectId, taskIds, assetId: asset!.id, annotationIds };
  });
}

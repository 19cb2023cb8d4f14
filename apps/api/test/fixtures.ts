import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { OrgRole } from '@enclave/contracts';
import { AuditService } from '../src/core/audit/audit.service';
import { hashPassword } from '../src/core/auth/passwords';
import { Db } from '../src/core/db/tenant';

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

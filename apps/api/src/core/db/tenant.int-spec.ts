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
});

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createTestOrg, openAppDataSource, type TestOrg } from '../../../test/fixtures';
import { hash32, withClient } from '../../../test/pg';
import { Db } from '../db/tenant';

/**
 * The only paths that read across tenants before a tenant is known: the SECURITY DEFINER lookups of
 * the core migration, called by the runtime role with no tenant. Each returns at most one principal,
 * nothing for unknown input, and nothing for a principal that may not sign in any more.
 */
describe('pre-tenant lookup functions', () => {
  let ds: DataSource;
  let db: Db;
  let org: TestOrg;
  let suspended: TestOrg;
  const IDLE = 3600;

  const scopeOf = (o: TestOrg) => ({ orgId: o.orgId, userId: null, role: 'system' });
  const resolveSession = (hash: Buffer | null) =>
    db.preTenant<{ kind: string; principal_id: string; org_id: string; role: string; session_id: string }>(
      'SELECT * FROM auth_resolve_session($1, $2)',
      [hash, IDLE],
    );
  const resolveToken = (hash: Buffer | null) =>
    db.preTenant<{ token_id: string; principal_id: string; org_id: string; scopes: string[] }>('SELECT * FROM auth_resolve_token($1)', [hash]);
  const findLogin = (email: string | null) =>
    db.preTenant<{ kind: string; principal_id: string; org_id: string; user_status: string; org_status: string }>(
      'SELECT * FROM auth_find_login($1)',
      [email],
    );

  /** A session row written directly, as AuthService.login does; returns the hash the cookie maps to. */
  async function addSession(o: TestOrg, userId: string, opts: { expires?: string; revoked?: boolean; lastSeen?: string } = {}) {
    const hash = hash32();
    await db.inTenant(scopeOf(o), () =>
      db.sql(
        `INSERT INTO sessions (org_id, user_id, token_hash, csrf_hash, expires_at, revoked_at, last_seen_at)
         VALUES ($1, $2, $3, $4, now() + $5::interval, CASE WHEN $6 THEN now() END, now() - $7::interval)`,
        [o.orgId, userId, hash, hash32(), opts.expires ?? '1 hour', opts.revoked ?? false, opts.lastSeen ?? '0 seconds'],
      ),
    );
    return hash;
  }

  async function addToken(o: TestOrg, userId: string, opts: { expires?: string; revoked?: boolean } = {}) {
    const hash = hash32();
    await db.inTenant(scopeOf(o), () =>
      db.sql(
        `INSERT INTO api_tokens (org_id, user_id, name, prefix, token_hash, scopes, expires_at, revoked_at)
         VALUES ($1, $2, 'lookup test', 'enc_look', $3, ARRAY['read'], now() + $4::interval, CASE WHEN $5 THEN now() END)`,
        [o.orgId, userId, hash, opts.expires ?? '1 day', opts.revoked ?? false],
      ),
    );
    return hash;
  }

  beforeAll(async () => {
    ds = await openAppDataSource(inject('appUrl'), 2);
    db = new Db(ds);
    org = await createTestOrg(db);
    suspended = await createTestOrg(db);
    // The annotator of `org` is disabled; `suspended` is suspended. Everyone else is active.
    await db.inTenant(scopeOf(org), () => db.sql(`UPDATE users SET status = 'disabled' WHERE id = $1`, [org.users.annotator.id]));
    await db.inTenant(scopeOf(suspended), () => db.sql(`UPDATE organizations SET status = 'suspended' WHERE org_id = $1`, [suspended.orgId]));
  });
  afterAll(() => ds.destroy());

  describe('auth_find_login', () => {
    it('returns exactly the one user behind a known e-mail, whatever its case', async () => {
      const expected = [
        expect.objectContaining({ kind: 'user', principal_id: org.users.admin.id, org_id: org.orgId, user_status: 'active', org_status: 'active' }),
      ];
      expect(await findLogin(org.users.admin.email)).toEqual(expected);
      expect(await findLogin(org.users.admin.email.toUpperCase())).toEqual(expected);
    });

    it('returns nothing for an unknown, empty, NULL or wildcard e-mail', async () => {
      for (const email of ['nobody@example.test', '', null, '%', `%${org.slug}%`, `' OR '1'='1`]) {
        expect(await findLogin(email)).toEqual([]);
      }
    });

    it("reports a disabled user's and a suspended organization's status, for the service to refuse", async () => {
      expect(await findLogin(org.users.annotator.email)).toEqual([expect.objectContaining({ user_status: 'disabled' })]);
      expect(await findLogin(suspended.users.owner.email)).toEqual([expect.objectContaining({ org_status: 'suspended' })]);
    });
  });

  describe('auth_resolve_session', () => {
    it('returns the one principal of a live session', async () => {
      const hash = await addSession(org, org.users.reviewer.id);
      const rows = await resolveSession(hash);
      expect(rows).toEqual([
        expect.objectContaining({ kind: 'user', principal_id: org.users.reviewer.id, org_id: org.orgId, role: 'reviewer' }),
      ]);
    });

    it('returns nothing for a random hash or NULL', async () => {
      await addSession(org, org.users.reviewer.id);
      expect(await resolveSession(hash32())).toEqual([]);
      expect(await resolveSession(null)).toEqual([]);
    });

    it('does not resolve a revoked, an expired or an idle session', async () => {
      const revoked = await addSession(org, org.users.manager.id, { revoked: true });
      const expired = await addSession(org, org.users.manager.id, { expires: '-1 second' });
      const idle = await addSession(org, org.users.manager.id, { lastSeen: `${IDLE + 60} seconds` });
      expect(await resolveSession(revoked)).toEqual([]);
      expect(await resolveSession(expired)).toEqual([]);
      expect(await resolveSession(idle)).toEqual([]);
    });

    it("does not resolve a disabled user's session", async () => {
      expect(await resolveSession(await addSession(org, org.users.annotator.id))).toEqual([]);
    });

    it("does not resolve a session in a suspended organization", async () => {
      expect(await resolveSession(await addSession(suspended, suspended.users.owner.id))).toEqual([]);
    });

    it('refreshes the idle clock of a live session it resolves', async () => {
      const hash = await addSession(org, org.users.owner.id, { lastSeen: '10 minutes' });
      expect(await resolveSession(hash)).toHaveLength(1);
      const [row] = await db.inTenant(scopeOf(org), () =>
        db.sql<{ stale: boolean }>(`SELECT last_seen_at < now() - interval '1 minute' AS stale FROM sessions WHERE token_hash = $1`, [hash]),
      );
      expect(row).toEqual({ stale: false });
    });
  });

  describe('auth_resolve_token', () => {
    it('returns the one principal and scopes of a live token', async () => {
      const hash = await addToken(org, org.users.manager.id);
      expect(await resolveToken(hash)).toEqual([
        expect.objectContaining({ principal_id: org.users.manager.id, org_id: org.orgId, scopes: ['read'] }),
      ]);
    });

    it('returns nothing for a random hash or NULL', async () => {
      await addToken(org, org.users.manager.id);
      expect(await resolveToken(hash32())).toEqual([]);
      expect(await resolveToken(null)).toEqual([]);
    });

    it("does not resolve a revoked or expired token, a disabled user's, or one of a suspended organization", async () => {
      expect(await resolveToken(await addToken(org, org.users.manager.id, { revoked: true }))).toEqual([]);
      expect(await resolveToken(await addToken(org, org.users.manager.id, { expires: '-1 second' }))).toEqual([]);
      expect(await resolveToken(await addToken(org, org.users.annotator.id))).toEqual([]);
      expect(await resolveToken(await addToken(suspended, suspended.users.owner.id))).toEqual([]);
    });
  });

  describe('what the runtime role cannot do around them', () => {
    it('cannot become enclave_auth, the owner of the lookups', async () => {
      await withClient(inject('appUrl'), async (c) => {
        await expect(c.query('SET ROLE enclave_auth')).rejects.toThrow(/permission denied to set role/);
      });
    });

    it('cannot make a lookup read a temporary table of its own instead of the real one', async () => {
      // The attack a pinned search_path without pg_temp last would allow: one SQL injection plants
      // temporary tables on a pooled connection, and from then on any forged cookie resolves to an owner.
      const forgedEmail = `forged-${org.slug}@example.test`;
      const forgedHash = hash32();
      await withClient(inject('appUrl'), async (c) => {
        await c.query('CREATE TEMP TABLE organizations (LIKE public.organizations)');
        await c.query('CREATE TEMP TABLE users (LIKE public.users)');
        await c.query('CREATE TEMP TABLE sessions (LIKE public.sessions)');
        await c.query('GRANT SELECT, UPDATE ON pg_temp.organizations, pg_temp.users, pg_temp.sessions TO enclave_auth');
        await c.query(`INSERT INTO pg_temp.organizations (org_id, name, slug, status, created_at, updated_at)
                       VALUES ($1, 'forged', 'forged', 'active', now(), now())`, [org.orgId]);
        await c.query(
          `INSERT INTO pg_temp.users (org_id, id, email, name, role, status, password_hash, password_changed_at, created_at, updated_at)
           VALUES ($1, $2, $3, 'forged', 'owner', 'active', 'forged', now(), now(), now())`,
          [org.orgId, org.users.owner.id, forgedEmail],
        );
        await c.query(
          `INSERT INTO pg_temp.sessions (org_id, id, user_id, token_hash, csrf_hash, created_at, last_seen_at, expires_at)
           VALUES ($1, gen_random_uuid(), $2, $3, $3, now(), now(), now() + interval '1 hour')`,
          [org.orgId, org.users.owner.id, forgedHash],
        );
        expect((await c.query('SELECT * FROM auth_find_login($1)', [forgedEmail])).rows).toEqual([]);
        expect((await c.query('SELECT * FROM auth_resolve_session($1, 3600)', [forgedHash])).rows).toEqual([]);
        // The real tables are still what the functions read on this very connection.
        expect((await c.query('SELECT principal_id FROM auth_find_login($1)', [org.users.owner.email])).rows).toEqual([
          { principal_id: org.users.owner.id },
        ]);
      });
    });
  });
});

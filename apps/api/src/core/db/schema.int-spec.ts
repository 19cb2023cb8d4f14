import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { TENANT_TABLES_SQL } from '../../../test/isolation';
import { roleOf } from '../../../test/pg';
import { assertRuntimeRoleIsSafe } from './bootstrap';

/**
 * The catalog, read as the migrator: what every migration must keep true, for every table, including
 * the ones later migrations add. A new tenant table without its RLS, policy, keys or grants fails here.
 */
const CORE_TENANT_TABLES = ['api_tokens', 'audit_events', 'organizations', 'sessions', 'users'];
const CORE_DEFINER_FUNCTIONS = [
  'auth_find_login(text)',
  'auth_resolve_session(bytea,integer)',
  'auth_resolve_token(bytea)',
  'platform_find_org(uuid)',
  'platform_list_orgs(text,integer)',
  'platform_org_id_by_slug(text)',
];
/** A policy expression that scopes by tenant: org_id compared with the transaction's tenant. */
const SCOPES_BY_TENANT = /\borg_id\b/;
const READS_TENANT = /app_current_org\(\)|current_setting\('app\.org_id'/;
/** The schemas of a function's pinned search_path (its proconfig entry), in order; [] when unpinned. */
function searchPathOf(config: string[] | null): string[] {
  const entry = config?.find((s) => s.startsWith('search_path='));
  return entry ? entry.slice('search_path='.length).split(',').map((p) => p.trim().replace(/^"|"$/g, '')) : [];
}
const scopesByTenant = (expr: string | null) => !!expr && SCOPES_BY_TENANT.test(expr) && READS_TENANT.test(expr);

describe('schema invariants (catalog)', () => {
  let c: pg.Client;
  let tenantTables: string[];
  const appRole = roleOf(inject('appUrl'));

  beforeAll(async () => {
    c = new pg.Client({ connectionString: inject('migratorUrl') });
    await c.connect();
    tenantTables = (await c.query<{ table: string }>(TENANT_TABLES_SQL)).rows.map((r) => r.table);
  });
  afterAll(() => c.end());

  it('finds the tenant tables by their org_id column', () => {
    expect(tenantTables).toEqual(expect.arrayContaining(CORE_TENANT_TABLES));
  });

  it('enables and forces row-level security on every tenant table', async () => {
    const { rows } = await c.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      `SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
        WHERE relnamespace = 'public'::regnamespace AND relname = ANY($1) ORDER BY relname`,
      [tenantTables],
    );
    expect(rows.length).toBe(tenantTables.length);
    const unforced = rows.filter((r) => !r.relrowsecurity || !r.relforcerowsecurity).map((r) => r.relname);
    expect(unforced).toEqual([]);
  });

  it('gives every tenant table a policy whose USING and WITH CHECK both compare org_id with the tenant', async () => {
    const { rows } = await c.query<{ tablename: string; qual: string | null; with_check: string | null }>(
      `SELECT tablename, qual, with_check FROM pg_policies WHERE schemaname = 'public'`,
    );
    const missing = tenantTables.filter(
      (t) => !rows.some((p) => p.tablename === t && scopesByTenant(p.qual) && scopesByTenant(p.with_check)),
    );
    expect(missing).toEqual([]);
  });

  it('has no permissive policy that would let the runtime role past the tenant check', async () => {
    // Permissive policies are OR-ed: one `USING (true)` that applies to the runtime role undoes the rest.
    const { rows } = await c.query<{
      tablename: string;
      policyname: string;
      cmd: string;
      qual: string | null;
      with_check: string | null;
      applies: boolean;
    }>(
      `SELECT p.tablename, p.policyname, p.cmd, p.qual, p.with_check,
              EXISTS (SELECT 1 FROM unnest(p.roles::text[]) r
                       WHERE r = 'public' OR pg_has_role($1, r, 'MEMBER')) AS applies
         FROM pg_policies p
        WHERE p.schemaname = 'public' AND p.permissive = 'PERMISSIVE' AND p.tablename = ANY($2)`,
      [appRole, tenantTables],
    );
    const applying = rows.filter((p) => p.applies);
    expect(applying.length).toBeGreaterThanOrEqual(tenantTables.length);
    const loose = applying
      .filter((p) => {
        const readsRows = p.cmd !== 'INSERT';
        const writesRows = ['ALL', 'INSERT', 'UPDATE'].includes(p.cmd);
        return (readsRows && !scopesByTenant(p.qual)) || (writesRows && !scopesByTenant(p.with_check ?? p.qual));
      })
      .map((p) => `${p.tablename}.${p.policyname}`);
    expect(loose).toEqual([]);
  });

  it('starts the primary key of every tenant table with org_id', async () => {
    const { rows } = await c.query<{ relname: string; first: string }>(
      `SELECT c.relname, a.attname AS first
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indisprimary AND c.relnamespace = 'public'::regnamespace AND c.relname = ANY($1)`,
      [tenantTables],
    );
    const firstKey = Object.fromEntries(rows.map((r) => [r.relname, r.first]));
    const wrong = tenantTables.filter((t) => firstKey[t] !== 'org_id').map((t) => `${t} (${firstKey[t] ?? 'no primary key'})`);
    expect(wrong).toEqual([]);
  });

  it('carries org_id in every foreign key of a tenant table, matched to the referenced org_id', async () => {
    const { rows } = await c.query<{ conname: string; relname: string; cols: string[]; ref_cols: string[] }>(
      `SELECT con.conname, c.relname,
              array_agg(la.attname::text ORDER BY k.ord) AS cols,
              array_agg(ra.attname::text ORDER BY k.ord) AS ref_cols
         FROM pg_constraint con
         JOIN pg_class c ON c.oid = con.conrelid
         CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(l, f, ord)
         JOIN pg_attribute la ON la.attrelid = con.conrelid AND la.attnum = k.l
         JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.f
        WHERE con.contype = 'f' AND c.relnamespace = 'public'::regnamespace AND c.relname = ANY($1)
        GROUP BY con.conname, c.relname`,
      [tenantTables],
    );
    // users→organizations, sessions→users, api_tokens→users, audit_events→organizations at least.
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const withoutOrg = rows
      .filter((fk) => !fk.cols.some((col, i) => col === 'org_id' && fk.ref_cols[i] === 'org_id'))
      .map((fk) => `${fk.relname}.${fk.conname}`);
    expect(withoutOrg).toEqual([]);
  });

  it('creates every view of public with security_invoker', async () => {
    const { rows } = await c.query<{ relname: string }>(
      `SELECT relname FROM pg_class
        WHERE relnamespace = 'public'::regnamespace AND relkind IN ('v', 'm')
          AND NOT coalesce('security_invoker=true' = ANY(reloptions) OR 'security_invoker=on' = ANY(reloptions), false)`,
    );
    expect(rows.map((r) => r.relname)).toEqual([]);
  });

  describe('the runtime role', () => {
    it('is neither superuser nor BYPASSRLS, nor may create roles or databases (nor may any role it belongs to)', async () => {
      const { rows } = await c.query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean; rolcreatedb: boolean }>(
        `SELECT rolname, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE pg_has_role($1, oid, 'MEMBER')`,
        [appRole],
      );
      expect(rows.map((r) => r.rolname).sort()).toEqual([appRole, 'enclave_runtime'].sort());
      expect(rows.filter((r) => r.rolsuper || r.rolbypassrls || r.rolcreaterole || r.rolcreatedb)).toEqual([]);
    });

    it('is not a member of enclave_auth, which owns the cross-tenant lookups', async () => {
      const { rows } = await c.query<{ member: boolean }>(`SELECT pg_has_role($1, 'enclave_auth', 'MEMBER') AS member`, [appRole]);
      expect(rows[0]!.member).toBe(false);
    });

    it('owns nothing: no table, view, sequence, function, schema or database', async () => {
      const { rows } = await c.query<{ what: string }>(
        `SELECT 'relation ' || c.oid::regclass::text AS what FROM pg_class c
           WHERE pg_has_role($1, c.relowner, 'MEMBER') AND c.relnamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname LIKE 'pg_temp%' OR nspname LIKE 'pg_toast_temp%')
         UNION ALL
         SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p WHERE pg_has_role($1, p.proowner, 'MEMBER')
         UNION ALL
         SELECT 'schema ' || n.nspname FROM pg_namespace n
           WHERE pg_has_role($1, n.nspowner, 'MEMBER') AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'
         UNION ALL
         SELECT 'database ' || d.datname FROM pg_database d WHERE pg_has_role($1, d.datdba, 'MEMBER')`,
        [appRole],
      );
      expect(rows.map((r) => r.what)).toEqual([]);
    });

    it('may TRUNCATE no table at all, in any schema', async () => {
      const { rows } = await c.query<{ rel: string }>(
        `SELECT c.oid::regclass::text AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
            AND has_table_privilege($1, c.oid, 'TRUNCATE')`,
        [appRole],
      );
      expect(rows.map((r) => r.rel)).toEqual([]);
    });

    it('may only INSERT and SELECT the audit tables: no UPDATE, no DELETE', async () => {
      const { rows } = await c.query<{ tbl: string; sel: boolean; ins: boolean; upd: boolean; del: boolean }>(
        `SELECT t AS tbl, has_table_privilege($1, t, 'SELECT') AS sel, has_table_privilege($1, t, 'INSERT') AS ins,
                has_table_privilege($1, t, 'UPDATE') AS upd, has_table_privilege($1, t, 'DELETE') AS del
           FROM unnest(ARRAY['public.audit_events', 'public.platform_audit_events']) t`,
        [appRole],
      );
      expect(rows).toEqual([
        { tbl: 'public.audit_events', sel: true, ins: true, upd: false, del: false },
        { tbl: 'public.platform_audit_events', sel: true, ins: true, upd: false, del: false },
      ]);
      // Not even on a single column.
      const cols = await c.query(
        `SELECT attname FROM pg_attribute
          WHERE attrelid IN ('public.audit_events'::regclass, 'public.platform_audit_events'::regclass) AND attnum > 0
            AND has_column_privilege($1, attrelid, attnum, 'UPDATE')`,
        [appRole],
      );
      expect(cols.rows).toEqual([]);
    });

    it('may not create objects (no DDL): no CREATE on public nor on the database', async () => {
      const { rows } = await c.query<{ schema: boolean; database: boolean }>(
        `SELECT has_schema_privilege($1, 'public', 'CREATE') AS schema,
                has_database_privilege($1, current_database(), 'CREATE') AS database`,
        [appRole],
      );
      expect(rows[0]).toEqual({ schema: false, database: false });
    });

    it('passes the start-up guard, which refuses the migrator (a superuser)', async () => {
      await expect(assertRuntimeRoleIsSafe(inject('appUrl'))).resolves.toBeUndefined();
      await expect(assertRuntimeRoleIsSafe(inject('migratorUrl'))).rejects.toThrow(/is a superuser/);
    });
  });

  describe('SECURITY DEFINER functions', () => {
    let definers: { fn: string; config: string[] | null; public_exec: boolean; owner: string }[];

    beforeAll(async () => {
      definers = (
        await c.query(
          `SELECT p.oid::regprocedure::text AS fn, p.proconfig AS config, pg_get_userbyid(p.proowner) AS owner,
                  has_function_privilege('public', p.oid, 'EXECUTE') AS public_exec
             FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef ORDER BY 1`,
        )
      ).rows;
    });

    it('include the pre-tenant lookups', () => {
      expect(definers.map((d) => d.fn.replace(/ /g, ''))).toEqual(expect.arrayContaining(CORE_DEFINER_FUNCTIONS));
    });

    it('each pin search_path', () => {
      const unpinned = definers.filter((d) => !d.config?.some((s) => s.startsWith('search_path='))).map((d) => d.fn);
      expect(unpinned).toEqual([]);
    });

    it("name pg_temp last on that path, so a caller's temporary table cannot stand in for a real one", () => {
      // Unless pg_temp is named, PostgreSQL searches the caller's temporary schema FIRST for tables
      // (see "Writing SECURITY DEFINER Functions Safely" in the PostgreSQL manual).
      const tempFirst = definers
        .filter((d) => {
          const path = searchPathOf(d.config);
          return path.length === 0 || path[path.length - 1] !== 'pg_temp';
        })
        .map((d) => d.fn);
      expect(tempFirst).toEqual([]);
    });

    it('put only schemas on their search_path that the runtime role cannot create objects in', async () => {
      const schemas = new Set<string>();
      for (const d of definers) for (const s of searchPathOf(d.config)) if (s !== 'pg_temp') schemas.add(s);
      expect(schemas.size).toBeGreaterThan(0);
      const { rows } = await c.query<{ s: string }>(
        `SELECT s FROM unnest($2::text[]) s WHERE s = '$user' OR has_schema_privilege($1, s, 'CREATE')`,
        [appRole, [...schemas]],
      );
      expect(rows).toEqual([]);
    });

    it('are not executable by PUBLIC and are not owned by the runtime role', () => {
      expect(definers.filter((d) => d.public_exec).map((d) => d.fn)).toEqual([]);
      expect(definers.filter((d) => d.owner === appRole || d.owner === 'enclave_runtime').map((d) => d.fn)).toEqual([]);
    });
  });

  describe('the audit tables', () => {
    it('carry enabled append-only triggers against UPDATE, DELETE and TRUNCATE', async () => {
      const { rows } = await c.query<{ tbl: string; tgname: string; tgenabled: string }>(
        `SELECT tgrelid::regclass::text AS tbl, tgname, tgenabled FROM pg_trigger
          WHERE tgrelid IN ('public.audit_events'::regclass, 'public.platform_audit_events'::regclass) AND NOT tgisinternal
          ORDER BY 1, 2`,
      );
      expect(rows).toEqual([
        { tbl: 'audit_events', tgname: 'audit_events_append_only', tgenabled: 'O' },
        { tbl: 'audit_events', tgname: 'audit_events_no_truncate', tgenabled: 'O' },
        { tbl: 'platform_audit_events', tgname: 'platform_audit_events_append_only', tgenabled: 'O' },
        { tbl: 'platform_audit_events', tgname: 'platform_audit_events_no_truncate', tgenabled: 'O' },
      ]);
    });
  });
});

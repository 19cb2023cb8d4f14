import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { auditQuerySchema } from '@enclave/contracts';
import { createTestOrg, openAppDataSource, type TestOrg } from '../../../test/fixtures';
import { createScratchSchema, inTransaction, withClient } from '../../../test/pg';
import { AuditService } from '../audit/audit.service';
import { Db, type TenantScope } from './tenant';

/** The known traps of SPEC §3, each shown to be real and shown to be handled. */
describe('tenant-isolation traps (SPEC §3)', () => {
  let ds: DataSource;
  let db: Db;
  let a: TestOrg;
  let b: TestOrg;
  const scopeOf = (o: TestOrg | null): TenantScope => ({ orgId: o?.orgId ?? null, userId: null, role: 'system' });

  /** A pool of exactly one connection, so "the next request" provably runs on the same backend. */
  async function poolOfOne(): Promise<{ ds: DataSource; db: Db }> {
    const one = await openAppDataSource(inject('appUrl'), 1);
    return { ds: one, db: new Db(one) };
  }

  beforeAll(async () => {
    ds = await openAppDataSource(inject('appUrl'), 2);
    db = new Db(ds);
    a = await createTestOrg(db);
    b = await createTestOrg(db);
  });
  afterAll(() => ds.destroy());

  describe("(a) a transaction-local setting reads back as '' afterwards", () => {
    it("reads '' (not NULL) on the same pooled connection, and the policy then matches nothing instead of failing", async () => {
      const one = await poolOfOne();
      try {
        const inside = await one.db.inTenant(scopeOf(a), async () => {
          const [r] = await one.db.sql<{ pid: number; org: string }>(`SELECT pg_backend_pid() AS pid, current_setting('app.org_id', true) AS org`);
          return r!;
        });
        expect(inside.org).toBe(a.orgId);
        const [after] = (await one.ds.query(`SELECT pg_backend_pid() AS pid, current_setting('app.org_id', true) AS org`)) as {
          pid: number;
          org: string | null;
        }[];
        expect(after!.pid).toBe(inside.pid);
        expect(after!.org).toBe('');
        // A naive `current_setting(...)::uuid` policy would now throw on every query of this connection.
        await expect(one.ds.query(`SELECT current_setting('app.org_id', true)::uuid`)).rejects.toThrow(/invalid input syntax for type uuid/);
        // The real policy treats '' as "no tenant".
        expect(await one.ds.query('SELECT app_current_org() AS org')).toEqual([{ org: null }]);
        expect(await one.ds.query('SELECT * FROM users')).toEqual([]);
        expect(await one.ds.query('SELECT * FROM audit_events')).toEqual([]);
      } finally {
        await one.ds.destroy();
      }
    });
  });

  describe('(b) a view without security_invoker runs with its owner\'s rights', () => {
    let scratch: { name: string; drop(): Promise<void> };
    beforeAll(async () => {
      scratch = await createScratchSchema(inject('migratorUrl'));
    });
    afterAll(() => scratch?.drop());

    it('leaks other tenants\' users through a definer-rights view, and not through a security_invoker view', async () => {
      const leaky = `${scratch.name}.users_directory`;
      const safe = `${scratch.name}.users_directory_invoker`;
      await withClient(inject('migratorUrl'), async (c) => {
        // The leak needs an owner that RLS does not bind: the migrator here, a superuser.
        const [me] = (await c.query<{ ok: boolean }>('SELECT rolsuper OR rolbypassrls AS ok FROM pg_roles WHERE rolname = current_user')).rows;
        expect(me!.ok).toBe(true);
        await c.query(`CREATE VIEW ${leaky} AS SELECT org_id, id, email FROM public.users`);
        await c.query(`CREATE VIEW ${safe} WITH (security_invoker = true) AS SELECT org_id, id, email FROM public.users`);
        await c.query(`GRANT SELECT ON ${leaky}, ${safe} TO enclave_runtime`);
      });

      const [throughLeaky, throughSafe] = await db.inTenant(scopeOf(a), async () => [
        await db.sql<{ org_id: string }>(`SELECT DISTINCT org_id FROM ${leaky}`),
        await db.sql<{ org_id: string }>(`SELECT org_id FROM ${safe}`),
      ]);
      const leakedOrgs = throughLeaky.map((r) => r.org_id);
      expect(leakedOrgs).toContain(b.orgId);
      expect(leakedOrgs).toContain(a.orgId);
      expect(throughSafe).toHaveLength(5);
      expect(new Set(throughSafe.map((r) => r.org_id))).toEqual(new Set([a.orgId]));

      await withClient(inject('migratorUrl'), (c) => c.query(`DROP VIEW ${leaky}, ${safe}`));
    });
  });

  describe('(d) a session-level set_config survives on a pooled connection', () => {
    it('carries into the next transactions of the same connection (why nothing may set it)', async () => {
      await withClient(inject('appUrl'), async (c) => {
        await c.query(`SELECT set_config('app.org_id', $1, false)`, [b.orgId]);
        for (let i = 0; i < 2; i++) {
          const rows = await inTransaction(c, () => c.query<{ org_id: string }>('SELECT DISTINCT org_id FROM users'));
          expect(rows.rows).toEqual([{ org_id: b.orgId }]);
        }
      });
    });

    it('is overridden by Db.inTenant for its own transaction, whichever scope it sets', async () => {
      const one = await poolOfOne();
      try {
        // A buggy earlier request leaves tenant B set for the whole session of the only connection.
        await one.ds.query(`SELECT set_config('app.org_id', $1, false)`, [b.orgId]);
        const asA = await one.db.inTenant(scopeOf(a), async () => ({
          orgs: (await one.db.sql<{ org_id: string }>('SELECT DISTINCT org_id FROM users')).map((r) => r.org_id),
          setting: (await one.db.sql<{ s: string }>(`SELECT current_setting('app.org_id') AS s`))[0]!.s,
        }));
        expect(asA).toEqual({ orgs: [a.orgId], setting: a.orgId });
        const asNobody = await one.db.inTenant(scopeOf(null), () => one.db.sql('SELECT * FROM users'));
        expect(asNobody).toEqual([]);
        // …and once inTenant's transaction ends, the leftover session value is back: only the
        // discipline of never setting it (next test) keeps queries outside inTenant safe.
        expect(await one.ds.query(`SELECT current_setting('app.org_id') AS s`)).toEqual([{ s: b.orgId }]);
      } finally {
        await one.ds.destroy();
      }
    });

    it('is never used by the application: every set_config in the sources is transaction-local', () => {
      const root = path.resolve(__dirname, '../../../../..');
      const files = ['apps/api/src', 'migrations/src', 'libs'].flatMap((dir) => sourceFiles(path.join(root, dir)));
      expect(files.length).toBeGreaterThan(10);
      const local: string[] = [];
      const sessionLevel: string[] = [];
      for (const file of files) {
        const text = fs.readFileSync(file, 'utf8');
        for (const call of setConfigCalls(text)) {
          const last = call.args[call.args.length - 1]?.trim();
          (last === 'true' ? local : sessionLevel).push(`${path.relative(root, file)}: set_config(${call.args.join(',')})`);
        }
        for (const m of text.matchAll(/\bSET\s+(SESSION\s+)?"?app\.\w+/gi)) sessionLevel.push(`${path.relative(root, file)}: ${m[0]}`);
      }
      expect(sessionLevel).toEqual([]);
      // The scan did find the tenant transaction's own calls, so it looks at the right files.
      expect(local.some((l) => l.startsWith('apps/api/src/core/db/tenant.ts'))).toBe(true);
    });
  });

  describe('(e) any role may call set_config, so filter values must stay data', () => {
    const hostile = (orgId: string) => `x'; select set_config('app.org_id','${orgId}',false); --`;

    it('refuses a hostile audit filter in the query schema', () => {
      const h = hostile(b.orgId);
      expect(auditQuerySchema.safeParse({ action: h }).success).toBe(false);
      expect(auditQuerySchema.safeParse({ actorId: h }).success).toBe(false);
      expect(auditQuerySchema.safeParse({ outcome: h }).success).toBe(false);
      expect(auditQuerySchema.safeParse({ action: 'org.created', orgId: b.orgId }).success).toBe(false);
      expect(auditQuerySchema.safeParse({ action: 'org.created' }).success).toBe(true);
    });

    it('matches nothing and switches no tenant even when a hostile value reaches AuditService.list', async () => {
      const one = await poolOfOne();
      try {
        const audit = new AuditService(one.db);
        const base = auditQuerySchema.parse({});
        const valid = await one.db.inTenant(scopeOf(a), () => audit.list({ ...base, action: 'org.created' }));
        expect(valid.items.map((e) => e.action)).toEqual(['org.created']);

        const page = await one.db.inTenant(scopeOf(a), () => audit.list({ ...base, action: hostile(b.orgId) }));
        expect(page).toEqual({ items: [], nextCursor: null });
        const outcome = await one.db.inTenant(scopeOf(a), () =>
          audit.list({ ...base, outcome: hostile(b.orgId) as unknown as typeof base.outcome }),
        );
        expect(outcome.items).toEqual([]);
        await expect(one.db.inTenant(scopeOf(a), () => audit.list({ ...base, cursor: hostile(b.orgId) }))).rejects.toThrow(
          /not a cursor this list returned/,
        );
        // The one connection carries no tenant afterwards: the string never ran as SQL.
        expect(await one.ds.query(`SELECT current_setting('app.org_id', true) AS s`)).toEqual([{ s: '' }]);
        expect(await one.ds.query('SELECT count(*)::int AS n FROM users')).toEqual([{ n: 0 }]);
      } finally {
        await one.ds.destroy();
      }
    });
  });
});

/** TypeScript and SQL sources under `dir`, without tests, builds and dependencies. */
function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', '.enclave'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|tsx|mts|sql)$/.test(entry.name) && !/\.(spec|int-spec)\.ts$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** Every `set_config(…)` call in `text`, with its top-level arguments. */
function setConfigCalls(text: string): { args: string[] }[] {
  const calls: { args: string[] }[] = [];
  const re = /set_config\s*\(/gi;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let depth = 1;
    let i = m.index + m[0].length;
    let current = '';
    const args: string[] = [];
    for (; i < text.length && depth > 0; i++) {
      const ch = text[i]!;
      if (ch === '(') depth++;
      if (ch === ')') depth--;
      if (depth === 0) break;
      if (ch === ',' && depth === 1) {
        args.push(current);
        current = '';
      } else current += ch;
    }
    args.push(current);
    calls.push({ args });
  }
  return calls;
}

import { randomBytes } from 'node:crypto';
import type { Db, TenantScope } from '../src/core/db/tenant';
import { hash32 } from './pg';

/** One organization's side of an isolation probe: how many rows it has and the key of one of them. */
export interface OrgSide {
  orgId: string;
  /** A user of the organization, for rows that reference one. */
  userId: string;
  /** How many rows of the table belong to the organization. */
  count: number;
  /** The value of the key column (after org_id) of one of its rows; unused when `keyColumn` is null. */
  key: unknown;
  /** A project, a task and an annotation of the organization, for rows that reference them. */
  projectId?: string;
  taskId?: string;
  annotationId?: string;
  /** The author of `annotationId` (the organization's annotator). */
  annotatorId?: string;
}

/** How to poke one tenant table: everything else in the probe is the same for every table. */
export interface TableProbe {
  /** Table name, schema-qualified when not in `public`. */
  table: string;
  /** The primary-key column after org_id (`id`, `seq`), or null when org_id alone is the key. */
  keyColumn: string | null;
  /** A harmless assignment for UPDATE probes (`name = name`). */
  touch: string;
  /** A valid INSERT of a new row that claims `side.orgId`. */
  insert(side: OrgSide): { sql: string; params: unknown[] };
  /** False when no new row of one's own organization can exist (organizations: one row per tenant). */
  ownInsertPossible?: boolean;
}

const RLS_REFUSAL = /new row violates row-level security policy/;
const PRIVILEGE_REFUSAL = /permission denied for (table|relation)/;

class Rollback extends Error {}

type Attempt<T> = { ok: true; value: T } | { ok: false; error: Error };

/** Runs `work` under `scope` and always rolls it back, reporting what the statement did or the error it raised. */
async function attempt<T>(db: Db, scope: TenantScope, work: () => Promise<T>): Promise<Attempt<T>> {
  let outcome: Attempt<T> | undefined;
  try {
    await db.inTenant(scope, async () => {
      outcome = { ok: true, value: await work() };
      throw new Rollback('probe rollback');
    });
  } catch (err) {
    if (!(err instanceof Rollback)) outcome = { ok: false, error: err as Error };
  }
  return outcome!;
}

const scopeOf = (orgId: string | null): TenantScope => ({ orgId, userId: null, role: 'system' });

/**
 * Probes one tenant table from tenant A's scope against tenant B's rows and returns every way the
 * isolation failed, as readable sentences (an empty list means the table is isolated). Every write is
 * rolled back, so the probe can run against tables that leak. It is deliberately the same function
 * for the real tables and for the broken scratch tables that prove it reports leaks.
 */
export async function findIsolationLeaks(db: Db, probe: TableProbe, a: OrgSide, b: OrgSide): Promise<string[]> {
  const problems: string[] = [];
  const t = probe.table;
  const asA = scopeOf(a.orgId);

  // 1. What A's scope sees at all.
  const seen = await db.inTenant(asA, () =>
    db.sql<{ org_id: string; n: number }>(`SELECT org_id::text AS org_id, count(*)::int AS n FROM ${t} GROUP BY org_id`),
  );
  for (const row of seen) {
    if (row.org_id !== a.orgId) problems.push(`${t}: tenant A's scope sees ${row.n} row(s) of another tenant`);
  }
  const own = seen.find((r) => r.org_id === a.orgId)?.n ?? 0;
  if (own !== a.count) problems.push(`${t}: tenant A's scope sees ${own} of its own ${a.count} row(s)`);

  // 2. B's row by its primary key.
  const byKey = await db.inTenant(asA, () =>
    probe.keyColumn
      ? db.sql(`SELECT 1 FROM ${t} WHERE org_id = $1 AND ${probe.keyColumn} = $2`, [b.orgId, b.key])
      : db.sql(`SELECT 1 FROM ${t} WHERE org_id = $1`, [b.orgId]),
  );
  if (byKey.length > 0) problems.push(`${t}: tenant A's scope reads tenant B's row by its key`);

  // 3. INSERT claiming B. The same statement claiming A must work, or the refusal would prove nothing.
  if (probe.ownInsertPossible !== false) {
    const mine = probe.insert(a);
    const ownInsert = await attempt(db, asA, () => db.exec(mine.sql, mine.params));
    if (!ownInsert.ok) problems.push(`${t}: the probe's INSERT fails even for tenant A itself: ${ownInsert.error.message}`);
  }
  const theirs = probe.insert(b);
  const crossInsert = await attempt(db, asA, () => db.exec(theirs.sql, theirs.params));
  if (crossInsert.ok) problems.push(`${t}: tenant A's scope may INSERT a row for tenant B`);
  else if (!RLS_REFUSAL.test(crossInsert.error.message)) {
    problems.push(`${t}: INSERT for tenant B was refused, but not by the RLS WITH CHECK: ${crossInsert.error.message}`);
  }

  // 4. UPDATE and DELETE of B's rows: nothing to touch (or no privilege at all).
  for (const [verb, sql] of [
    ['UPDATE', `UPDATE ${t} SET ${probe.touch} WHERE org_id = $1`],
    ['DELETE', `DELETE FROM ${t} WHERE org_id = $1`],
  ] as const) {
    const r = await attempt(db, asA, () => db.exec(sql, [b.orgId]));
    if (r.ok && r.value > 0) problems.push(`${t}: tenant A's scope may ${verb} ${r.value} row(s) of tenant B`);
    if (!r.ok && !PRIVILEGE_REFUSAL.test(r.error.message)) problems.push(`${t}: ${verb} of B's rows failed oddly: ${r.error.message}`);
  }

  // 5. Moving A's own rows into B. No WHERE on purpose: an UPDATE that reads no column is checked
  //    against the WITH CHECK alone, not also against the SELECT policy.
  const move = await attempt(db, asA, () => db.exec(`UPDATE ${t} SET org_id = $1`, [b.orgId]));
  if (move.ok && move.value > 0) problems.push(`${t}: tenant A's scope may move ${move.value} row(s) into tenant B`);
  if (!move.ok && !RLS_REFUSAL.test(move.error.message) && !PRIVILEGE_REFUSAL.test(move.error.message)) {
    problems.push(`${t}: moving A's rows to B failed oddly: ${move.error.message}`);
  }

  // 6. No tenant at all sees nothing.
  const [none] = await db.inTenant(scopeOf(null), () => db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`));
  if ((none?.n ?? 0) > 0) problems.push(`${t}: the no-tenant scope sees ${none!.n} row(s)`);

  return problems;
}

const uniq = () => randomBytes(6).toString('hex');
const ZERO_HASH = '0'.repeat(64);

/** A probe for every tenant table of the core migration. */
export const CORE_TABLE_PROBES: readonly TableProbe[] = [
  {
    table: 'organizations',
    keyColumn: null,
    touch: 'updated_at = updated_at',
    ownInsertPossible: false,
    insert: (s) => ({
      sql: 'INSERT INTO organizations (org_id, name, slug) VALUES ($1, $2, $3)',
      params: [s.orgId, 'probe', `probe-${uniq()}`],
    }),
  },
  {
    table: 'users',
    keyColumn: 'id',
    touch: 'name = name',
    insert: (s) => ({
      sql: `INSERT INTO users (org_id, email, name, role, password_hash) VALUES ($1, $2, 'probe', 'annotator', 'x')`,
      params: [s.orgId, `probe-${uniq()}@example.test`],
    }),
  },
  {
    table: 'sessions',
    keyColumn: 'id',
    touch: 'last_seen_at = last_seen_at',
    insert: (s) => ({
      sql: `INSERT INTO sessions (org_id, user_id, token_hash, csrf_hash, expires_at) VALUES ($1, $2, $3, $4, now() + interval '1 hour')`,
      params: [s.orgId, s.userId, hash32(), hash32()],
    }),
  },
  {
    table: 'api_tokens',
    keyColumn: 'id',
    touch: 'name = name',
    insert: (s) => ({
      sql: `INSERT INTO api_tokens (org_id, user_id, name, prefix, token_hash, scopes, expires_at)
            VALUES ($1, $2, 'probe', 'enc_prob', $3, ARRAY['read'], now() + interval '1 day')`,
      params: [s.orgId, s.userId, hash32()],
    }),
  },
  {
    table: 'audit_events',
    keyColumn: 'seq',
    touch: 'action = action',
    insert: (s) => ({
      sql: `INSERT INTO audit_events (org_id, seq, id, occurred_at, actor_type, action, outcome, prev_hash, hash)
            VALUES ($1, $2, gen_random_uuid(), now(), 'system', 'probe', 'success', $3, $3)`,
      params: [s.orgId, 1_000_000 + Math.floor(Math.random() * 1_000_000), ZERO_HASH],
    }),
  },
  {
    table: 'projects',
    keyColumn: 'id',
    touch: 'name = name',
    insert: (s) => ({
      sql: `INSERT INTO projects (org_id, name, label_config, created_by) VALUES ($1, 'probe', '{}'::jsonb, $2)`,
      params: [s.orgId, s.userId],
    }),
  },
  {
    table: 'project_configs',
    keyColumn: 'version',
    touch: 'created_at = created_at',
    insert: (s) => ({
      sql: `INSERT INTO project_configs (org_id, project_id, version, label_config, created_by) VALUES ($1, $2, $3, '{}'::jsonb, $4)`,
      params: [s.orgId, s.projectId, 1000 + Math.floor(Math.random() * 1_000_000), s.userId],
    }),
  },
  {
    table: 'project_members',
    keyColumn: 'user_id',
    touch: 'role = role',
    insert: (s) => ({
      // The side's user (the owner) is not a member of the side's project.
      sql: `INSERT INTO project_members (org_id, project_id, user_id, role) VALUES ($1, $2, $3, 'annotator')`,
      params: [s.orgId, s.projectId, s.userId],
    }),
  },
  {
    table: 'tasks',
    keyColumn: 'id',
    touch: 'priority = priority',
    insert: (s) => ({
      sql: `INSERT INTO tasks (org_id, project_id, data) VALUES ($1, $2, '{"text": "probe"}'::jsonb)`,
      params: [s.orgId, s.projectId],
    }),
  },
  {
    table: 'task_leases',
    keyColumn: 'task_id',
    touch: 'expires_at = expires_at',
    insert: (s) => ({
      // The side's user (the owner) holds no lease on the side's task.
      sql: `INSERT INTO task_leases (org_id, project_id, task_id, user_id, expires_at) VALUES ($1, $2, $3, $4, now() + interval '1 minute')`,
      params: [s.orgId, s.projectId, s.taskId, s.userId],
    }),
  },
  {
    table: 'assets',
    keyColumn: 'id',
    touch: 'original_name = original_name',
    insert: (s) => ({
      sql: `INSERT INTO assets (org_id, project_id, sha256, media_type, byte_size, width, height, created_by)
            VALUES ($1, $2, $3, 'image/png', 10, 1, 1, $4)`,
      params: [s.orgId, s.projectId, randomBytes(32).toString('hex'), s.userId],
    }),
  },
  {
    table: 'annotations',
    keyColumn: 'id',
    touch: 'updated_at = updated_at',
    insert: (s) => ({
      // The side's user (the owner) has not annotated the side's task.
      sql: `INSERT INTO annotations (org_id, project_id, task_id, user_id, status, result, config_version)
            VALUES ($1, $2, $3, $4, 'draft', '{}'::jsonb, 1)`,
      params: [s.orgId, s.projectId, s.taskId, s.userId],
    }),
  },
  {
    table: 'annotation_revisions',
    keyColumn: 'annotation_id',
    touch: 'created_at = created_at',
    insert: (s) => ({
      sql: `INSERT INTO annotation_revisions (org_id, annotation_id, revision, project_id, task_id, annotator_id, author_id, kind, result, config_version)
            VALUES ($1, $2, $3, $4, $5, $6, $6, 'submission', '{}'::jsonb, 1)`,
      params: [s.orgId, s.annotationId, 1000 + Math.floor(Math.random() * 1_000_000), s.projectId, s.taskId, s.userId],
    }),
  },
  {
    table: 'task_skips',
    keyColumn: 'task_id',
    touch: 'reason = reason',
    insert: (s) => ({
      sql: `INSERT INTO task_skips (org_id, project_id, task_id, user_id, reason) VALUES ($1, $2, $3, $4, 'probe')`,
      params: [s.orgId, s.projectId, s.taskId, s.userId],
    }),
  },
  {
    table: 'reviews',
    keyColumn: 'annotation_id',
    touch: 'comment = comment',
    insert: (s) => ({
      sql: `INSERT INTO reviews (org_id, project_id, annotation_id, task_id, annotator_id, reviewer_id, verdict)
            VALUES ($1, $2, $3, $4, $5, $6, 'accept')`,
      params: [s.orgId, s.projectId, s.annotationId, s.taskId, s.annotatorId, s.userId],
    }),
  },
  {
    table: 'gold_scores',
    keyColumn: 'task_id',
    touch: 'score = score',
    insert: (s) => ({
      sql: `INSERT INTO gold_scores (org_id, project_id, task_id, user_id, annotation_id, score) VALUES ($1, $2, $3, $4, $5, 1)`,
      params: [s.orgId, s.projectId, s.taskId, s.userId, s.annotationId],
    }),
  },
  {
    table: 'qualifications',
    keyColumn: 'user_id',
    touch: 'accuracy = accuracy',
    insert: (s) => ({
      sql: `INSERT INTO qualifications (org_id, project_id, user_id, status, answered, accuracy) VALUES ($1, $2, $3, 'passed', 1, 1)`,
      params: [s.orgId, s.projectId, s.userId],
    }),
  },
];

/** The tables of `public` that carry an org_id column: the tenant tables, as the catalog says. */
export const TENANT_TABLES_SQL = `
  SELECT c.relname AS table
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
   WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
   ORDER BY c.relname`;

import { createHash, createHmac, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ImportResult, LabelConfigInput, ProjectView } from '@enclave/contracts';
import { withClient } from './db';
import { ApiClient } from './http';
import { postgresVersion } from './machine';
import type { Annotator } from './queue-reference';
import { startServer, type ServerUnderTest } from './server';
import { benchOperator, createBenchOrg, type BenchOrg } from './setup';
import type { BenchContext } from './types';
import { ndjsonLines, textTasks, writeLines } from './workload';

/**
 * Set-up and checks shared by the labelling benchmarks (queue, rls): annotators with API tokens,
 * projects they are members of, tasks imported through the API, and the integrity checks run as the
 * migrator after every run.
 */

/** The label configuration of every labelling bench project, and the answer every submission gives. */
export const LABEL_CONFIG: LabelConfigInput = {
  fields: [{ name: 'text', type: 'text' }],
  questions: [{ name: 'label', type: 'single_choice', options: ['a', 'b'] }],
};
export const BENCH_RESULT = { label: 'a' } as const;

/** A whole number from the environment, or the fallback. */
/** The server's default pool (ENCLAVE_DB_POOL_SIZE, apps/api/src/core/config/config.ts): twice the CPUs, 4 to 10. */
export function defaultPoolSize(): number {
  return Math.min(10, Math.max(4, 2 * os.availableParallelism()));
}

export function envCount(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}

/**
 * The connection string of the API's runtime role (`enclave_app`, row-level security on). The server
 * derives its password from the migrator's connection string (apps/api/src/core/db/bootstrap.ts,
 * `derivedRuntimePassword`; copied here, the bench may not import the API): the bench finds the same
 * migrator URL where the server does, so it derives the same password.
 */
export function runtimeRoleUrl(migratorUrl: string): string {
  const role = 'enclave_app';
  const url = new URL(migratorUrl);
  url.username = role;
  url.password = createHmac('sha256', migratorUrl).update(`enclave-runtime-role:${role}`).digest('hex');
  return url.toString();
}

export async function createLabellingProject(
  api: ApiClient,
  name: string,
  overlap: number,
): Promise<ProjectView> {
  const input: { name: string; labelConfig: LabelConfigInput; overlap: number } = {
    name,
    labelConfig: LABEL_CONFIG,
    overlap,
  };
  return api.call<ProjectView>('POST', '/api/v1/projects', input);
}

/**
 * `count` annotators of the organization, each with an API token. The first goes through the API
 * end to end (`POST /users` as the owner, a sign-in, `POST /auth/tokens` with that session). The
 * others are written by the migrator as the API would write them (the e-mail reserved, the user with
 * the first one's argon2 hash, a token stored as its SHA-256): hashing and verifying 2 × 200 passwords
 * with argon2id (64 MiB, 3 passes) would take minutes on two cores and measure nothing of the queue.
 * Those rows get no audit events: the chain stays valid, it only lacks 199 `user.created` entries.
 */
export async function seedAnnotators(
  baseUrl: string,
  org: BenchOrg,
  migratorUrl: string,
  count: number,
): Promise<Annotator[]> {
  const suffix = randomBytes(3).toString('hex');
  const password = `bench-${randomBytes(18).toString('base64url')}`;
  const email = (i: number) => `annotator${String(i).padStart(4, '0')}.${suffix}@bench.enclave.local`;
  const first = await org.api.call<{ id: string }>('POST', '/api/v1/users', {
    email: email(1),
    name: 'Annotator 1',
    role: 'annotator',
    password,
  });
  const session = new ApiClient(baseUrl);
  await session.login(email(1), password);
  const { token } = await session.call<{ token: string }>('POST', '/api/v1/auth/tokens', { name: 'bench' });
  const annotators: Annotator[] = [{ id: first.id, email: email(1), token }];
  if (count === 1) return annotators;

  const rest = Array.from({ length: count - 1 }, (_, i) => i + 2);
  const others = rest.map((n) => ({
    id: '',
    email: email(n),
    token: `enc_${randomBytes(32).toString('base64url')}`,
  }));
  await withClient(migratorUrl, async (c) => {
    await c.query('BEGIN');
    const found = await c.query<{ password_hash: string }>(
      'SELECT password_hash FROM users WHERE org_id = $1 AND id = $2',
      [org.orgId, first.id],
    );
    const emails = others.map((a) => a.email);
    await c.query('INSERT INTO email_directory (email) SELECT unnest($1::text[])', [emails]);
    const { rows } = await c.query<{ id: string; email: string }>(
      `INSERT INTO users (org_id, email, name, role, password_hash)
       SELECT $1, e, 'Annotator ' || n, 'annotator', $2 FROM unnest($3::text[], $4::int[]) AS x(e, n)
       RETURNING id, email`,
      [org.orgId, found.rows[0]!.password_hash, emails, rest],
    );
    const ids = new Map(rows.map((r) => [r.email, r.id]));
    for (const a of others) a.id = ids.get(a.email)!;
    await c.query(
      `INSERT INTO api_tokens (org_id, user_id, name, prefix, token_hash, scopes, expires_at)
       SELECT $1, u, 'bench', p, decode(h, 'hex'), ARRAY['read', 'write'], now() + interval '30 days'
         FROM unnest($2::uuid[], $3::text[], $4::text[]) AS x(u, p, h)`,
      [
        org.orgId,
        others.map((a) => a.id),
        others.map((a) => a.token.slice(0, 12)),
        others.map((a) => createHash('sha256').update(a.token).digest('hex')),
      ],
    );
    await c.query('COMMIT');
  });
  annotators.push(...others);
  return annotators;
}

/** Each annotator joins the project through the API (`PUT /projects/:id/members/:userId`), a few at a time. */
export async function addAnnotators(
  api: ApiClient,
  projectId: string,
  annotators: Annotator[],
): Promise<void> {
  const queue = [...annotators];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let a = queue.shift(); a; a = queue.shift()) {
        await api.call('PUT', `/api/v1/projects/${projectId}/members/${a.id}`, { role: 'annotator' });
      }
    }),
  );
}

/** An NDJSON file of tasks imported through the API (`POST /projects/:id/tasks`). */
export async function importTasks(
  api: ApiClient,
  projectId: string,
  file: string,
  expected: number,
): Promise<void> {
  const res = await api.upload(`/api/v1/projects/${projectId}/tasks`, file, 'application/x-ndjson');
  if (res.status !== 201) throw new Error(`import answered ${res.status}: ${res.body.slice(0, 1000)}`);
  const { imported } = JSON.parse(res.body) as ImportResult;
  if (imported !== expected) throw new Error(`import answered imported=${imported}, expected ${expected}`);
}

/** The next run finds the labelling tables vacuumed and analysed, and no dirty buffers to flush. */
export async function settleLabellingTables(migratorUrl: string): Promise<void> {
  await withClient(migratorUrl, async (c) => {
    await c.query('VACUUM (ANALYZE) tasks, task_leases, annotations, annotation_revisions, audit_events');
    await c.query('CHECKPOINT').catch(() => undefined); // needs superuser or pg_checkpoint
  });
}

/** A submission the client saw answered 200: it must be in the database, with that revision. */
export interface Acknowledged {
  annotationId: string;
  revision: number;
  taskId: string;
  userId: string;
}

export interface IntegrityReport {
  /** Submitted annotations in the project. */
  annotations: number;
  revisions: number;
  acknowledged: number;
  /** Acknowledged submissions without their annotation or revision row (lost), or with another task/user. */
  lost: number;
  /** Annotations in the database the client saw no 200 for (a lost answer, not lost data). */
  unacknowledged: number;
  /** Tasks with more submitted annotations than the overlap. */
  overOverlap: number;
  /** (task, annotator) pairs annotated twice. */
  duplicatePairs: number;
  /** Tasks whose submitted_count or status disagrees with their annotations. */
  countMismatches: number;
  /** Tasks whose live leases plus submissions exceed the overlap now. */
  liveOverOverlap: number;
  /** Tasks the audit trail shows leased to more distinct annotators than the overlap, over the whole run. */
  leasedBeyondOverlap: number;
  /** Live leases of tasks the same annotator already submitted. */
  leaseAfterSubmit: number;
}

export function integrityProblems(r: IntegrityReport): number {
  return (
    r.lost +
    r.overOverlap +
    r.duplicatePairs +
    r.countMismatches +
    r.liveOverOverlap +
    r.leasedBeyondOverlap +
    r.leaseAfterSubmit
  );
}

/**
 * The queue's guarantees, checked as the migrator (no row-level security) over one project after a run:
 * no double leases (by the annotations, the live leases and the audit trail of every lease handed out)
 * and no lost submissions (every 200 the client saw has its annotation and revision).
 */
export async function checkQueueIntegrity(
  migratorUrl: string,
  orgId: string,
  projectId: string,
  overlap: number,
  acknowledged: Acknowledged[],
): Promise<IntegrityReport> {
  return withClient(migratorUrl, async (c) => {
    const one = async (sql: string, params: unknown[]) =>
      Number((await c.query<{ n: string }>(sql, params)).rows[0]!.n);
    const scope = [orgId, projectId];
    const annotations = await one(
      `SELECT count(*) AS n FROM annotations WHERE org_id = $1 AND project_id = $2 AND status IN ('submitted', 'accepted')`,
      scope,
    );
    const revisions = await one(
      'SELECT count(*) AS n FROM annotation_revisions WHERE org_id = $1 AND project_id = $2',
      scope,
    );
    const lost = await one(
      `SELECT count(*) AS n
         FROM unnest($3::uuid[], $4::int[], $5::uuid[], $6::uuid[]) AS x(id, revision, task_id, user_id)
         LEFT JOIN annotations a ON a.org_id = $1 AND a.id = x.id AND a.project_id = $2
         LEFT JOIN annotation_revisions r ON r.org_id = $1 AND r.annotation_id = x.id AND r.revision = x.revision
        WHERE a.id IS NULL OR r.annotation_id IS NULL OR a.task_id <> x.task_id OR a.user_id <> x.user_id
           OR a.status NOT IN ('submitted', 'accepted')`,
      [
        ...scope,
        acknowledged.map((a) => a.annotationId),
        acknowledged.map((a) => a.revision),
        acknowledged.map((a) => a.taskId),
        acknowledged.map((a) => a.userId),
      ],
    );
    const overOverlap = await one(
      `SELECT count(*) AS n FROM (
         SELECT task_id FROM annotations WHERE org_id = $1 AND project_id = $2 AND status IN ('submitted', 'accepted')
          GROUP BY task_id HAVING count(*) > $3) x`,
      [...scope, overlap],
    );
    const duplicatePairs = await one(
      `SELECT count(*) AS n FROM (
         SELECT task_id, user_id FROM annotations WHERE org_id = $1 AND project_id = $2
          GROUP BY task_id, user_id HAVING count(*) > 1) x`,
      scope,
    );
    const countMismatches = await one(
      `WITH a AS (
         SELECT task_id, count(*) AS n FROM annotations
          WHERE org_id = $1 AND project_id = $2 AND status IN ('submitted', 'accepted') GROUP BY task_id)
       SELECT count(*) AS n FROM tasks t LEFT JOIN a ON a.task_id = t.id
        WHERE t.org_id = $1 AND t.project_id = $2
          AND (t.submitted_count <> coalesce(a.n, 0) OR (t.status = 'completed') <> (t.submitted_count >= $3))`,
      [...scope, overlap],
    );
    const liveOverOverlap = await one(
      `SELECT count(*) AS n FROM (
         SELECT task_id, count(*) AS live FROM task_leases
          WHERE org_id = $1 AND project_id = $2 AND expires_at > now() GROUP BY task_id) l
         JOIN tasks t ON t.org_id = $1 AND t.id = l.task_id
        WHERE t.submitted_count + l.live > $3`,
      [...scope, overlap],
    );
    const leasedBeyondOverlap = await one(
      `SELECT count(*) AS n FROM (
         SELECT target_id FROM audit_events
          WHERE org_id = $1 AND action = 'task.leased' AND details->>'projectId' = $2::text
          GROUP BY target_id HAVING count(DISTINCT actor_id) > $3) x`,
      [...scope, overlap],
    );
    const leaseAfterSubmit = await one(
      `SELECT count(*) AS n FROM task_leases l
         JOIN annotations a ON a.org_id = l.org_id AND a.task_id = l.task_id AND a.user_id = l.user_id
        WHERE l.org_id = $1 AND l.project_id = $2 AND a.status <> 'draft'`,
      scope,
    );
    return {
      annotations,
      revisions,
      acknowledged: acknowledged.length,
      lost,
      unacknowledged: Math.max(0, annotations - (acknowledged.length - lost)),
      overOverlap,
      duplicatePairs,
      countMismatches,
      liveOverOverlap,
      leasedBeyondOverlap,
      leaseAfterSubmit,
    };
  });
}

/**
 * What the client saw of the leases: tasks handed to more distinct annotators than the overlap. The
 * database can only say what it committed; this says what reached the annotators.
 */
export class LeaseLedger {
  private readonly holders = new Map<string, Set<string>>();

  record(taskId: string, userId: string): void {
    let set = this.holders.get(taskId);
    if (!set) this.holders.set(taskId, (set = new Set()));
    set.add(userId);
  }

  tasks(): number {
    return this.holders.size;
  }

  overOverlap(overlap: number): number {
    let n = 0;
    for (const s of this.holders.values()) if (s.size > overlap) n++;
    return n;
  }
}

/** The candidate query of `queue_lease_next` (migrations, request-path), with the function's variables as parameters. */
const LEASE_CANDIDATE_SQL = `SELECT t.id FROM tasks t
 WHERE t.org_id = $1 AND t.project_id = $2 AND t.status = 'open' AND t.gold_answer IS NULL
   AND t.id <> ALL ($3::uuid[])
   AND t.submitted_count < $4
   AND (t.submitted_count + t.lease_count < $4 OR t.lease_first_expiry <= now())
   AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.org_id = $1 AND a.task_id = t.id AND a.user_id = $5)
   AND NOT EXISTS (SELECT 1 FROM task_skips s WHERE s.org_id = $1 AND s.task_id = t.id AND s.user_id = $5)
   AND t.submitted_count + (SELECT count(*) FROM task_leases l
                             WHERE l.org_id = $1 AND l.task_id = t.id AND l.expires_at > now()) < $4
 ORDER BY t.priority DESC, t.seq
 LIMIT 1
 FOR UPDATE OF t SKIP LOCKED`;

export interface LeasePlan {
  /** EXPLAIN ANALYZE of `queue_lease_next(…)` as a whole: its execution time. */
  functionMs: number;
  /** EXPLAIN (ANALYZE, BUFFERS) of the candidate query the function runs, as the given role. */
  candidateMs: number;
  plan: string[];
}

/**
 * How long the lease takes under the load of a run, and the candidate query's plan: as `role` (SET
 * ROLE from the migrator, so the role's row-level security applies) in the annotator's scope, in a
 * transaction rolled back afterwards so the run's data stay as they were.
 */
export async function explainLease(
  migratorUrl: string,
  role: string,
  scope: { orgId: string; userId: string },
  projectId: string,
  overlap: number,
): Promise<LeasePlan> {
  return withClient(migratorUrl, async (c) => {
    const begin = async () => {
      await c.query('BEGIN');
      await c.query(`SET LOCAL ROLE ${c.escapeIdentifier(role)}`);
      await c.query(
        "SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true), set_config('app.role', 'annotator', true)",
        [scope.orgId, scope.userId],
      );
    };
    const executionMs = (lines: string[]) =>
      Number(/Execution Time: ([\d.]+) ms/.exec(lines.join('\n'))?.[1] ?? NaN);
    const explain = async (sql: string, params: unknown[]) =>
      (await c.query<{ 'QUERY PLAN': string }>(sql, params)).rows.map((r) => r['QUERY PLAN']);
    try {
      await begin();
      const fn = await explain(
        'EXPLAIN (ANALYZE) SELECT task_id, expires_at, resumed FROM queue_lease_next($1, $2, $3, false, false, NULL)',
        [projectId, overlap, 900],
      );
      await c.query('ROLLBACK');
      await begin();
      const plan = await explain(`EXPLAIN (ANALYZE, BUFFERS) ${LEASE_CANDIDATE_SQL}`, [
        scope.orgId,
        projectId,
        [],
        overlap,
        scope.userId,
      ]);
      await c.query('ROLLBACK');
      return { functionMs: executionMs(fn), candidateMs: executionMs(plan), plan };
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

export interface LabellingBench {
  server: ServerUnderTest;
  org: BenchOrg;
  annotators: Annotator[];
  /** The runtime role's connection string, and its name. */
  appUrl: string;
  appRole: string;
  pgVersion: string;
  /** A fresh project of the organization (overlap as given), every annotator a member, `tasks` tasks imported. */
  project(name: string, overlap: number, tasks: number): Promise<string>;
}

/**
 * What both labelling benchmarks start from: the server under test with a pool of `poolSize`, an
 * organization, its annotators, and the runtime role checked to be subject to row-level security.
 */
export async function startLabellingBench(
  ctx: BenchContext,
  name: string,
  opts: { annotators: number; poolSize: number; seed: number },
): Promise<LabellingBench> {
  const { options } = ctx;
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), `enclave-bench-${name}-`));
  ctx.defer(() => fsp.rm(work, { recursive: true, force: true }));
  const operator = benchOperator();
  ctx.log(
    `starting the server (pool ${opts.poolSize}, ${options.databaseUrl ? 'fresh database on BENCH_DATABASE_URL' : 'embedded PostgreSQL'})`,
  );
  const server = await startServer({
    repoRoot: options.repoRoot,
    databaseUrl: options.databaseUrl,
    operator,
    logFile: path.join(options.artifactsDir, `${name}-server.log`),
    logLevel: options.serverLogLevel,
    env: { ENCLAVE_DB_POOL_SIZE: String(opts.poolSize) },
  });
  ctx.defer(() => server.stop());
  const pgVersion = await postgresVersion(server.migratorUrl);
  ctx.log(`server pid ${server.pid} at ${server.url}, PostgreSQL ${pgVersion} (${server.database})`);

  const org = await createBenchOrg(server.url, operator);
  ctx.log(`${opts.annotators} annotators with API tokens`);
  const annotators = await seedAnnotators(server.url, org, server.migratorUrl, opts.annotators);

  const appUrl = runtimeRoleUrl(server.migratorUrl);
  const role = await withClient(appUrl, async (c) => {
    const { rows } = await c.query<{ rolname: string; rolbypassrls: boolean; rolsuper: boolean }>(
      'SELECT rolname, rolbypassrls, rolsuper FROM pg_roles WHERE rolname = current_user',
    );
    return rows[0]!;
  }).catch((err: Error) => {
    throw new Error(
      `could not connect as the runtime role with the password derived from the migrator's URL (has core/db/bootstrap.ts changed?): ${err.message}`,
    );
  });
  if (role.rolbypassrls || role.rolsuper) throw new Error(`${role.rolname} skips row-level security`);

  const files = new Map<number, string>();
  const taskFile = async (count: number) => {
    let file = files.get(count);
    if (!file) {
      file = path.join(work, `tasks-${count}.ndjson`);
      await writeLines(file, ndjsonLines(textTasks(count, opts.seed)));
      files.set(count, file);
    }
    return file;
  };
  return {
    server,
    org,
    annotators,
    appUrl,
    appRole: role.rolname,
    pgVersion,
    async project(projectName, overlap, tasks) {
      const p = await createLabellingProject(org.api, projectName, overlap);
      await addAnnotators(org.api, p.id, annotators);
      await importTasks(org.api, p.id, await taskFile(tasks), tasks);
      return p.id;
    },
  };
}

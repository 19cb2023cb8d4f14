import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { contentHash, type EventContent } from './audit-chain';

/**
 * The physical reference of the labelling queue: the statements one `next` and one submission run in
 * the API, in the same order, with the same text and parameters, sent straight from `pg` over a pool
 * of the same size as the server's. Each request is what the API does for it:
 *
 * - the token lookup (`auth_resolve_token`) on a pool connection of its own, outside the transaction;
 * - one transaction on another pool connection: `START TRANSACTION` with the tenant scope (`set_config`
 *   × 3, quoted literals) in one message, the work, the audit append (`audit_append`: the organization's advisory lock, the chain's head
 *   and the insert in one statement, with the content hash Node computes as the API does), `COMMIT`.
 *
 * What the API does in Node and not in SQL is left out: HTTP, routing, the ability checks, the result's
 * validation against the label configuration, JSON rendering.
 *
 * The SQL below is copied from apps/api/src/labelling/{queue,annotations,annotation-rows}.ts,
 * projects/project-access.ts, core/db/tenant.ts, core/auth/auth.service.ts and
 * core/audit/audit.service.ts (the bench may not import the API, an app). Keep them in step when those
 * change: the statements the API runs show in the queue benchmark's pg_stat_activity table, and the
 * API's own verifier checks the audit chain the reference appends to.
 */

/** ProjectAccess.find (projects/project-access.ts, PROJECT_SELECT): `$1` is the caller's user id. */
const PROJECT_SELECT = `
  SELECT p.org_id, p.id, p.name, p.description, p.instructions, p.label_config, p.config_version, p.overlap,
         p.lease_seconds, p.review_mode, p.review_sample_percent, p.gold_percent,
         p.qualification_tasks, p.qualification_min_accuracy, p.template_id, p.status, p.created_at,
         p.updated_at, p.archived_at, m.role AS my_role,
         to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
    FROM projects p
    LEFT JOIN project_members m ON m.org_id = p.org_id AND m.project_id = p.id AND m.user_id = $1`;
/** labelling/annotation-rows.ts */
const ANNOTATION_COLUMNS = `id, project_id, task_id, user_id, status, result, config_version, revision, lead_time_ms,
  is_gold, needs_review, review_holder, review_expires_at, created_at, updated_at, submitted_at`;

export interface Annotator {
  id: string;
  email: string;
  /** The API token (`enc_…`) the annotator's requests carry. */
  token: string;
}

export interface LeasedTask {
  taskId: string;
  expiresAt: Date;
  resumed: boolean;
}

export interface Submitted {
  id: string;
  revision: number;
}

interface ProjectRow {
  id: string;
  overlap: number;
  lease_seconds: number;
  gold_percent: number;
  config_version: number;
  review_mode: string;
  qualification_tasks: number | null;
  status: string;
  my_role: string | null;
}

interface TokenRow {
  principal_id: string;
  org_id: string;
  role: string;
}

/** ProjectAccess.checkRow for an annotator: a member, the project active, no qualification. */
function checkProject(row: ProjectRow): void {
  if (row.my_role === null || row.status !== 'active') throw new Error('project not visible or not active');
  if (row.qualification_tasks !== null)
    throw new Error('the reference covers projects without qualification');
}

export interface ReferenceOptions {
  /** false: leave out the audit append (a diagnostic run, never the reference of a target). */
  audit: boolean;
  /** What the API would record as the client's address and user agent. */
  ip: string;
  userAgent: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** Every statement with parameters prepared once per connection (node-pg names it), as the API's Db.sql does. */
function prepared(c: pg.PoolClient): pg.PoolClient {
  const raw = c.query.bind(c) as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
  const wrapped = Object.create(c) as pg.PoolClient;
  (wrapped as unknown as { query: unknown }).query = (text: string, values?: unknown[]) =>
    raw(values ? stmt(text, values) : { text });
  return wrapped;
}

/** A statement PostgreSQL prepares once per connection (node-pg names it), as the API's Db.sql does. */
function stmt(text: string, values: unknown[]): pg.QueryConfig {
  return { name: `enclave_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`, text, values };
}

export class QueueReference {
  private readonly tokenHashes = new Map<string, Buffer>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: ReferenceOptions,
  ) {}

  /**
   * A pool of `size` connections as `url`, with the server's connection settings (apps/api/src/app.ts).
   */
  static pool(url: string, size: number, statementTimeoutMs: number, applicationName: string): pg.Pool {
    const pool = new pg.Pool({
      connectionString: url,
      max: size,
      statement_timeout: statementTimeoutMs,
      idle_in_transaction_session_timeout: 60_000,
      application_name: applicationName,
    });
    pool.on('error', () => undefined); // a connection lost at shutdown surfaces on its next query
    return pool;
  }

  /** `POST /projects/:id/queue/next`. */
  async next(annotator: Annotator, projectId: string): Promise<LeasedTask | null> {
    const principal = await this.authenticate(annotator);
    return this.inTenant(principal, async (c) => {
      const project = await this.project(c, principal, projectId);
      const onlyGold = false; // no qualification in the bench's projects (QueueService.mustQualify)
      const wantGold = onlyGold || Math.random() * 100 < project.gold_percent;
      const {
        rows: [lease],
      } = await c.query<{ task_id: string; expires_at: Date; resumed: boolean }>(
        `SELECT l.task_id, l.expires_at, l.resumed, t.data
           FROM queue_lease_next($1, $2, $3, $4, $5, $6) l
           JOIN tasks t ON t.org_id = $7 AND t.id = l.task_id`,
        [projectId, project.overlap, project.lease_seconds, wantGold, onlyGold, null, principal.org_id],
      );
      if (!lease) return null;
      if (lease.resumed) {
        await c.query(
          `SELECT result, updated_at FROM annotations WHERE org_id = $1 AND task_id = $2 AND user_id = $3 AND status = 'draft'`,
          [principal.org_id, lease.task_id, principal.principal_id],
        );
      }
      await this.appendAudit(c, principal, {
        action: 'task.leased',
        targetType: 'task',
        targetId: lease.task_id,
        details: {
          projectId,
          expiresAt: lease.expires_at.toISOString(),
          resumed: lease.resumed,
          ahead: false,
        },
      });
      return { taskId: lease.task_id, expiresAt: lease.expires_at, resumed: lease.resumed };
    });
  }

  /**
   * `PUT /tasks/:id/annotation {status: 'submitted'}`, the first submission of a leased task, with no
   * review and no gold: the path every cycle of the benchmark takes (AnnotationsService.save →
   * lockTask with the project, mineAndLease, submitFirst with its revision, the audit append).
   */
  async submit(
    annotator: Annotator,
    taskId: string,
    result: Record<string, unknown>,
    leadTimeMs: number,
  ): Promise<Submitted> {
    const principal = await this.authenticate(annotator);
    return this.inTenant(principal, async (c) => {
      const {
        rows: [locked],
      } = await c.query<ProjectRow & { task: { gold_answer: unknown } }>(
        `SELECT json_build_object('id', t.id, 'project_id', t.project_id, 'data', t.data, 'gold_answer', t.gold_answer,
                                  'status', t.status, 'submitted_count', t.submitted_count) AS task, p.*
           FROM tasks t
           CROSS JOIN LATERAL (${PROJECT_SELECT} WHERE p.org_id = t.org_id AND p.id = t.project_id) p
          WHERE t.org_id = $2 AND t.id = $3
            FOR UPDATE OF t`,
        [principal.principal_id, principal.org_id, taskId],
      );
      if (!locked) throw new Error('task not found');
      const { task, ...project } = locked;
      checkProject(project);
      const {
        rows: [mine],
      } = await c.query<{ id: string | null; status: string; lease_live: boolean | null }>(
        `SELECT a.*, l.expires_at AS lease_expires_at, l.expires_at > now() AS lease_live
           FROM (SELECT 1) AS one
           LEFT JOIN LATERAL (
             SELECT ${ANNOTATION_COLUMNS} FROM annotations WHERE org_id = $1 AND task_id = $2 AND user_id = $3 FOR UPDATE
           ) a ON true
           LEFT JOIN task_leases l ON l.org_id = $1 AND l.task_id = $2 AND l.user_id = $3`,
        [principal.org_id, taskId, principal.principal_id],
      );
      if (mine!.id) throw new Error(`the annotator already has a ${mine!.status} annotation of this task`);
      if (!mine!.lease_live) throw new Error('no live lease on the task');
      if (task.gold_answer !== null || project.review_mode !== 'none') {
        throw new Error('the reference covers the plain path only: no gold, no review');
      }
      const {
        rows: [row],
      } = await c.query<{ id: string; revision: number }>(
        `WITH a AS (
           INSERT INTO annotations (org_id, project_id, task_id, user_id, status, result, config_version, revision, lead_time_ms,
                                    is_gold, needs_review, submitted_at)
           VALUES ($1, $2, $3, $4, 'submitted', $5, $6, 1, $7, $8, $9, now())
           ON CONFLICT (org_id, task_id, user_id) DO UPDATE
             SET status = 'submitted', result = EXCLUDED.result, config_version = EXCLUDED.config_version, revision = 1,
                 lead_time_ms = EXCLUDED.lead_time_ms, needs_review = EXCLUDED.needs_review, submitted_at = now(), updated_at = now()
           RETURNING ${ANNOTATION_COLUMNS}
         ), counted AS (
           UPDATE tasks SET submitted_count = submitted_count + 1,
                            status = CASE WHEN submitted_count + 1 >= $10 THEN 'completed' ELSE 'open' END
            WHERE org_id = $1 AND id = $3 AND NOT $8
         ), released AS (
           DELETE FROM task_leases WHERE org_id = $1 AND task_id = $3 AND user_id = $4
         ), revised AS (
           INSERT INTO annotation_revisions (org_id, annotation_id, revision, project_id, task_id, annotator_id, author_id, kind, result,
                                             config_version, lead_time_ms)
           SELECT $1, a.id, a.revision, $2, $3, $4, $4, 'submission', a.result, a.config_version, a.lead_time_ms FROM a
         )
         SELECT * FROM a`,
        [
          principal.org_id,
          project.id,
          taskId,
          principal.principal_id,
          JSON.stringify(result),
          project.config_version,
          leadTimeMs,
          false,
          false,
          project.overlap,
        ],
      );
      await this.appendAudit(c, principal, {
        action: 'annotation.submitted',
        targetType: 'annotation',
        targetId: row!.id,
        details: {
          taskId,
          projectId: project.id,
          revision: row!.revision,
          configVersion: project.config_version,
        },
      });
      return { id: row!.id, revision: row!.revision };
    });
  }

  /** AuthService.resolveToken: a pool query of its own, before the tenant transaction. */
  private async authenticate(annotator: Annotator): Promise<TokenRow> {
    let hash = this.tokenHashes.get(annotator.token);
    if (!hash) this.tokenHashes.set(annotator.token, (hash = sha256(annotator.token)));
    const {
      rows: [row],
    } = await this.pool.query<TokenRow>('SELECT * FROM auth_resolve_token($1)', [hash]);
    if (!row) throw new Error(`the token of ${annotator.email} is not valid`);
    return row;
  }

  /** Db.inTenant: one pooled connection, START TRANSACTION and the scope in one message, the work, COMMIT. */
  private async inTenant<T>(principal: TokenRow, work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    let broken = false;
    try {
      await c.query(
        'START TRANSACTION; ' +
          `SELECT set_config('app.org_id', ${pg.escapeLiteral(principal.org_id)}, true), ` +
          `set_config('app.user_id', ${pg.escapeLiteral(principal.principal_id)}, true), ` +
          `set_config('app.role', ${pg.escapeLiteral(principal.role)}, true)`,
      );
      try {
        const out = await work(prepared(c));
        await c.query('COMMIT');
        return out;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => (broken = true));
        throw err;
      }
    } finally {
      c.release(broken);
    }
  }

  /** ProjectAccess.find: the project as the caller sees it (membership checked by the caller's role). */
  private async project(c: pg.PoolClient, principal: TokenRow, projectId: string): Promise<ProjectRow> {
    const {
      rows: [row],
    } = await c.query<ProjectRow>(`${PROJECT_SELECT} WHERE p.org_id = $2 AND p.id = $3 `, [
      principal.principal_id,
      principal.org_id,
      projectId,
    ]);
    if (!row) throw new Error('project not visible');
    checkProject(row);
    return row;
  }

  /** AuditService.append for a user of a tenant, inside the request's transaction. */
  private async appendAudit(
    c: pg.PoolClient,
    principal: TokenRow,
    input: { action: string; targetType: string; targetId: string; details: Record<string, unknown> },
  ): Promise<void> {
    if (!this.options.audit) return;
    const content: EventContent = {
      orgId: principal.org_id,
      id: randomUUID(),
      occurredAt: new Date().toISOString(),
      actorType: 'user',
      actorId: principal.principal_id,
      action: input.action,
      targetType: input.targetType,
      targetId: input.targetId,
      outcome: 'success',
      ip: this.options.ip,
      userAgent: this.options.userAgent,
      requestId: randomUUID(),
      details: JSON.parse(JSON.stringify(input.details)) as Record<string, unknown>,
    };
    await c.query(
      'SELECT seq FROM audit_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14)',
      [
        content.orgId,
        content.id,
        content.occurredAt,
        content.actorType,
        content.actorId,
        content.action,
        content.targetType,
        content.targetId,
        content.outcome,
        content.ip,
        content.userAgent,
        content.requestId,
        JSON.stringify(content.details),
        contentHash(content),
      ],
    );
  }
}

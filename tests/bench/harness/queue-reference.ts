import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';

/**
 * The physical reference of the labelling queue: the statements one `next` and one submission run in
 * the API, in the same order, with the same text and parameters, sent straight from `pg` over a pool
 * of the same size as the server's. Each request is what the API does for it:
 *
 * - the token lookup (`auth_resolve_token`) on a pool connection of its own, outside the transaction;
 * - one transaction on another pool connection: `START TRANSACTION` with the tenant scope in one
 *   message, the work, the audit append (`audit_append`, with the content hash Node computes), `COMMIT`.
 *
 * What the API does in Node and not in SQL is left out: HTTP, routing, the ability checks, the result's
 * validation against the label configuration, JSON rendering.
 *
 * The statements themselves are the built API's (`loadApiSql`, from apps/api/dist, as the export
 * benchmark loads its query): the bench may not import the API at compile time, an app, but it runs
 * what the server it measures runs. The order and the checks between them follow
 * apps/api/src/labelling/{queue,annotations}.service.ts.
 */

/** The statements and helpers of the built API that the reference runs. */
export interface ApiSql {
  LEASE_SQL: string;
  DRAFT_SQL: string;
  LOCK_TASK_SQL: string;
  MINE_AND_LEASE_SQL: string;
  SUBMIT_FIRST_SQL: string;
  AUDIT_APPEND_SQL: string;
  projectByIdSql: (forUpdate?: boolean) => string;
  auditAppendParams: (content: EventContent) => unknown[];
  beginScopedSql: (scope: { orgId: string | null; userId: string | null; role: string }) => string;
}

/** What an audit event says (apps/api/src/core/audit/canonical.ts, EventContent). */
interface EventContent {
  orgId: string | null;
  id: string;
  occurredAt: string;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

/** The built server's own statements (run `npm run build` first, as `npm run bench` does). */
export async function loadApiSql(repoRoot: string): Promise<ApiSql> {
  const dist = path.join(repoRoot, 'apps', 'api', 'dist');
  const [labelling, projects, audit, tenant] = await Promise.all([
    import(path.join(dist, 'labelling', 'labelling-sql.js')),
    import(path.join(dist, 'projects', 'project-access.js')),
    import(path.join(dist, 'core', 'audit', 'audit.service.js')),
    import(path.join(dist, 'core', 'db', 'tenant.js')),
  ]);
  return { ...labelling, ...projects, ...audit, ...tenant } as ApiSql;
}

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
  /** The built API's statements (`loadApiSql`). */
  sql: ApiSql;
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

  private get sql(): ApiSql {
    return this.options.sql;
  }

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
      } = await c.query<{ task_id: string; expires_at: Date; resumed: boolean }>(this.sql.LEASE_SQL, [
        projectId,
        project.overlap,
        project.lease_seconds,
        wantGold,
        onlyGold,
        null,
        principal.org_id,
      ]);
      if (!lease) return null;
      if (lease.resumed)
        await c.query(this.sql.DRAFT_SQL, [principal.org_id, lease.task_id, principal.principal_id]);
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
      } = await c.query<ProjectRow & { task: { gold_answer: unknown } }>(this.sql.LOCK_TASK_SQL, [
        principal.principal_id,
        principal.org_id,
        taskId,
      ]);
      if (!locked) throw new Error('task not found');
      const { task, ...project } = locked;
      checkProject(project);
      const {
        rows: [mine],
      } = await c.query<{ id: string | null; status: string; lease_live: boolean | null }>(
        this.sql.MINE_AND_LEASE_SQL,
        [principal.org_id, taskId, principal.principal_id],
      );
      if (mine!.id) throw new Error(`the annotator already has a ${mine!.status} annotation of this task`);
      if (!mine!.lease_live) throw new Error('no live lease on the task');
      if (task.gold_answer !== null || project.review_mode !== 'none') {
        throw new Error('the reference covers the plain path only: no gold, no review');
      }
      const {
        rows: [row],
      } = await c.query<{ id: string; revision: number }>(this.sql.SUBMIT_FIRST_SQL, [
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
      ]);
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
        this.sql.beginScopedSql({
          orgId: principal.org_id,
          userId: principal.principal_id,
          role: principal.role,
        }),
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
    } = await c.query<ProjectRow>(this.sql.projectByIdSql(), [
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
    await c.query(this.sql.AUDIT_APPEND_SQL, this.sql.auditAppendParams(content));
  }
}

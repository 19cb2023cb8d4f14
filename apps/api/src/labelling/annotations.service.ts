import { isDeepStrictEqual } from 'node:util';
import { Injectable } from '@nestjs/common';
import type { AnnotationView, AppAbility, SaveAnnotationInput } from '@enclave/contracts';
import { scoreTaskAgainstGold, validateResult } from '@enclave/labeling';
import { AuditService } from '../core/audit/audit.service';
import { Db } from '../core/db/tenant';
import { AppError } from '../core/errors/app-error';
import type { Principal } from '../core/http/request-context';
import { ProjectAccess, type ProjectRecord, type ProjectRow } from '../projects/project-access';
import {
  ANNOTATION_COLUMNS,
  annotationView,
  reviewView,
  revisionView,
  type AnnotationRow,
  type ReviewRow,
  type RevisionRow,
  type TaskRow,
} from './annotation-rows';
import { LOCK_TASK_SQL, MINE_AND_LEASE_SQL, REVISE_SQL, SUBMIT_FIRST_SQL } from './labelling-sql';

interface LeaseRow {
  expires_at: Date;
  live: boolean;
}

/**
 * Drafts and submissions. Only the leaseholder writes: a draft saves freely while the lease lives; a
 * submission is validated against the project's configuration and kept as a new revision; an
 * annotator may revise their submission until it is reviewed. The task's row is locked for the whole
 * write, the same lock the queue takes to lease, so counts never race.
 */
@Injectable()
export class AnnotationsService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: ProjectAccess,
  ) {}

  async save(principal: Principal, ability: AppAbility | undefined, taskId: string, input: SaveAnnotationInput): Promise<AnnotationView> {
    const { task, project } = await this.lockTask(principal, ability, taskId);
    const { mine, lease } = await this.mineAndLease(principal, taskId);
    if (mine && (mine.status === 'accepted' || mine.status === 'rejected')) {
      throw new AppError('CONFLICT', `your annotation of this task was ${mine.status} in review and can no longer change`);
    }
    if (mine?.status === 'submitted' && input.status === 'draft') {
      throw new AppError('CONFLICT', 'this annotation is submitted: send a revision with status "submitted" instead of a draft');
    }
    // Revising one's own submission needs no lease; anything else does.
    if (mine?.status !== 'submitted') await this.holdLease(principal, task, project, mine, lease);

    const problems = validateResult(project.labelConfig, task.data, input.result, { partial: input.status === 'draft' });
    if (problems.length > 0) {
      throw new AppError(
        'VALIDATION_FAILED',
        `the result does not fit the label configuration: ${problems.map((p) => `${p.path || 'result'}: ${p.message}`).join('; ')}`,
        problems.map((p) => ({ path: p.path ? `result.${p.path}` : 'result', message: p.message })),
      );
    }

    if (input.status === 'draft') return annotationView(await this.saveDraft(principal, task, project, input));

    // A retried submission (same result) creates no second revision.
    if (mine?.status === 'submitted' && isDeepStrictEqual(mine.result, input.result)) return annotationView(mine);
    const first = mine?.status !== 'submitted';
    const row = first ? await this.submitFirst(principal, task, project, input) : await this.revise(principal, project, mine, input);
    if (task.gold_answer) await this.scoreGold(principal, project, task, row);
    await this.audit.append({
      action: 'annotation.submitted',
      targetType: 'annotation',
      targetId: row.id,
      details: { taskId: task.id, projectId: project.id, revision: row.revision, configVersion: project.configVersion },
    });
    return annotationView(row);
  }

  async skip(principal: Principal, ability: AppAbility | undefined, taskId: string, reason: string | undefined): Promise<void> {
    const { task, project } = await this.lockTask(principal, ability, taskId);
    const { mine, lease } = await this.mineAndLease(principal, taskId);
    if (mine && mine.status !== 'draft') throw new AppError('CONFLICT', 'you already submitted this task; it cannot be skipped');
    await this.holdLease(principal, task, project, mine, lease);
    await this.db.exec(
      `INSERT INTO task_skips (org_id, project_id, task_id, user_id, reason) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (org_id, task_id, user_id) DO NOTHING`,
      [principal.orgId, project.id, task.id, principal.id, reason ?? null],
    );
    await this.db.exec(`DELETE FROM annotations WHERE org_id = $1 AND task_id = $2 AND user_id = $3 AND status = 'draft'`, [
      principal.orgId,
      task.id,
      principal.id,
    ]);
    await this.db.exec('DELETE FROM task_leases WHERE org_id = $1 AND task_id = $2 AND user_id = $3', [principal.orgId, task.id, principal.id]);
    await this.audit.append({ action: 'task.skipped', targetType: 'task', targetId: task.id, details: { projectId: project.id, reason: reason ?? null } });
  }

  /** A task's annotations with their revisions and reviews: all of them for reviewers and managers, one's own for an annotator (row-level security decides). */
  async listForTask(principal: Principal, ability: AppAbility | undefined, taskId: string): Promise<{ items: AnnotationView[] }> {
    const [task] = await this.db.sql<{ project_id: string }>('SELECT project_id FROM tasks WHERE org_id = $1 AND id = $2', [principal.orgId, taskId]);
    if (!task) throw AppError.notFound('task');
    await this.access.require(principal, ability, 'read', 'Annotation', task.project_id);
    const rows = await this.db.sql<AnnotationRow>(
      `SELECT ${ANNOTATION_COLUMNS} FROM annotations WHERE org_id = $1 AND task_id = $2 ORDER BY created_at, id`,
      [principal.orgId, taskId],
    );
    const ids = rows.map((r) => r.id);
    const revisions = await this.db.sql<RevisionRow>(
      `SELECT annotation_id, revision, kind, author_id, result, config_version, lead_time_ms, created_at
         FROM annotation_revisions WHERE org_id = $1 AND annotation_id = ANY($2::uuid[]) ORDER BY revision`,
      [principal.orgId, ids],
    );
    const reviews = await this.db.sql<ReviewRow>(
      `SELECT id, annotation_id, reviewer_id, verdict, comment, corrected_revision, created_at
         FROM reviews WHERE org_id = $1 AND annotation_id = ANY($2::uuid[]) ORDER BY created_at`,
      [principal.orgId, ids],
    );
    return {
      items: rows.map((r) => ({
        ...annotationView(r),
        revisions: revisions.filter((v) => v.annotation_id === r.id).map(revisionView),
        reviews: reviews.filter((v) => v.annotation_id === r.id).map(reviewView),
      })),
    };
  }

  /**
   * The task, locked, and its project as the caller sees it, in one statement: 404 when either is
   * invisible to them.
   */
  private async lockTask(principal: Principal, ability: AppAbility | undefined, taskId: string): Promise<{ task: TaskRow; project: ProjectRecord }> {
    const [row] = await this.db.sql<ProjectRow & { task: TaskRow }>(LOCK_TASK_SQL, [principal.id, principal.orgId, taskId]);
    if (!row) throw AppError.notFound('task');
    const { task, ...projectRow } = row;
    const project = this.access.checkRow(principal, ability, 'label', 'Task', projectRow, { activeOnly: true });
    return { task, project };
  }

  /** The caller's annotation of the task, locked, and their lease on it, in one statement. */
  private async mineAndLease(principal: Principal, taskId: string): Promise<{ mine?: AnnotationRow; lease?: LeaseRow }> {
    const [row] = await this.db.sql<AnnotationRow & { lease_expires_at: Date | null; lease_live: boolean | null }>(MINE_AND_LEASE_SQL, [
      principal.orgId,
      taskId,
      principal.id,
    ]);
    const { lease_expires_at: expiresAt, lease_live: live, ...annotation } = row!;
    return {
      mine: annotation.id ? (annotation as AnnotationRow) : undefined,
      lease: expiresAt ? { expires_at: expiresAt, live: live === true } : undefined,
    };
  }

  /**
   * The caller's lease on the task. A live lease is enough. A lost one (expired, or released while a
   * draft was kept) is taken again when the task still needs the caller: gold, or open with room
   * beyond the others' live leases; otherwise 409. Someone who never held the task gets 403.
   */
  private async holdLease(
    principal: Principal,
    task: TaskRow,
    project: ProjectRecord,
    mine: AnnotationRow | undefined,
    lease: LeaseRow | undefined,
  ): Promise<void> {
    if (lease?.live) return;
    if (!lease && !mine) throw AppError.forbidden('only the annotator the queue leased this task to may annotate it');
    const [others] = await this.db.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM task_leases WHERE org_id = $1 AND task_id = $2 AND user_id <> $3 AND expires_at > now()`,
      [principal.orgId, task.id, principal.id],
    );
    const needed = task.gold_answer !== null || (task.status === 'open' && task.submitted_count + others!.n < project.overlap);
    if (!needed) {
      throw new AppError('LEASE_LOST', 'your lease on this task expired and the task no longer needs your annotation; ask the queue for the next task');
    }
    await this.db.exec(
      `INSERT INTO task_leases (org_id, project_id, task_id, user_id, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
       ON CONFLICT (org_id, task_id, user_id) DO UPDATE SET expires_at = EXCLUDED.expires_at, leased_at = now()`,
      [principal.orgId, project.id, task.id, principal.id, project.leaseSeconds],
    );
  }

  private async saveDraft(principal: Principal, task: TaskRow, project: ProjectRecord, input: SaveAnnotationInput): Promise<AnnotationRow> {
    const [row] = await this.db.sql<AnnotationRow>(
      `INSERT INTO annotations (org_id, project_id, task_id, user_id, status, result, config_version, lead_time_ms, is_gold)
       VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8)
       ON CONFLICT (org_id, task_id, user_id) DO UPDATE
         SET result = EXCLUDED.result, config_version = EXCLUDED.config_version, lead_time_ms = EXCLUDED.lead_time_ms, updated_at = now()
       RETURNING ${ANNOTATION_COLUMNS}`,
      [principal.orgId, project.id, task.id, principal.id, JSON.stringify(input.result), project.configVersion, input.leadTimeMs ?? null, task.gold_answer !== null],
    );
    return row!;
  }

  /** The first submission in one statement (SUBMIT_FIRST_SQL). */
  private async submitFirst(principal: Principal, task: TaskRow, project: ProjectRecord, input: SaveAnnotationInput): Promise<AnnotationRow> {
    const gold = task.gold_answer !== null;
    const needsReview = !gold && (project.reviewMode === 'all' || (project.reviewMode === 'sample' && Math.random() * 100 < (project.reviewSamplePercent ?? 0)));
    const [row] = await this.db.sql<AnnotationRow>(
      SUBMIT_FIRST_SQL,
      [
        principal.orgId,
        project.id,
        task.id,
        principal.id,
        JSON.stringify(input.result),
        project.configVersion,
        input.leadTimeMs ?? null,
        gold,
        needsReview,
        project.overlap,
      ],
    );
    return row!;
  }

  /** A revision of one's own submission, and its revision row, in one statement. */
  private async revise(principal: Principal, project: ProjectRecord, mine: AnnotationRow | undefined, input: SaveAnnotationInput): Promise<AnnotationRow> {
    const [row] = await this.db.sql<AnnotationRow>(
      REVISE_SQL,
      [
        principal.orgId,
        mine!.id,
        JSON.stringify(input.result),
        project.configVersion,
        input.leadTimeMs ?? mine!.lead_time_ms,
        principal.id,
        input.leadTimeMs ?? null,
      ],
    );
    return row!;
  }

  /** Scores a gold submission per question and decides a pending qualification once enough gold is answered. */
  private async scoreGold(principal: Principal, project: ProjectRecord, task: TaskRow, row: AnnotationRow): Promise<void> {
    const score = scoreTaskAgainstGold(project.labelConfig, row.result, task.gold_answer!);
    await this.db.exec(
      `INSERT INTO gold_scores (org_id, project_id, task_id, user_id, annotation_id, score, per_question)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (org_id, task_id, user_id) DO UPDATE SET score = EXCLUDED.score, per_question = EXCLUDED.per_question, scored_at = now()`,
      [principal.orgId, project.id, task.id, principal.id, row.id, score.overall, JSON.stringify(score.perQuestion)],
    );
    if (!project.qualification) return;
    const [decided] = await this.db.sql('SELECT 1 FROM qualifications WHERE org_id = $1 AND project_id = $2 AND user_id = $3', [
      principal.orgId,
      project.id,
      principal.id,
    ]);
    if (decided) return;
    const [tally] = await this.db.sql<{ answered: number; accuracy: number | null }>(
      `SELECT count(*)::int AS answered, avg(score)::float8 AS accuracy FROM gold_scores
        WHERE org_id = $1 AND project_id = $2 AND user_id = $3 AND score IS NOT NULL`,
      [principal.orgId, project.id, principal.id],
    );
    if (!tally || tally.answered < project.qualification.tasks) return;
    const accuracy = tally.accuracy ?? 0;
    const status = accuracy >= project.qualification.minAccuracy ? 'passed' : 'failed';
    await this.db.exec(
      `INSERT INTO qualifications (org_id, project_id, user_id, status, answered, accuracy) VALUES ($1, $2, $3, $4, $5, $6)`,
      [principal.orgId, project.id, principal.id, status, tally.answered, accuracy],
    );
    await this.audit.append({
      action: `qualification.${status}`,
      targetType: 'project',
      targetId: project.id,
      details: { userId: principal.id, answered: tally.answered, accuracy, minAccuracy: project.qualification.minAccuracy },
    });
  }
}

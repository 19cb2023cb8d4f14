import { Injectable } from '@nestjs/common';
import type { AnnotationView, AppAbility, ReviewInput, ReviewNextResponse } from '@enclave/contracts';
import { validateResult } from '@enclave/labeling';
import { AuditService } from '../core/audit/audit.service';
import { Db } from '../core/db/tenant';
import { AppError } from '../core/errors/app-error';
import type { Principal } from '../core/http/request-context';
import { ProjectAccess } from '../projects/project-access';
import { ANNOTATION_COLUMNS, annotationView, reviewView, type AnnotationRow, type ReviewRow } from './annotation-rows';

/**
 * Review: reviewers get submitted annotations picked for review (never their own), held for them for
 * the project's lease length; they accept, accept with a correction (a new revision by the reviewer,
 * validated like any other), or reject with a comment, which sends the task back to the queue for
 * another annotator (the rejected one cannot take it again).
 */
@Injectable()
export class ReviewsService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: ProjectAccess,
  ) {}

  async next(principal: Principal, ability: AppAbility | undefined, projectId: string): Promise<ReviewNextResponse | null> {
    const project = await this.access.require(principal, ability, 'review', 'Annotation', projectId, { activeOnly: true });
    const [row] = await this.db.sql<AnnotationRow>(
      `UPDATE annotations a SET review_holder = $3, review_expires_at = now() + make_interval(secs => $4)
        WHERE (a.org_id, a.id) = (
          SELECT c.org_id, c.id FROM annotations c
           WHERE c.org_id = $1 AND c.project_id = $2 AND c.needs_review AND c.status = 'submitted' AND c.user_id <> $3
             AND (c.review_holder IS NULL OR c.review_holder = $3 OR c.review_expires_at <= now())
           ORDER BY (c.review_holder IS NOT DISTINCT FROM $3) DESC, c.submitted_at, c.id
           LIMIT 1
           FOR UPDATE SKIP LOCKED)
        RETURNING ${ANNOTATION_COLUMNS}`,
      [principal.orgId, projectId, principal.id, project.leaseSeconds],
    );
    if (!row) return null;
    const [task] = await this.db.sql<{ id: string; data: Record<string, unknown> }>('SELECT id, data FROM tasks WHERE org_id = $1 AND id = $2', [
      principal.orgId,
      row.task_id,
    ]);
    await this.audit.append({
      action: 'review.leased',
      targetType: 'annotation',
      targetId: row.id,
      details: { projectId, taskId: row.task_id },
    });
    return {
      annotation: annotationView(row),
      task: { id: task!.id, data: task!.data },
      review: { expiresAt: row.review_expires_at!.toISOString() },
    };
  }

  async review(principal: Principal, ability: AppAbility | undefined, annotationId: string, input: ReviewInput): Promise<AnnotationView> {
    // The task's row first, then the annotation's: the order a save takes them in, so a review and a
    // save of the same task wait for each other instead of deadlocking. An annotation's task never
    // changes, so finding it needs no lock.
    const [task] = await this.db.sql<{ data: Record<string, unknown>; gold_answer: unknown }>(
      `SELECT t.data, t.gold_answer FROM tasks t
        WHERE t.org_id = $1 AND t.id = (SELECT a.task_id FROM annotations a WHERE a.org_id = $1 AND a.id = $2)
          FOR UPDATE OF t`,
      [principal.orgId, annotationId],
    );
    const [row] = task
      ? await this.db.sql<AnnotationRow>(`SELECT ${ANNOTATION_COLUMNS} FROM annotations WHERE org_id = $1 AND id = $2 FOR UPDATE`, [
          principal.orgId,
          annotationId,
        ])
      : [];
    if (!row) throw AppError.notFound('annotation');
    const project = await this.access.require(principal, ability, 'review', 'Annotation', row.project_id, { activeOnly: true });
    if (row.user_id === principal.id) throw AppError.forbidden('you may not review your own annotation');
    if (row.status !== 'submitted') throw new AppError('CONFLICT', `this annotation is ${row.status}, not waiting for review`);
    if (row.review_holder && row.review_holder !== principal.id && row.review_expires_at && row.review_expires_at > new Date()) {
      throw new AppError('CONFLICT', 'another reviewer is reviewing this annotation');
    }

    let correctedRevision: number | null = null;
    if (input.correctedResult !== undefined) {
      const problems = validateResult(project.labelConfig, task!.data, input.correctedResult);
      if (problems.length > 0) {
        throw new AppError(
          'VALIDATION_FAILED',
          `the correction does not fit the label configuration: ${problems.map((p) => `${p.path || 'result'}: ${p.message}`).join('; ')}`,
          problems.map((p) => ({ path: p.path ? `correctedResult.${p.path}` : 'correctedResult', message: p.message })),
        );
      }
      correctedRevision = row.revision + 1;
      await this.db.exec(
        `INSERT INTO annotation_revisions (org_id, annotation_id, revision, project_id, task_id, annotator_id, author_id, kind, result, config_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'correction', $8, $9)`,
        [principal.orgId, row.id, correctedRevision, row.project_id, row.task_id, row.user_id, principal.id, JSON.stringify(input.correctedResult), project.configVersion],
      );
    }

    const status = input.verdict === 'accept' ? 'accepted' : 'rejected';
    const [updated] = await this.db.sql<AnnotationRow>(
      `UPDATE annotations
          SET status = $3, reviewed_at = now(), updated_at = now(), review_holder = NULL, review_expires_at = NULL,
              result = coalesce($4::jsonb, result), revision = coalesce($5, revision),
              config_version = CASE WHEN $4::jsonb IS NULL THEN config_version ELSE $6 END
        WHERE org_id = $1 AND id = $2 RETURNING ${ANNOTATION_COLUMNS}`,
      [
        principal.orgId,
        row.id,
        status,
        input.correctedResult === undefined ? null : JSON.stringify(input.correctedResult),
        correctedRevision,
        project.configVersion,
      ],
    );
    if (status === 'rejected' && task!.gold_answer === null) {
      // The task needs another pass, by someone else: the rejected annotator's row keeps them out.
      await this.db.exec(
        `UPDATE tasks SET submitted_count = greatest(submitted_count - 1, 0),
                          status = CASE WHEN greatest(submitted_count - 1, 0) >= $3 THEN 'completed' ELSE 'open' END
          WHERE org_id = $1 AND id = $2`,
        [principal.orgId, row.task_id, project.overlap],
      );
    }
    const [review] = await this.db.sql<ReviewRow>(
      `INSERT INTO reviews (org_id, project_id, annotation_id, task_id, annotator_id, reviewer_id, verdict, comment, corrected_revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       RETURNING id, annotation_id, reviewer_id, verdict, comment, corrected_revision, created_at`,
      [principal.orgId, row.project_id, row.id, row.task_id, row.user_id, principal.id, input.verdict, input.comment ?? null, correctedRevision],
    );
    await this.audit.append({
      action: 'annotation.reviewed',
      targetType: 'annotation',
      targetId: row.id,
      details: { projectId: row.project_id, taskId: row.task_id, verdict: input.verdict, corrected: correctedRevision !== null },
    });
    return { ...annotationView(updated!), reviews: [reviewView(review!)] };
  }
}

import { Injectable } from '@nestjs/common';
import type { AppAbility, QueueNextResponse } from '@enclave/contracts';
import { AuditService } from '../core/audit/audit.service';
import { Db } from '../core/db/tenant';
import { AppError } from '../core/errors/app-error';
import type { Principal } from '../core/http/request-context';
import { ProjectAccess, type ProjectRecord } from '../projects/project-access';
import { DRAFT_SQL, LEASE_SQL } from './labelling-sql';

interface QualificationRow {
  status: 'passed' | 'failed';
  answered: number;
  accuracy: number;
}

interface LeaseRow {
  task_id: string;
  expires_at: Date;
  resumed: boolean;
  data: Record<string, unknown>;
}

const percent = (x: number) => `${Math.round(x * 100)}%`;

/**
 * `next`: one task for the calling annotator, leased by `queue_lease_next` (migrations, labelling) so
 * that concurrent callers never receive a task beyond its overlap. Gold tasks come mixed in at the
 * project's rate and look like any other; while a qualification is pending only gold is served, and an
 * annotator who failed it gets no more tasks of the project.
 */
@Injectable()
export class QueueService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: ProjectAccess,
  ) {}

  async next(principal: Principal, ability: AppAbility | undefined, projectId: string, holding?: string): Promise<QueueNextResponse | null> {
    const project = await this.access.require(principal, ability, 'label', 'Task', projectId, { activeOnly: true });
    const onlyGold = await this.mustQualify(principal, project);
    const wantGold = onlyGold || Math.random() * 100 < project.goldPercent;
    // The lease and its task in one statement. Only a lease handed back again can have the caller's
    // draft: a new one is of a task they have no annotation of.
    const [lease] = await this.db.sql<LeaseRow>(LEASE_SQL, [
      projectId,
      project.overlap,
      project.leaseSeconds,
      wantGold,
      onlyGold,
      holding ?? null,
      principal.orgId,
    ]);
    if (!lease) return null;
    const [draft] = lease.resumed
      ? await this.db.sql<{ result: Record<string, unknown>; updated_at: Date }>(DRAFT_SQL, [principal.orgId, lease.task_id, principal.id])
      : [];
    // The read trail: who was shown which task, when. Last, so the chain's lock is held briefly.
    await this.audit.append({
      action: 'task.leased',
      targetType: 'task',
      targetId: lease.task_id,
      details: { projectId, expiresAt: lease.expires_at.toISOString(), resumed: lease.resumed, ahead: holding !== undefined },
    });
    return {
      task: { id: lease.task_id, data: lease.data },
      lease: { expiresAt: lease.expires_at.toISOString() },
      draft: draft ? { result: draft.result, updatedAt: draft.updated_at.toISOString() } : null,
    };
  }

  /** True while the caller still has to qualify (gold only); 403 once they failed. */
  private async mustQualify(principal: Principal, project: ProjectRecord): Promise<boolean> {
    if (!project.qualification) return false;
    const [q] = await this.db.sql<QualificationRow>(
      'SELECT status, answered, accuracy FROM qualifications WHERE org_id = $1 AND project_id = $2 AND user_id = $3',
      [principal.orgId, project.id, principal.id],
    );
    if (!q) return true;
    if (q.status === 'failed') {
      throw new AppError(
        'QUALIFICATION_FAILED',
        `you did not pass this project's qualification: ${percent(q.accuracy)} on ${q.answered} gold tasks, ` +
          `${percent(project.qualification.minAccuracy)} needed; ask the project's manager`,
      );
    }
    return false;
  }
}

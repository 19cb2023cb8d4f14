import { Injectable } from '@nestjs/common';
import type { AppAbility, ListTasksQuery, TaskPage, TaskStatus, TaskView } from '@enclave/contracts';
import { Db } from '../core/db/tenant';
import { CURSOR_PATTERNS, decodeCursor, encodeCursor } from '../core/http/cursor';
import type { Principal } from '../core/http/request-context';
import { ProjectAccess } from './project-access';
import { ProjectsService } from './projects.service';

interface TaskRow {
  id: string;
  seq: string;
  external_id: string | null;
  data: Record<string, unknown>;
  priority: number;
  gold_answer: Record<string, unknown> | null;
  status: TaskStatus;
  created_at: Date;
}

function view(r: TaskRow): TaskView {
  return {
    id: r.id,
    externalId: r.external_id,
    data: r.data,
    priority: r.priority,
    gold: r.gold_answer !== null,
    goldAnswer: r.gold_answer,
    status: r.status,
    createdAt: r.created_at.toISOString(),
  };
}

/** The manager's view of a project's tasks: import order, a status filter, a keyset cursor and counts. */
@Injectable()
export class ProjectTasksService {
  constructor(
    private readonly db: Db,
    private readonly access: ProjectAccess,
    private readonly projects: ProjectsService,
  ) {}

  async list(principal: Principal, ability: AppAbility | undefined, projectId: string, q: ListTasksQuery): Promise<TaskPage> {
    await this.access.require(principal, ability, 'list', 'Task', projectId);
    const params: unknown[] = [principal.orgId, projectId];
    const where = ['org_id = $1', 'project_id = $2'];
    if (q.status) where.push(`status = $${params.push(q.status)}`);
    if (q.cursor) where.push(`seq > $${params.push(decodeCursor('task', q.cursor, [CURSOR_PATTERNS.integer])[0])}::bigint`);
    const limit = params.push(q.limit + 1);
    const rows = await this.db.sql<TaskRow>(
      `SELECT id, seq, external_id, data, priority, gold_answer, status, created_at
         FROM tasks WHERE ${where.join(' AND ')} ORDER BY seq LIMIT $${limit}`,
      params,
    );
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(view),
      nextCursor: rows.length > q.limit && last ? encodeCursor('task', [String(last.seq)]) : null,
      counts: await this.projects.taskCounts(projectId),
    };
  }
}

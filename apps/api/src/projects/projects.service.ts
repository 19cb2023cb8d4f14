import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  DEFAULT_LEASE_SECONDS,
  DEFAULT_OVERLAP,
  findTemplate,
  type AppAbility,
  type CreateProjectInput,
  type LabelConfig,
  type ListProjectsQuery,
  type Page,
  type ProjectView,
  type TaskCounts,
  type UpdateProjectInput,
} from '@enclave/contracts';
import { breakingConfigChanges } from '@enclave/labeling';
import { AuditService } from '../core/audit/audit.service';
import { assertCan } from '../core/authz/authz';
import { Db } from '../core/db/tenant';
import { AppError } from '../core/errors/app-error';
import { CURSOR_PATTERNS, decodeCursor, encodeCursor } from '../core/http/cursor';
import type { Principal } from '../core/http/request-context';
import { renderMarkdown } from './markdown';
import { PROJECT_SELECT, ProjectAccess, projectRecord, seesAllProjects, type ProjectRecord, type ProjectRow } from './project-access';
import { SampleDataLoader } from './sample-data';

export function projectView(p: ProjectRecord, taskCounts?: TaskCounts): ProjectView {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    instructions: p.instructions,
    instructionsHtml: renderMarkdown(p.instructions),
    labelConfig: p.labelConfig,
    configVersion: p.configVersion,
    overlap: p.overlap,
    leaseSeconds: p.leaseSeconds,
    reviewMode: p.reviewMode,
    reviewSamplePercent: p.reviewSamplePercent,
    goldPercent: p.goldPercent,
    qualification: p.qualification,
    templateId: p.templateId,
    status: p.status,
    myRole: p.myRole,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
    archivedAt: p.archivedAt?.toISOString() ?? null,
    ...(taskCounts ? { taskCounts } : {}),
  };
}


/**
 * Projects: who sees which (owners and admins every project; everyone else the projects they are a
 * member of, filtered in SQL), and the settings managers change. The label configuration is
 * versioned: every change writes a new row of `project_configs`, and a change that could invalidate
 * existing annotations needs the caller's explicit confirmation.
 */
@Injectable()
export class ProjectsService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: ProjectAccess,
    private readonly samples: SampleDataLoader,
  ) {}

  async list(principal: Principal, q: ListProjectsQuery): Promise<Page<ProjectView>> {
    const params: unknown[] = [principal.id, principal.orgId];
    const where = ['p.org_id = $2'];
    if (!seesAllProjects(principal)) where.push('m.user_id IS NOT NULL');
    if (q.status !== 'all') where.push(`p.status = $${params.push(q.status)}`);
    if (q.cursor) {
      const [at, id] = decodeCursor('project', q.cursor, [CURSOR_PATTERNS.timestamp, CURSOR_PATTERNS.uuid]);
      const a = params.push(at);
      const b = params.push(id);
      where.push(`(p.created_at, p.id) < ($${a}::timestamptz, $${b}::uuid)`);
    }
    const limit = params.push(q.limit + 1);
    const rows = await this.db.sql<ProjectRow>(
      `${PROJECT_SELECT} WHERE ${where.join(' AND ')} ORDER BY p.created_at DESC, p.id DESC LIMIT $${limit}`,
      params,
    );
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => projectView(projectRecord(r))),
      nextCursor: rows.length > q.limit && last ? encodeCursor('project', [last.cursor_at, last.id]) : null,
    };
  }

  async get(principal: Principal, ability: AppAbility | undefined, projectId: string): Promise<ProjectView> {
    const project = await this.access.require(principal, ability, 'read', 'Project', projectId);
    return projectView(project, await this.taskCounts(project.id));
  }

  async create(principal: Principal, ability: AppAbility | undefined, input: CreateProjectInput): Promise<ProjectView> {
    assertCan(ability, 'create', 'Project', 'project');
    let labelConfig: LabelConfig;
    let instructions = input.instructions;
    const template = input.template === undefined ? undefined : findTemplate(input.template);
    if (input.template !== undefined) {
      if (!template) {
        throw new AppError('VALIDATION_FAILED', `template: no template named "${input.template}"`, [
          { path: 'template', message: `no template named "${input.template}"` },
        ]);
      }
      labelConfig = template.labelConfig;
      instructions ??= template.instructions;
    } else {
      labelConfig = input.labelConfig!;
    }
    const id = randomUUID();
    const reviewMode = input.reviewMode ?? 'none';
    // No RETURNING: the project row is inserted before the creator's membership that makes it theirs.
    await this.db.exec(
      `INSERT INTO projects (org_id, id, name, description, instructions, label_config, overlap, lease_seconds,
                             review_mode, review_sample_percent, template_id, created_by, gold_percent,
                             qualification_tasks, qualification_min_accuracy)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        principal.orgId,
        id,
        input.name,
        input.description ?? '',
        instructions ?? '',
        JSON.stringify(labelConfig),
        input.overlap ?? DEFAULT_OVERLAP,
        input.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
        reviewMode,
        reviewMode === 'sample' ? input.reviewSamplePercent : null,
        template?.id ?? null,
        principal.id,
        input.goldPercent ?? 10,
        input.qualification?.tasks ?? null,
        input.qualification?.minAccuracy ?? null,
      ],
    );
    await this.db.exec(
      `INSERT INTO project_configs (org_id, project_id, version, label_config, created_by) VALUES ($1, $2, 1, $3, $4)`,
      [principal.orgId, id, JSON.stringify(labelConfig), principal.id],
    );
    // The creator manages what they created.
    await this.db.exec(
      `INSERT INTO project_members (org_id, project_id, user_id, role, added_by) VALUES ($1, $2, $3, 'manager', $3)`,
      [principal.orgId, id, principal.id],
    );
    await this.audit.append({
      action: 'project.created',
      targetType: 'project',
      targetId: id,
      details: { name: input.name, template: template?.id ?? null, configVersion: 1 },
    });
    const project = (await this.access.find(principal, id))!;
    if (template && input.includeSampleData) {
      const imported = await this.samples.load(principal, project, template);
      await this.audit.append({
        action: 'tasks.imported',
        targetType: 'project',
        targetId: id,
        details: { rows: imported, format: 'template-sample', template: template.id },
      });
    }
    return projectView(project, await this.taskCounts(id));
  }

  async update(principal: Principal, ability: AppAbility | undefined, projectId: string, input: UpdateProjectInput): Promise<ProjectView> {
    const project = await this.access.require(principal, ability, 'update', 'Project', projectId, { activeOnly: true, forUpdate: true });
    const changed: string[] = [];
    const sets: string[] = [];
    const params: unknown[] = [principal.orgId, projectId];
    const set = (column: string, value: unknown, field: string) => {
      sets.push(`${column} = $${params.push(value)}`);
      changed.push(field);
    };
    if (input.name !== undefined) set('name', input.name, 'name');
    if (input.description !== undefined) set('description', input.description, 'description');
    if (input.instructions !== undefined) set('instructions', input.instructions, 'instructions');
    if (input.overlap !== undefined) set('overlap', input.overlap, 'overlap');
    if (input.leaseSeconds !== undefined) set('lease_seconds', input.leaseSeconds, 'leaseSeconds');
    if (input.goldPercent !== undefined) set('gold_percent', input.goldPercent, 'goldPercent');
    if (input.qualification !== undefined) {
      set('qualification_tasks', input.qualification?.tasks ?? null, 'qualification');
      sets.push(`qualification_min_accuracy = $${params.push(input.qualification?.minAccuracy ?? null)}`);
    }
    const reviewMode = input.reviewMode ?? project.reviewMode;
    if (input.reviewMode !== undefined || input.reviewSamplePercent !== undefined) {
      if (reviewMode === 'sample' && (input.reviewSamplePercent ?? project.reviewSamplePercent) == null) {
        throw new AppError('VALIDATION_FAILED', 'reviewSamplePercent: required when reviewMode is "sample"', [
          { path: 'reviewSamplePercent', message: 'required when reviewMode is "sample"' },
        ]);
      }
      if (reviewMode !== 'sample' && typeof input.reviewSamplePercent === 'number') {
        throw new AppError('VALIDATION_FAILED', 'reviewSamplePercent: only allowed when reviewMode is "sample"', [
          { path: 'reviewSamplePercent', message: 'only allowed when reviewMode is "sample"' },
        ]);
      }
      set('review_mode', reviewMode, 'reviewMode');
      set('review_sample_percent', reviewMode === 'sample' ? (input.reviewSamplePercent ?? project.reviewSamplePercent) : null, 'reviewSamplePercent');
    }

    let configVersion = project.configVersion;
    let breaking: string[] = [];
    if (input.labelConfig !== undefined && JSON.stringify(input.labelConfig) !== JSON.stringify(project.labelConfig)) {
      breaking = breakingConfigChanges(project.labelConfig, input.labelConfig);
      if (breaking.length > 0 && input.confirmBreakingChanges !== true) {
        throw new AppError(
          'CONFIG_BREAKING_CHANGE',
          `this label configuration change could invalidate existing annotations (${breaking.length} change(s)); send it again with "confirmBreakingChanges": true to apply it`,
          breaking.map((message) => ({ path: 'labelConfig', message })),
          {
            auditFailure: {
              action: 'project.config_change_refused',
              targetType: 'project',
              targetId: projectId,
              details: { configVersion, breakingChanges: breaking },
            },
          },
        );
      }
      configVersion += 1;
      set('label_config', JSON.stringify(input.labelConfig), 'labelConfig');
      sets.push(`config_version = $${params.push(configVersion)}`);
      await this.db.exec(
        `INSERT INTO project_configs (org_id, project_id, version, label_config, created_by) VALUES ($1, $2, $3, $4, $5)`,
        [principal.orgId, projectId, configVersion, JSON.stringify(input.labelConfig), principal.id],
      );
    }
    if (sets.length > 0) {
      await this.db.exec(`UPDATE projects SET ${sets.join(', ')}, updated_at = now() WHERE org_id = $1 AND id = $2`, params);
      if (input.overlap !== undefined && input.overlap !== project.overlap) {
        // A task is complete at `overlap` submitted annotations: the new overlap reopens or completes tasks.
        await this.db.exec(
          `UPDATE tasks SET status = CASE WHEN submitted_count >= $3 THEN 'completed' ELSE 'open' END
            WHERE org_id = $1 AND project_id = $2 AND gold_answer IS NULL
              AND status <> CASE WHEN submitted_count >= $3 THEN 'completed' ELSE 'open' END`,
          [principal.orgId, projectId, input.overlap],
        );
      }
      await this.audit.append({
        action: 'project.updated',
        targetType: 'project',
        targetId: projectId,
        details: {
          changed,
          ...(configVersion !== project.configVersion
            ? { configVersion, previousConfigVersion: project.configVersion, breakingChanges: breaking, confirmed: breaking.length > 0 }
            : {}),
        },
      });
    }
    const updated = (await this.access.find(principal, projectId))!;
    return projectView(updated, await this.taskCounts(projectId));
  }

  async archive(principal: Principal, ability: AppAbility | undefined, projectId: string): Promise<ProjectView> {
    const project = await this.access.require(principal, ability, 'archive', 'Project', projectId, { forUpdate: true });
    if (project.status === 'active') {
      await this.db.exec(
        `UPDATE projects SET status = 'archived', archived_at = now(), updated_at = now() WHERE org_id = $1 AND id = $2`,
        [principal.orgId, projectId],
      );
      // Nobody keeps working on an archived project: its leases end with it.
      await this.db.exec('DELETE FROM task_leases WHERE org_id = $1 AND project_id = $2', [principal.orgId, projectId]);
      await this.audit.append({ action: 'project.archived', targetType: 'project', targetId: projectId });
    }
    const archived = (await this.access.find(principal, projectId))!;
    return projectView(archived, await this.taskCounts(projectId));
  }

  /** Counts by status, from the (org_id, project_id, status, seq) index. */
  async taskCounts(projectId: string): Promise<TaskCounts> {
    const rows = await this.db.sql<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM tasks WHERE org_id = app_current_org() AND project_id = $1 GROUP BY status`,
      [projectId],
    );
    const counts: TaskCounts = { total: 0, open: 0, completed: 0 };
    for (const r of rows) {
      const n = Number(r.n);
      counts.total += n;
      if (r.status === 'open' || r.status === 'completed') counts[r.status] += n;
    }
    return counts;
  }
}

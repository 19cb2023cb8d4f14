import { Injectable } from '@nestjs/common';
import { subject } from '@casl/ability';
import type { Action, AppAbility, LabelConfig, ProjectRole, ProjectStatus, ReviewMode } from '@enclave/contracts';
import { assertCan } from '../core/authz/authz';
import { Db } from '../core/db/tenant';
import { AppError } from '../core/errors/app-error';
import type { Principal } from '../core/http/request-context';

/** A project row as the caller sees it, with the caller's role in it. */
export interface ProjectRecord {
  orgId: string;
  id: string;
  name: string;
  description: string;
  instructions: string;
  labelConfig: LabelConfig;
  configVersion: number;
  overlap: number;
  leaseSeconds: number;
  reviewMode: ReviewMode;
  reviewSamplePercent: number | null;
  goldPercent: number;
  qualification: { tasks: number; minAccuracy: number } | null;
  templateId: string | null;
  status: ProjectStatus;
  createdAt: Date;
  updatedAt: Date;
  archivedAt: Date | null;
  myRole: ProjectRole | null;
}

export interface ProjectRow {
  org_id: string;
  id: string;
  name: string;
  description: string;
  instructions: string;
  label_config: LabelConfig;
  config_version: number;
  overlap: number;
  lease_seconds: number;
  review_mode: ReviewMode;
  review_sample_percent: number | null;
  gold_percent: number;
  qualification_tasks: number | null;
  qualification_min_accuracy: number | null;
  template_id: string | null;
  status: ProjectStatus;
  created_at: Date;
  updated_at: Date;
  archived_at: Date | null;
  my_role: ProjectRole | null;
  /** The creation time at full precision, for list cursors. */
  cursor_at: string;
}

/** The columns of a project and the caller's role in it; `$1` is the caller's user id. */
export const PROJECT_SELECT = `
  SELECT p.org_id, p.id, p.name, p.description, p.instructions, p.label_config, p.config_version, p.overlap,
         p.lease_seconds, p.review_mode, p.review_sample_percent, p.gold_percent,
         p.qualification_tasks, p.qualification_min_accuracy, p.template_id, p.status, p.created_at,
         p.updated_at, p.archived_at, m.role AS my_role,
         to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
    FROM projects p
    LEFT JOIN project_members m ON m.org_id = p.org_id AND m.project_id = p.id AND m.user_id = $1`;

/** One project as the caller sees it ($1 user, $2 organization, $3 project), locked or not. */
export function projectByIdSql(forUpdate = false): string {
  return `${PROJECT_SELECT} WHERE p.org_id = $2 AND p.id = $3 ${forUpdate ? 'FOR UPDATE OF p' : ''}`;
}

export function projectRecord(r: ProjectRow): ProjectRecord {
  return {
    orgId: r.org_id,
    id: r.id,
    name: r.name,
    description: r.description,
    instructions: r.instructions,
    labelConfig: r.label_config,
    configVersion: r.config_version,
    overlap: r.overlap,
    leaseSeconds: r.lease_seconds,
    reviewMode: r.review_mode,
    reviewSamplePercent: r.review_sample_percent,
    goldPercent: r.gold_percent,
    qualification:
      r.qualification_tasks === null || r.qualification_min_accuracy === null
        ? null
        : { tasks: r.qualification_tasks, minAccuracy: r.qualification_min_accuracy },
    templateId: r.template_id,
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    archivedAt: r.archived_at,
    myRole: r.my_role,
  };
}

export function seesAllProjects(principal: Principal): boolean {
  return principal.role === 'owner' || principal.role === 'admin';
}

/** A project row as the caller may see it: null for none, or for a project they are not a member of. */
function visible(principal: Principal, row: ProjectRow | undefined): ProjectRecord | null {
  if (!row) return null;
  const project = projectRecord(row);
  if (!seesAllProjects(principal) && project.myRole === null) return null;
  return project;
}

export type ProjectScopedSubjectName = 'Project' | 'ProjectMember' | 'Task' | 'Asset' | 'Annotation' | 'ProjectStats';

/**
 * The one way a route reaches a project: load it as the caller sees it, answer 404 when it is not
 * there for them (another tenant's id, or a project they are not a member of), then check the action
 * on the instance with CASL (403).
 */
@Injectable()
export class ProjectAccess {
  constructor(private readonly db: Db) {}

  /** The project, or null when the caller cannot see it. */
  async find(principal: Principal, projectId: string, opts: { forUpdate?: boolean } = {}): Promise<ProjectRecord | null> {
    const [row] = await this.db.sql<ProjectRow>(projectByIdSql(opts.forUpdate), [principal.id, principal.orgId, projectId]);
    return visible(principal, row);
  }

  /**
   * The project when the caller may do `action` on `subjectName` in it: 404 when they cannot see it,
   * 403 when they may not act, 409 when the action changes an archived project.
   */
  async require(
    principal: Principal,
    ability: AppAbility | undefined,
    action: Action,
    subjectName: ProjectScopedSubjectName,
    projectId: string,
    opts: { activeOnly?: boolean; forUpdate?: boolean } = {},
  ): Promise<ProjectRecord> {
    return this.check(principal, ability, action, subjectName, await this.find(principal, projectId, opts), opts);
  }

  /**
   * `require`'s checks on a project row the caller read within a statement of their own (joined with
   * PROJECT_SELECT, `$1` the caller's id), to spare a round trip on a hot path.
   */
  checkRow(
    principal: Principal,
    ability: AppAbility | undefined,
    action: Action,
    subjectName: ProjectScopedSubjectName,
    row: ProjectRow | undefined,
    opts: { activeOnly?: boolean } = {},
  ): ProjectRecord {
    return this.check(principal, ability, action, subjectName, visible(principal, row), opts);
  }

  private check(
    principal: Principal,
    ability: AppAbility | undefined,
    action: Action,
    subjectName: ProjectScopedSubjectName,
    project: ProjectRecord | null,
    opts: { activeOnly?: boolean },
  ): ProjectRecord {
    if (!project) throw AppError.notFound('project');
    assertCan(ability, action, subject(subjectName, { myRole: project.myRole }), subjectName === 'Project' ? 'project' : `${subjectName} of this project`);
    if (opts.activeOnly && project.status !== 'active') {
      throw new AppError('PROJECT_ARCHIVED', 'this project is archived and takes no changes');
    }
    return project;
  }
}

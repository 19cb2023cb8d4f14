import { Injectable } from '@nestjs/common';
import {
  maxProjectRole,
  projectRoleAllowed,
  type AppAbility,
  type OrgRole,
  type ProjectMemberView,
  type ProjectRole,
  type UserStatus,
} from '@enclave/contracts';
import { AuditService } from '../core/audit/audit.service';
import { Db } from '../core/db/tenant';
import { AppError } from '../core/errors/app-error';
import type { Principal } from '../core/http/request-context';
import { ProjectAccess } from './project-access';

interface MemberRow {
  user_id: string;
  name: string;
  email: string;
  org_role: OrgRole;
  role: ProjectRole;
  added_at: Date;
}

const MEMBER_SELECT = `
  SELECT m.user_id, u.name, u.email, u.role AS org_role, m.role, m.added_at
    FROM project_members m
    JOIN users u ON u.org_id = m.org_id AND u.id = m.user_id`;

function view(r: MemberRow): ProjectMemberView {
  return { userId: r.user_id, name: r.name, email: r.email, orgRole: r.org_role, role: r.role, addedAt: r.added_at.toISOString() };
}

/**
 * The people of a project. A member's project role never exceeds what their organization role allows
 * (an annotator of the organization labels, a reviewer may also review, managers and above may
 * manage). Removing a member ends their leases, so their tasks go back to the queue at once.
 */
@Injectable()
export class MembersService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: ProjectAccess,
  ) {}

  async list(principal: Principal, ability: AppAbility | undefined, projectId: string): Promise<{ items: ProjectMemberView[] }> {
    await this.access.require(principal, ability, 'list', 'ProjectMember', projectId);
    const rows = await this.db.sql<MemberRow>(`${MEMBER_SELECT} WHERE m.org_id = $1 AND m.project_id = $2 ORDER BY u.name, u.id`, [
      principal.orgId,
      projectId,
    ]);
    return { items: rows.map(view) };
  }

  async put(
    principal: Principal,
    ability: AppAbility | undefined,
    projectId: string,
    userId: string,
    role: ProjectRole,
  ): Promise<ProjectMemberView> {
    await this.access.require(principal, ability, 'update', 'ProjectMember', projectId, { activeOnly: true, forUpdate: true });
    // Another tenant's user is invisible here (row-level security): the same 404 as an unknown id.
    const [user] = await this.db.sql<{ id: string; role: OrgRole; status: UserStatus }>(
      'SELECT id, role, status FROM users WHERE org_id = $1 AND id = $2',
      [principal.orgId, userId],
    );
    if (!user) throw AppError.notFound('user');
    if (user.status !== 'active') throw new AppError('CONFLICT', 'this user is disabled; enable them before adding them to a project');
    if (!projectRoleAllowed(user.role, role)) {
      const most = maxProjectRole(user.role);
      throw new AppError('VALIDATION_FAILED', `role: a ${user.role} of the organization can be at most ${most} in a project`, [
        { path: 'role', message: `at most ${most} for a ${user.role} of the organization` },
      ]);
    }
    const [before] = await this.db.sql<{ role: ProjectRole }>(
      'SELECT role FROM project_members WHERE org_id = $1 AND project_id = $2 AND user_id = $3 FOR UPDATE',
      [principal.orgId, projectId, userId],
    );
    if (!before) {
      await this.db.exec(
        `INSERT INTO project_members (org_id, project_id, user_id, role, added_by) VALUES ($1, $2, $3, $4, $5)`,
        [principal.orgId, projectId, userId, role, principal.id],
      );
      await this.audit.append({ action: 'project.member_added', targetType: 'project', targetId: projectId, details: { userId, role } });
    } else if (before.role !== role) {
      await this.db.exec(
        `UPDATE project_members SET role = $4, updated_at = now() WHERE org_id = $1 AND project_id = $2 AND user_id = $3`,
        [principal.orgId, projectId, userId, role],
      );
      await this.audit.append({
        action: 'project.member_role_changed',
        targetType: 'project',
        targetId: projectId,
        details: { userId, from: before.role, to: role },
      });
    }
    const [row] = await this.db.sql<MemberRow>(`${MEMBER_SELECT} WHERE m.org_id = $1 AND m.project_id = $2 AND m.user_id = $3`, [
      principal.orgId,
      projectId,
      userId,
    ]);
    return view(row!);
  }

  async remove(principal: Principal, ability: AppAbility | undefined, projectId: string, userId: string): Promise<void> {
    await this.access.require(principal, ability, 'delete', 'ProjectMember', projectId, { forUpdate: true });
    const removed = await this.db.sql<{ role: ProjectRole }>(
      'DELETE FROM project_members WHERE org_id = $1 AND project_id = $2 AND user_id = $3 RETURNING role',
      [principal.orgId, projectId, userId],
    );
    if (removed.length === 0) throw AppError.notFound('member', { auditDenial: false });
    const leasesReleased = await this.db.exec('DELETE FROM task_leases WHERE org_id = $1 AND project_id = $2 AND user_id = $3', [
      principal.orgId,
      projectId,
      userId,
    ]);
    await this.audit.append({
      action: 'project.member_removed',
      targetType: 'project',
      targetId: projectId,
      details: { userId, role: removed[0]!.role, leasesReleased },
    });
  }
}

import { Injectable } from '@nestjs/common';
import { subject } from '@casl/ability';
import {
  roleRank,
  type CreateUserInput,
  type OrgRole,
  type Page,
  type UpdateUserInput,
  type UserStatus,
  type UserView,
} from '@enclave/contracts';
import { AuditService } from '../core/audit/audit.service';
import { hashPassword, passwordProblem } from '../core/auth/passwords';
import { revokeCredentials } from '../core/auth/auth.service';
import { assertCan } from '../core/authz/authz';
import { Db } from '../core/db/tenant';
import { AppError } from '../core/errors/app-error';
import { decodeCursor, encodeCursor } from '../core/http/cursor';
import type { Principal } from '../core/http/request-context';
import type { AppAbility } from '@enclave/contracts';

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: OrgRole;
  status: UserStatus;
  created_at: Date;
}

const USER_COLUMNS = 'id, email, name, role, status, created_at';

function view(r: UserRow): UserView {
  return { id: r.id, email: r.email, name: r.name, role: r.role, status: r.status, createdAt: r.created_at.toISOString() };
}

function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

/**
 * The organization's people. Route guards check the action; these methods check the instance: an
 * admin manages staff, only an owner appoints or changes owners and admins, nobody raises their own
 * role, and the last active owner stays.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
  ) {}

  async list(principal: Principal, limit: number, cursor: string | undefined): Promise<Page<UserView>> {
    const after = cursor ? decodeEmailCursor(cursor) : null;
    const rows = await this.db.sql<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE org_id = $1 AND ($2::text IS NULL OR email > $2) ORDER BY email LIMIT $3`,
      [principal.orgId, after, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(view), nextCursor: rows.length > limit && last ? encodeEmailCursor(last.email) : null };
  }

  async get(principal: Principal, ability: AppAbility, id: string): Promise<UserView> {
    const user = await this.find(principal, id);
    assertCan(ability, 'read', subject('User', { id: user.id, role: user.role }), 'user');
    return view(user);
  }

  async create(principal: Principal, ability: AppAbility, input: CreateUserInput): Promise<UserView> {
    assertCan(ability, 'create', subject('User', { id: '', role: input.role }), `${input.role}`);
    const problem = passwordProblem(input.password, { email: input.email, name: input.name });
    if (problem) throw new AppError('WEAK_PASSWORD', `password: ${problem}`, [{ path: 'password', message: problem }]);
    const passwordHash = await hashPassword(input.password);
    try {
      await this.db.sql('INSERT INTO email_directory (email) VALUES ($1)', [input.email]);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new AppError('EMAIL_TAKEN', 'email: this address already has an account', [
          { path: 'email', message: 'already has an account' },
        ]);
      }
      throw err;
    }
    const [row] = await this.db.sql<UserRow>(
      `INSERT INTO users (org_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING ${USER_COLUMNS}`,
      [principal.orgId, input.email, input.name, input.role, passwordHash],
    );
    await this.audit.append({ action: 'user.created', targetType: 'user', targetId: row!.id, details: { role: input.role, email: input.email } });
    return view(row!);
  }

  async update(principal: Principal, ability: AppAbility, id: string, input: UpdateUserInput): Promise<UserView> {
    const current = await this.find(principal, id, true);
    const next = { role: input.role ?? current.role, status: input.status ?? current.status };
    // Both the user as they are and as they would be must be within the caller's reach: an admin can
    // neither touch an admin nor make one.
    assertCan(ability, 'update', subject('User', { id: current.id, role: current.role }), 'user');
    assertCan(ability, 'update', subject('User', { id: current.id, role: next.role }), `user into a ${next.role}`);
    if (current.id === principal.id && principal.role !== 'operator' && roleRank(next.role) > roleRank(principal.role as OrgRole)) {
      throw AppError.forbidden('nobody raises their own role');
    }
    const losesOwner = current.role === 'owner' && current.status === 'active' && (next.role !== 'owner' || next.status !== 'active');
    if (losesOwner) {
      // Lock every active owner so that two owners demoting each other at once cannot both succeed.
      const owners = await this.db.sql<{ id: string }>(
        "SELECT id FROM users WHERE org_id = $1 AND role = 'owner' AND status = 'active' FOR UPDATE",
        [principal.orgId],
      );
      if (owners.filter((o) => o.id !== current.id).length === 0) {
        throw new AppError('LAST_OWNER', 'the last active owner cannot be disabled or demoted; make another owner first');
      }
    }
    const [row] = await this.db.sql<UserRow>(
      `UPDATE users SET name = coalesce($3, name), role = $4, status = $5, updated_at = now()
        WHERE org_id = $1 AND id = $2 RETURNING ${USER_COLUMNS}`,
      [principal.orgId, id, input.name ?? null, next.role, next.status],
    );
    if (next.status === 'disabled' && current.status !== 'disabled') await revokeCredentials(this.db, principal.orgId!, id);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (input.name !== undefined && input.name !== current.name) changes.name = { from: current.name, to: input.name };
    if (next.role !== current.role) changes.role = { from: current.role, to: next.role };
    if (next.status !== current.status) changes.status = { from: current.status, to: next.status };
    const action = changes.role ? 'user.role_changed' : changes.status ? `user.${next.status === 'disabled' ? 'disabled' : 'enabled'}` : 'user.updated';
    await this.audit.append({ action, targetType: 'user', targetId: id, details: { changes } });
    return view(row!);
  }

  private async find(principal: Principal, id: string, forUpdate = false): Promise<UserRow> {
    const [row] = await this.db.sql<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE org_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
      [principal.orgId, id],
    );
    // Another tenant's id reads as unknown: row-level security hides it, and so does the org filter.
    if (!row) throw AppError.notFound('user');
    return row;
  }
}

function encodeEmailCursor(email: string): string {
  return encodeCursor('email', [email]);
}

function decodeEmailCursor(cursor: string): string {
  return decodeCursor('email', cursor, [/^[^|]{1,300}$/])[0]!;
}

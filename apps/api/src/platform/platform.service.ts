import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { CreateOrgInput, OrgStatus, OrgView, Page } from '@enclave/contracts';
import { AuditService } from '../core/audit/audit.service';
import { hashPassword, passwordProblem } from '../core/auth/passwords';
import { Db } from '../core/db/tenant';
import { AppError } from '../core/errors/app-error';
import { decodeCursor, encodeCursor } from '../core/http/cursor';

interface OrgRow {
  org_id: string;
  name: string;
  slug: string;
  status: OrgStatus;
  user_count?: string;
  created_at?: Date;
}

function view(r: OrgRow): OrgView {
  return {
    id: r.org_id,
    name: r.name,
    slug: r.slug,
    status: r.status,
    ...(r.user_count !== undefined ? { userCount: Number(r.user_count) } : {}),
    ...(r.created_at ? { createdAt: r.created_at.toISOString() } : {}),
  };
}

/**
 * The operator's work: organizations, never their contents. The operator's transaction has no
 * tenant; writing a new organization's rows happens under that organization's scope (`actingFor`),
 * and each action lands in the organization's chain and in the platform's.
 */
@Injectable()
export class PlatformService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
  ) {}

  async createOrg(input: CreateOrgInput): Promise<OrgView> {
    const problem = passwordProblem(input.owner.password, { email: input.owner.email, name: input.owner.name });
    if (problem) {
      throw new AppError('WEAK_PASSWORD', `owner.password: ${problem}`, [{ path: 'owner.password', message: problem }]);
    }
    const passwordHash = await hashPassword(input.owner.password);
    const orgId = randomUUID();
    const [existing] = await this.db.sql<{ org_id: string | null }>('SELECT platform_org_id_by_slug($1) AS org_id', [input.slug]);
    if (existing?.org_id) throw new AppError('SLUG_TAKEN', 'slug: another organization uses it', [{ path: 'slug', message: 'already in use' }]);
    const org = await this.db.actingFor(orgId, async () => {
      try {
        await this.db.sql('INSERT INTO email_directory (email) VALUES ($1)', [input.owner.email]);
      } catch (err) {
        if ((err as { code?: string }).code === '23505') {
          throw new AppError('EMAIL_TAKEN', 'owner.email: this address already has an account', [
            { path: 'owner.email', message: 'already has an account' },
          ]);
        }
        throw err;
      }
      let row: OrgRow | undefined;
      try {
        [row] = await this.db.sql<OrgRow>(
          'INSERT INTO organizations (org_id, name, slug) VALUES ($1, $2, $3) RETURNING org_id, name, slug, status, created_at',
          [orgId, input.name, input.slug],
        );
      } catch (err) {
        if ((err as { code?: string }).code === '23505') {
          throw new AppError('SLUG_TAKEN', 'slug: another organization uses it', [{ path: 'slug', message: 'already in use' }]);
        }
        throw err;
      }
      const [owner] = await this.db.sql<{ id: string }>(
        `INSERT INTO users (org_id, email, name, role, password_hash) VALUES ($1, $2, $3, 'owner', $4) RETURNING id`,
        [orgId, input.owner.email, input.owner.name, passwordHash],
      );
      await this.audit.append({ action: 'org.created', targetType: 'organization', targetId: orgId, details: { name: input.name, slug: input.slug } });
      await this.audit.append({ action: 'user.created', targetType: 'user', targetId: owner!.id, details: { role: 'owner', email: input.owner.email } });
      return row!;
    });
    await this.audit.append({ action: 'org.created', targetType: 'organization', targetId: orgId, details: { name: input.name, slug: input.slug } });
    return view({ ...org, user_count: '1' });
  }

  async listOrgs(limit: number, cursor: string | undefined): Promise<Page<OrgView>> {
    const after = cursor ? decodeSlugCursor(cursor) : null;
    const rows = await this.db.sql<OrgRow>('SELECT * FROM platform_list_orgs($1, $2)', [after, limit + 1]);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(view), nextCursor: rows.length > limit && last ? encodeCursor('slug', [last.slug]) : null };
  }

  async setStatus(orgId: string, status: OrgStatus): Promise<OrgView> {
    const [found] = await this.db.sql<OrgRow>('SELECT * FROM platform_find_org($1)', [orgId]);
    if (!found) throw AppError.notFound('organization', { auditDenial: false });
    if (found.status === status) return view(found);
    const updated = await this.db.actingFor(orgId, async () => {
      const [row] = await this.db.sql<OrgRow>(
        'UPDATE organizations SET status = $2, updated_at = now() WHERE org_id = $1 RETURNING org_id, name, slug, status, created_at',
        [orgId, status],
      );
      await this.audit.append({ action: `org.${status === 'suspended' ? 'suspended' : 'reactivated'}`, targetType: 'organization', targetId: orgId });
      return row!;
    });
    await this.audit.append({ action: `org.${status === 'suspended' ? 'suspended' : 'reactivated'}`, targetType: 'organization', targetId: orgId });
    return view(updated);
  }
}

function decodeSlugCursor(cursor: string): string {
  return decodeCursor('slug', cursor, [/^[a-z0-9-]{1,63}$/])[0]!;
}

import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { LABEL_TEMPLATES, type OrgRole } from '@enclave/contracts';
import { AuditService } from '../core/audit/audit.service';
import { hashPassword } from '../core/auth/passwords';
import { APP_CONFIG, type AppConfig } from '../core/config/config';
import { abilityFor } from '../core/authz/authz';
import { Db } from '../core/db/tenant';
import type { Principal } from '../core/http/request-context';
import { MembersService } from '../projects/members.service';
import { ProjectsService } from '../projects/projects.service';

export interface DemoLogin {
  role: OrgRole | 'operator';
  email: string;
  password: string;
}

const DEMO_ROLES: OrgRole[] = ['owner', 'admin', 'manager', 'reviewer', 'annotator'];

/** A random, readable password: four groups of five letters and digits. */
function demoPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(20);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-');
}

/**
 * The demo organization a new user gets on the first start: one person per role, with random
 * passwords kept (mode 0600) under ENCLAVE_DATA_DIR so that every start can print them again, and one
 * project per template, loaded with the template's sample data, created by the demo manager with the
 * demo reviewer and annotator as members.
 */
@Injectable()
export class DemoSeeder {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly projects: ProjectsService,
    private readonly members: MembersService,
  ) {}

  private get credentialsFile(): string {
    return path.join(this.config.dataDir, 'secrets', 'demo-logins.json');
  }

  async savedLogins(): Promise<DemoLogin[]> {
    try {
      return JSON.parse(await fs.readFile(this.credentialsFile, 'utf8')) as DemoLogin[];
    } catch {
      return [];
    }
  }

  /** Seeds only a fresh instance (no organization yet). Returns the logins to print. */
  async seedIfFresh(): Promise<DemoLogin[]> {
    const orgs = await this.db.inTenant({ orgId: null, userId: null, role: 'system' }, () =>
      this.db.sql('SELECT * FROM platform_list_orgs(NULL, 1)'),
    );
    if (orgs.length > 0) return this.savedLogins();
    const orgId = randomUUID();
    const logins: DemoLogin[] = [];
    const userIds = {} as Record<OrgRole, string>;
    await this.db.inTenant({ orgId, userId: null, role: 'system' }, async () => {
      await this.db.sql("INSERT INTO organizations (org_id, name, slug) VALUES ($1, 'Demo Lab', 'demo')", [orgId]);
      await this.audit.append({ action: 'org.created', targetType: 'organization', targetId: orgId, details: { name: 'Demo Lab', slug: 'demo', demo: true } });
      for (const role of DEMO_ROLES) {
        const email = `${role}@demo.enclave.local`;
        const password = demoPassword();
        await this.db.sql('INSERT INTO email_directory (email) VALUES ($1)', [email]);
        const [user] = await this.db.sql<{ id: string }>(
          'INSERT INTO users (org_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING id',
          [orgId, email, `Demo ${role[0]!.toUpperCase()}${role.slice(1)}`, role, await hashPassword(password)],
        );
        await this.audit.append({ action: 'user.created', targetType: 'user', targetId: user!.id, details: { role, email, demo: true } });
        logins.push({ role, email, password });
        userIds[role] = user!.id;
      }
      await this.seedProjects(orgId, userIds);
    });
    await fs.mkdir(path.dirname(this.credentialsFile), { recursive: true, mode: 0o700 });
    await fs.writeFile(this.credentialsFile, JSON.stringify(logins, null, 2), { mode: 0o600 });
    return logins;
  }

  private async seedProjects(orgId: string, userIds: Record<OrgRole, string>): Promise<void> {
    const manager: Principal = {
      kind: 'user',
      id: userIds.manager,
      orgId,
      role: 'manager',
      email: 'manager@demo.enclave.local',
      name: 'Demo Manager',
      orgSlug: 'demo',
      orgName: 'Demo Lab',
      via: 'session',
    };
    const ability = abilityFor(manager);
    for (const template of LABEL_TEMPLATES) {
      const project = await this.projects.create(manager, ability, {
        name: template.name,
        description: template.description,
        template: template.id,
        includeSampleData: true,
        // Two passes per task where agreement matters, so the statistics have something to show.
        overlap: template.id === 'sft-writing' ? 1 : 2,
      });
      await this.members.put(manager, ability, project.id, userIds.reviewer, 'reviewer');
      await this.members.put(manager, ability, project.id, userIds.annotator, 'annotator');
    }
  }
}

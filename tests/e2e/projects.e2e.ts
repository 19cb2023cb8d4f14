import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  LabelConfigInput,
  OrgRole,
  Page,
  ProjectMemberView,
  ProjectView,
  TaskPage,
  TemplateView,
  UserView,
} from '@enclave/contracts';
import { LABEL_TEMPLATES } from '@enclave/contracts';
import {
  asMigrator,
  auditEvents,
  createOrg,
  expectDenialAudited,
  expectErrorShape,
  signIn,
  startApp,
  type RunningApp,
  type TestOrg,
} from '../support/app';
import type { Client } from '../support/http';

/** Projects, their settings and label configuration, their members and the manager's task list. */
let api: RunningApp;
let org: TestOrg;
let other: TestOrg;
const as = {} as Record<OrgRole, Client>;
let outsider: Client;

const CONFIG: LabelConfigInput = {
  fields: [{ name: 'text', type: 'text' }],
  questions: [
    { name: 'sentiment', type: 'single_choice', options: ['pos', 'neg', 'neutral'] },
    { name: 'entities', type: 'spans', field: 'text', labels: ['PER', 'ORG'] },
  ],
};

beforeAll(async () => {
  api = await startApp();
  [org, other] = await Promise.all([createOrg(api), createOrg(api)]);
  for (const role of ['owner', 'admin', 'manager', 'reviewer', 'annotator'] as const) as[role] = await signIn(api.url, org.users[role]);
  outsider = await signIn(api.url, other.users.owner);
});
afterAll(async () => {
  await api?.close();
});

const uniqueName = (tag: string) => `${tag} ${randomBytes(3).toString('hex')}`;

async function createProject(by: Client, body: Record<string, unknown> = {}): Promise<ProjectView> {
  const res = await by.post('/api/v1/projects', { name: uniqueName('Project'), labelConfig: CONFIG, ...body });
  expect(res.status, res.toString()).toBe(201);
  return res.json<ProjectView>();
}

async function addMember(by: Client, projectId: string, userId: string, role: string) {
  const res = await by.put(`/api/v1/projects/${projectId}/members/${userId}`, { role });
  expect(res.status, res.toString()).toBe(200);
  return res.json<ProjectMemberView>();
}

async function listAll(by: Client, query = ''): Promise<ProjectView[]> {
  const out: ProjectView[] = [];
  let cursor: string | null = null;
  do {
    const res = await by.get(`/api/v1/projects?limit=2${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status, res.toString()).toBe(200);
    const page = res.json<Page<ProjectView>>();
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

describe('creating projects', () => {
  it('lets a manager create a project with defaults, and makes them its manager', async () => {
    const p = await createProject(as.manager, { description: 'about', instructions: '# Read me' });
    expect(p).toMatchObject({
      configVersion: 1,
      overlap: 1,
      leaseSeconds: 900,
      reviewMode: 'none',
      reviewSamplePercent: null,
      status: 'active',
      myRole: 'manager',
      description: 'about',
      taskCounts: { total: 0, open: 0, completed: 0 },
    });
    expect(p.labelConfig.questions[0]).toMatchObject({ name: 'sentiment', required: true });
    expect(p.instructionsHtml).toBe('<h1>Read me</h1>\n');
    const events = await auditEvents(as.admin, { action: 'project.created' });
    expect(events.find((e) => e.targetId === p.id)?.actorId).toBe(org.users.manager.id);
  });

  it('renders instructions as sanitised markdown', async () => {
    const p = await createProject(as.manager, { instructions: '<script>alert(1)</script> [x](javascript:alert(1))' });
    expect(p.instructionsHtml).not.toMatch(/<script|<a /);
    expect(p.instructions).toBe('<script>alert(1)</script> [x](javascript:alert(1))');
  });

  it('refuses reviewers and annotators (403, audited)', async () => {
    for (const role of ['reviewer', 'annotator'] as const) {
      const res = await as[role].post('/api/v1/projects', { name: 'nope', labelConfig: CONFIG });
      expectErrorShape(res, 403, 'FORBIDDEN');
      await expectDenialAudited(as.admin, res.requestId, 403);
    }
  });

  it('names the exact path of a bad label configuration', async () => {
    const res = await as.manager.post('/api/v1/projects', {
      name: 'bad',
      labelConfig: { fields: [{ name: 'text', type: 'text' }], questions: [{ name: 'e', type: 'spans', field: 'nope', labels: ['A'] }] },
    });
    expectErrorShape(res, 400, 'VALIDATION_FAILED');
    expect(res.error.details).toContainEqual({ path: 'labelConfig.questions[0].field', message: expect.stringContaining('"nope"') });
  });

  it('refuses unknown settings, both or neither of labelConfig and template, and a bad review sample', async () => {
    const cases: Record<string, unknown>[] = [
      { name: 'x', labelConfig: CONFIG, orgId: org.orgId },
      { name: 'x' },
      { name: 'x', labelConfig: CONFIG, template: 'named-entities' },
      { name: 'x', labelConfig: CONFIG, reviewMode: 'sample' },
      { name: 'x', labelConfig: CONFIG, reviewMode: 'all', reviewSamplePercent: 10 },
      { name: 'x', labelConfig: CONFIG, overlap: 0 },
      { name: 'x', labelConfig: CONFIG, includeSampleData: true },
      { name: 'x', template: 'no-such-template' },
    ];
    for (const body of cases) expectErrorShape(await as.manager.post('/api/v1/projects', body), 400);
  });

  it('creates a project from every template, with its sample data', async () => {
    const res = await as.manager.get('/api/v1/templates');
    expect(res.status, res.toString()).toBe(200);
    const templates = res.json<{ items: TemplateView[] }>().items;
    expect(templates.map((t) => t.id).sort()).toEqual(LABEL_TEMPLATES.map((t) => t.id).sort());
    for (const t of templates) {
      const p = await createProject(as.manager, { labelConfig: undefined, template: t.id, includeSampleData: true });
      expect(p.templateId).toBe(t.id);
      expect(p.labelConfig).toEqual(t.labelConfig);
      expect(p.taskCounts?.total, t.id).toBe(t.sampleSize);
      expect(p.instructions.length).toBeGreaterThan(0);
    }
    expectErrorShape(await as.annotator.get('/api/v1/templates'), 403);
  });

  it('replaces sample image references with assets of the new project', async () => {
    const p = await createProject(as.manager, { labelConfig: undefined, template: 'image-boxes', includeSampleData: true });
    const tasks = (await as.manager.get(`/api/v1/projects/${p.id}/tasks?limit=500`)).json<TaskPage>();
    const ids = new Set(tasks.items.map((t) => t.data.image as string));
    expect(ids.size).toBeGreaterThan(1);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const img = await as.manager.get(`/api/v1/assets/${id}`);
      expect(img.status, img.toString()).toBe(200);
      expect(img.header('content-type')).toBe('image/png');
    }
  });
});

describe('who sees which project', () => {
  let p: ProjectView;
  beforeAll(async () => {
    p = await createProject(as.manager);
  });

  it('shows a project to its members and to owners and admins only', async () => {
    expectErrorShape(await as.annotator.get(`/api/v1/projects/${p.id}`), 404);
    expect((await listAll(as.annotator)).map((x) => x.id)).not.toContain(p.id);
    await addMember(as.manager, p.id, org.users.annotator.id, 'annotator');
    const seen = await as.annotator.get(`/api/v1/projects/${p.id}`);
    expect(seen.status, seen.toString()).toBe(200);
    expect(seen.json<ProjectView>().myRole).toBe('annotator');
    expect((await listAll(as.annotator)).map((x) => x.id)).toContain(p.id);
    for (const role of ['owner', 'admin'] as const) {
      expect((await listAll(as[role])).map((x) => x.id)).toContain(p.id);
      expect((await as[role].get(`/api/v1/projects/${p.id}`)).json<ProjectView>().myRole).toBeNull();
    }
  });

  it('hides a project from another tenant behind 404 on every route (audited)', async () => {
    for (const [method, path, body] of [
      ['GET', `/api/v1/projects/${p.id}`],
      ['PATCH', `/api/v1/projects/${p.id}`, { name: 'stolen' }],
      ['POST', `/api/v1/projects/${p.id}/archive`],
      ['GET', `/api/v1/projects/${p.id}/members`],
      ['PUT', `/api/v1/projects/${p.id}/members/${other.users.annotator.id}`, { role: 'annotator' }],
      ['DELETE', `/api/v1/projects/${p.id}/members/${org.users.manager.id}`],
      ['GET', `/api/v1/projects/${p.id}/tasks`],
    ] as const) {
      const res = await outsider.send(method, path, body);
      expectErrorShape(res, 404, 'NOT_FOUND');
      await expectDenialAudited(outsider, res.requestId, 404);
    }
    expect((await listAll(outsider)).map((x) => x.id)).not.toContain(p.id);
    expect((await as.manager.get(`/api/v1/projects/${p.id}`)).json<ProjectView>().name).toBe(p.name);
  });

  it('keeps a manager out of projects they do not manage', async () => {
    const res = await as.admin.post('/api/v1/users', {
      email: `m2.${randomBytes(4).toString('hex')}@example.test`,
      name: 'Second manager',
      role: 'manager',
      password: 'second manager passphrase',
    });
    expect(res.status, res.toString()).toBe(201);
    const m2 = res.json<UserView>();
    const m2c = await signIn(api.url, { email: m2.email, password: 'second manager passphrase' });
    expectErrorShape(await m2c.patch(`/api/v1/projects/${p.id}`, { name: 'taken over' }), 404);
    // As a mere annotator of the project, the same manager may read it but not change it.
    await addMember(as.manager, p.id, m2.id, 'annotator');
    expectErrorShape(await m2c.patch(`/api/v1/projects/${p.id}`, { name: 'taken over' }), 403);
    expectErrorShape(await m2c.get(`/api/v1/projects/${p.id}/tasks`), 403);
    await addMember(as.manager, p.id, m2.id, 'manager');
    expect((await m2c.patch(`/api/v1/projects/${p.id}`, { name: 'co-managed' })).status).toBe(200);
  });

  it('lets admins and owners change any project', async () => {
    const res = await as.admin.patch(`/api/v1/projects/${p.id}`, { description: 'by the admin' });
    expect(res.status, res.toString()).toBe(200);
    expect(res.json<ProjectView>().description).toBe('by the admin');
  });

  it('pages through the list with a cursor that cannot be forged into SQL', async () => {
    const mine = await listAll(as.manager, '&status=all');
    expect(new Set(mine.map((x) => x.id)).size).toBe(mine.length);
    const createdAt = mine.map((x) => x.createdAt);
    expect([...createdAt].sort().reverse()).toEqual(createdAt);
    for (const cursor of ['nonsense', Buffer.from("project:2020-01-01T00:00:00.000000Z|x' OR '1'='1").toString('base64url')]) {
      expectErrorShape(await as.manager.get(`/api/v1/projects?cursor=${cursor}`), 400, 'INVALID_PARAMETER');
    }
  });
});

describe('settings and the label configuration', () => {
  let p: ProjectView;
  beforeAll(async () => {
    p = await createProject(as.manager);
  });

  it('changes settings and records what changed', async () => {
    const res = await as.manager.patch(`/api/v1/projects/${p.id}`, { overlap: 3, leaseSeconds: 600, reviewMode: 'sample', reviewSamplePercent: 20 });
    expect(res.status, res.toString()).toBe(200);
    expect(res.json<ProjectView>()).toMatchObject({ overlap: 3, leaseSeconds: 600, reviewMode: 'sample', reviewSamplePercent: 20, configVersion: 1 });
    const back = await as.manager.patch(`/api/v1/projects/${p.id}`, { reviewMode: 'all' });
    expect(back.json<ProjectView>()).toMatchObject({ reviewMode: 'all', reviewSamplePercent: null });
    expectErrorShape(await as.manager.patch(`/api/v1/projects/${p.id}`, { reviewSamplePercent: 5 }), 400);
    expectErrorShape(await as.manager.patch(`/api/v1/projects/${p.id}`, {}), 400);
    expectErrorShape(await as.manager.patch(`/api/v1/projects/${p.id}`, { configVersion: 9 }), 400);
  });

  it('bumps configVersion on an additive change without asking', async () => {
    const next = structuredClone(CONFIG);
    (next.questions[0] as { options: string[] }).options.push('mixed');
    const res = await as.manager.patch(`/api/v1/projects/${p.id}`, { labelConfig: next });
    expect(res.status, res.toString()).toBe(200);
    expect(res.json<ProjectView>().configVersion).toBe(2);
    const rows = await asMigrator(api.migratorUrl, 'SELECT version FROM project_configs WHERE project_id = $1 ORDER BY version', [p.id]);
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
  });

  it('refuses a breaking change with 409 unless confirmed, and audits both', async () => {
    const breaking = { fields: CONFIG.fields, questions: [{ name: 'sentiment', type: 'single_choice', options: ['pos', 'neg'] }] };
    const refused = await as.manager.patch(`/api/v1/projects/${p.id}`, { labelConfig: breaking });
    expectErrorShape(refused, 409, 'CONFIG_BREAKING_CHANGE');
    expect(refused.error.details.length).toBeGreaterThanOrEqual(2); // an option and a question removed
    expect((await as.manager.get(`/api/v1/projects/${p.id}`)).json<ProjectView>().configVersion).toBe(2);
    const refusal = (await auditEvents(as.admin, { action: 'project.config_change_refused' })).find((e) => e.requestId === refused.requestId);
    expect(refusal?.outcome).toBe('failure');
    expect(refusal?.targetId).toBe(p.id);

    const confirmed = await as.manager.patch(`/api/v1/projects/${p.id}`, { labelConfig: breaking, confirmBreakingChanges: true });
    expect(confirmed.status, confirmed.toString()).toBe(200);
    expect(confirmed.json<ProjectView>().configVersion).toBe(3);
    const applied = (await auditEvents(as.admin, { action: 'project.updated' })).find((e) => e.requestId === confirmed.requestId);
    expect(applied?.details).toMatchObject({ configVersion: 3, previousConfigVersion: 2, confirmed: true });
    expect((applied?.details.breakingChanges as string[]).length).toBeGreaterThanOrEqual(2);
  });

  it('archives a project: it leaves the default list and takes no more changes', async () => {
    const q = await createProject(as.manager);
    // Annotators may never archive: the route refuses before it looks the project up.
    expectErrorShape(await as.annotator.post(`/api/v1/projects/${q.id}/archive`), 403);
    const res = await as.manager.post(`/api/v1/projects/${q.id}/archive`);
    expect(res.status, res.toString()).toBe(200);
    expect(res.json<ProjectView>()).toMatchObject({ status: 'archived', archivedAt: expect.any(String) });
    expect((await listAll(as.manager)).map((x) => x.id)).not.toContain(q.id);
    expect((await listAll(as.manager, '&status=archived')).map((x) => x.id)).toContain(q.id);
    expectErrorShape(await as.manager.patch(`/api/v1/projects/${q.id}`, { name: 'later' }), 409, 'PROJECT_ARCHIVED');
    expectErrorShape(await as.manager.put(`/api/v1/projects/${q.id}/members/${org.users.annotator.id}`, { role: 'annotator' }), 409);
    expect((await auditEvents(as.admin, { action: 'project.archived' })).some((e) => e.targetId === q.id)).toBe(true);
  });
});

describe('members', () => {
  let p: ProjectView;
  beforeAll(async () => {
    p = await createProject(as.manager);
  });

  it('adds, changes and lists members, each change audited', async () => {
    const added = await addMember(as.manager, p.id, org.users.reviewer.id, 'annotator');
    expect(added).toMatchObject({ userId: org.users.reviewer.id, role: 'annotator', orgRole: 'reviewer' });
    const changed = await addMember(as.manager, p.id, org.users.reviewer.id, 'reviewer');
    expect(changed.role).toBe('reviewer');
    const list = (await as.manager.get(`/api/v1/projects/${p.id}/members`)).json<{ items: ProjectMemberView[] }>().items;
    expect(list.map((m) => [m.userId, m.role]).sort()).toEqual(
      [
        [org.users.manager.id, 'manager'],
        [org.users.reviewer.id, 'reviewer'],
      ].sort(),
    );
    const events = await auditEvents(as.admin);
    expect(events.find((e) => e.action === 'project.member_added' && e.details.userId === org.users.reviewer.id)).toBeDefined();
    expect(events.find((e) => e.action === 'project.member_role_changed' && e.details.to === 'reviewer')?.details.from).toBe('annotator');
  });

  it('never gives a project role above the organization role', async () => {
    const res = await as.manager.put(`/api/v1/projects/${p.id}/members/${org.users.annotator.id}`, { role: 'manager' });
    expectErrorShape(res, 400);
    expect(res.error.details[0]?.path).toBe('role');
    expectErrorShape(await as.manager.put(`/api/v1/projects/${p.id}/members/${org.users.annotator.id}`, { role: 'owner' }), 400);
  });

  it('cannot add a user of another organization (404) or an unknown id', async () => {
    expectErrorShape(await as.manager.put(`/api/v1/projects/${p.id}/members/${other.users.annotator.id}`, { role: 'annotator' }), 404);
    expectErrorShape(await as.manager.put(`/api/v1/projects/${p.id}/members/00000000-0000-4000-8000-000000000000`, { role: 'annotator' }), 404);
    expectErrorShape(await as.manager.put(`/api/v1/projects/${p.id}/members/not-a-uuid`, { role: 'annotator' }), 400);
    const rows = await asMigrator(api.migratorUrl, 'SELECT count(*)::int AS n FROM project_members WHERE project_id = $1 AND user_id = $2', [
      p.id,
      other.users.annotator.id,
    ]);
    expect(rows[0]!.n).toBe(0);
  });

  it('lets only the project manager manage members', async () => {
    await addMember(as.manager, p.id, org.users.annotator.id, 'annotator');
    expectErrorShape(await as.annotator.get(`/api/v1/projects/${p.id}/members`), 403);
    expectErrorShape(await as.reviewer.put(`/api/v1/projects/${p.id}/members/${org.users.reviewer.id}`, { role: 'reviewer' }), 403);
    expectErrorShape(await as.annotator.delete(`/api/v1/projects/${p.id}/members/${org.users.annotator.id}`), 403);
  });

  it('releases the leases of a removed member', async () => {
    await addMember(as.manager, p.id, org.users.annotator.id, 'annotator');
    const [task] = await asMigrator(api.migratorUrl, `INSERT INTO tasks (org_id, project_id, data) VALUES ($1, $2, '{"text": "leased"}') RETURNING id`, [
      org.orgId,
      p.id,
    ]);
    await asMigrator(
      api.migratorUrl,
      `INSERT INTO task_leases (org_id, project_id, task_id, user_id, expires_at) VALUES ($1, $2, $3, $4, now() + interval '10 minutes')`,
      [org.orgId, p.id, task!.id, org.users.annotator.id],
    );
    const res = await as.manager.delete(`/api/v1/projects/${p.id}/members/${org.users.annotator.id}`);
    expect(res.status, res.toString()).toBe(204);
    const leases = await asMigrator(api.migratorUrl, 'SELECT count(*)::int AS n FROM task_leases WHERE project_id = $1', [p.id]);
    expect(leases[0]!.n).toBe(0);
    const event = (await auditEvents(as.admin, { action: 'project.member_removed' })).find((e) => e.requestId === res.requestId);
    expect(event?.details).toMatchObject({ userId: org.users.annotator.id, leasesReleased: 1 });
    expectErrorShape(await as.annotator.get(`/api/v1/projects/${p.id}`), 404);
    expectErrorShape(await as.manager.delete(`/api/v1/projects/${p.id}/members/${org.users.annotator.id}`), 404);
  });
});

describe('the task list', () => {
  let p: ProjectView;
  beforeAll(async () => {
    p = await createProject(as.manager, { labelConfig: undefined, template: 'text-classification', includeSampleData: true });
    // Complete two tasks behind the API's back, as the labelling engine will.
    await asMigrator(
      api.migratorUrl,
      `UPDATE tasks SET status = 'completed' WHERE id IN (SELECT id FROM tasks WHERE project_id = $1 ORDER BY seq LIMIT 2)`,
      [p.id],
    );
  });

  it('pages in import order with counts by status', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let counts: TaskPage['counts'] | undefined;
    do {
      const res = await as.manager.get(`/api/v1/projects/${p.id}/tasks?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status, res.toString()).toBe(200);
      const page = res.json<TaskPage>();
      seen.push(...page.items.map((t) => t.externalId ?? ''));
      counts = page.counts;
      cursor = page.nextCursor;
    } while (cursor);
    expect(counts).toEqual({ total: seen.length, open: seen.length - 2, completed: 2 });
    const inDb = await asMigrator(api.migratorUrl, 'SELECT external_id FROM tasks WHERE project_id = $1 ORDER BY seq', [p.id]);
    expect(seen).toEqual(inDb.map((r) => r.external_id));
  });

  it('filters by status and marks gold tasks', async () => {
    const done = (await as.manager.get(`/api/v1/projects/${p.id}/tasks?status=completed`)).json<TaskPage>();
    expect(done.items.map((t) => t.status)).toEqual(['completed', 'completed']);
    const all = (await as.manager.get(`/api/v1/projects/${p.id}/tasks?limit=500`)).json<TaskPage>();
    const gold = all.items.filter((t) => t.gold);
    expect(gold.length).toBeGreaterThan(0);
    expect(gold.every((t) => t.goldAnswer !== null)).toBe(true);
    expectErrorShape(await as.manager.get(`/api/v1/projects/${p.id}/tasks?status=done`), 400);
    expectErrorShape(await as.manager.get(`/api/v1/projects/${p.id}/tasks?limit=501`), 400);
    expectErrorShape(await as.manager.get(`/api/v1/projects/${p.id}/tasks?cursor=${Buffer.from('task:1 OR 1=1').toString('base64url')}`), 400);
  });

  it('is for the managers of the project', async () => {
    await addMember(as.manager, p.id, org.users.annotator.id, 'annotator');
    expectErrorShape(await as.annotator.get(`/api/v1/projects/${p.id}/tasks`), 403);
    expect((await as.admin.get(`/api/v1/projects/${p.id}/tasks`)).status).toBe(200);
  });
});

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AnnotationView,
  LabelConfigInput,
  OrgRole,
  ProjectView,
  QueueNextResponse,
  ReviewNextResponse,
} from '@enclave/contracts';
import { hashPassword } from '../../apps/api/src/core/auth/passwords';
import { Db } from '../../apps/api/src/core/db/tenant';
import {
  asMigrator,
  auditEvents,
  createOrg,
  expectErrorShape,
  signIn,
  startApp,
  TEST_PASSWORD,
  type RunningApp,
  type TestOrg,
} from '../support/app';
import type { Client, HttpResponse } from '../support/http';

/** The labelling engine over HTTP: the queue, drafts and submissions, skips, review, gold and qualification. */
let api: RunningApp;
let org: TestOrg;
let other: TestOrg;
const as = {} as Record<OrgRole, Client>;

const CONFIG: LabelConfigInput = {
  fields: [{ name: 'text', type: 'text' }],
  questions: [
    { name: 'sentiment', type: 'single_choice', options: ['pos', 'neg', 'neutral'] },
    { name: 'note', type: 'text', required: false, maxLength: 200 },
  ],
};
const POS = { sentiment: 'pos' };

beforeAll(async () => {
  api = await startApp();
  [org, other] = await Promise.all([createOrg(api), createOrg(api)]);
  for (const role of ['owner', 'admin', 'manager', 'reviewer', 'annotator'] as const) as[role] = await signIn(api.url, org.users[role]);
});
afterAll(async () => {
  await api?.close();
});

interface Extra {
  id: string;
  client: Client;
}

/** More people of one role in `org`, written as the seeders do, each signed in. */
async function addPeople(role: OrgRole, n: number): Promise<Extra[]> {
  const db = api.app.get(Db);
  const hash = await hashPassword(TEST_PASSWORD);
  const people = await db.inTenant({ orgId: org.orgId, userId: null, role: 'system' }, async () => {
    const out: { id: string; email: string }[] = [];
    for (let i = 0; i < n; i++) {
      const email = `${role}-${i}-${randomBytes(4).toString('hex')}.${org.slug}@example.test`;
      await db.sql('INSERT INTO email_directory (email) VALUES ($1)', [email]);
      const [u] = await db.sql<{ id: string }>(
        'INSERT INTO users (org_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING id',
        [org.orgId, email, `${role} ${i}`, role, hash],
      );
      out.push({ id: u!.id, email });
    }
    return out;
  });
  return Promise.all(people.map(async (p) => ({ id: p.id, client: await signIn(api.url, { email: p.email }) })));
}

async function createProject(settings: Record<string, unknown> = {}, config: LabelConfigInput = CONFIG): Promise<ProjectView> {
  const res = await as.manager.post('/api/v1/projects', { name: `Labelling ${randomBytes(3).toString('hex')}`, labelConfig: config, ...settings });
  expect(res.status, res.toString()).toBe(201);
  return res.json<ProjectView>();
}

async function addMember(projectId: string, userId: string, role = 'annotator') {
  const res = await as.manager.put(`/api/v1/projects/${projectId}/members/${userId}`, { role });
  expect(res.status, res.toString()).toBe(200);
}

/** Tasks written as the migrator: `{text, priority?, gold?}` in import order. */
async function addTasks(projectId: string, rows: { text: string; priority?: number; gold?: Record<string, unknown> }[]): Promise<string[]> {
  const out: string[] = [];
  for (const r of rows) {
    const [t] = await asMigrator(
      api.migratorUrl,
      'INSERT INTO tasks (org_id, project_id, data, priority, gold_answer) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [org.orgId, projectId, { text: r.text }, r.priority ?? 0, r.gold ?? null],
    );
    out.push(t!.id as string);
  }
  return out;
}

const next = (c: Client, projectId: string) => c.post(`/api/v1/projects/${projectId}/queue/next`);
const save = (c: Client, taskId: string, result: Record<string, unknown>, status: 'draft' | 'submitted' = 'submitted', leadTimeMs = 1500) =>
  c.put(`/api/v1/tasks/${taskId}/annotation`, { result, status, leadTimeMs });

function leased(res: HttpResponse): QueueNextResponse {
  expect(res.status, res.toString()).toBe(200);
  return res.json<QueueNextResponse>();
}

const expireLeases = (taskId: string) =>
  asMigrator(api.migratorUrl, `UPDATE task_leases SET expires_at = now() - interval '1 second' WHERE task_id = $1`, [taskId]);

describe('the queue', () => {
  it('hands out tasks by priority then import order, the same lease again on asking again, and 204 at the end', async () => {
    const p = await createProject();
    await addMember(p.id, org.users.annotator.id);
    const [low, high, low2] = await addTasks(p.id, [{ text: 'low' }, { text: 'high', priority: 5 }, { text: 'low 2' }]);
    const first = leased(await next(as.annotator, p.id));
    expect(first.task).toEqual({ id: high, data: { text: 'high' } });
    expect(first.draft).toBeNull();
    expect(Date.parse(first.lease.expiresAt) - Date.now()).toBeGreaterThan(800_000);
    const again = leased(await next(as.annotator, p.id));
    expect(again.task.id).toBe(high);
    expect(again.lease.expiresAt).toBe(first.lease.expiresAt);

    const order: string[] = [high!];
    expect((await save(as.annotator, high!, POS)).status).toBe(200);
    for (;;) {
      const res = await next(as.annotator, p.id);
      if (res.status === 204) break;
      const n = leased(res);
      order.push(n.task.id);
      expect((await save(as.annotator, n.task.id, POS)).status).toBe(200);
    }
    expect(order).toEqual([high, low, low2]);
    const events = await auditEvents(as.admin, { action: 'task.leased' });
    const mine = events.filter((e) => e.actorId === org.users.annotator.id && e.details.projectId === p.id);
    expect(mine.map((e) => e.targetId).sort()).toEqual([high, high, low, low2].sort());
  });

  it('is for members: a non-member gets 404, another tenant 404, an archived project 409', async () => {
    const p = await createProject();
    await addTasks(p.id, [{ text: 'x' }]);
    expectErrorShape(await next(as.annotator, p.id), 404);
    const outsider = await signIn(api.url, other.users.owner);
    expectErrorShape(await next(outsider, p.id), 404);
    await addMember(p.id, org.users.annotator.id);
    expect((await as.manager.post(`/api/v1/projects/${p.id}/archive`)).status).toBe(200);
    expectErrorShape(await next(as.annotator, p.id), 409, 'PROJECT_ARCHIVED');
  });

  it('fetches a second task ahead for the task on screen, and never more than two', async () => {
    const p = await createProject();
    await addMember(p.id, org.users.annotator.id);
    const [a, b, c] = await addTasks(p.id, [{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
    const onScreen = leased(await next(as.annotator, p.id));
    expect(onScreen.task.id).toBe(a);
    const ahead = leased(await as.annotator.post(`/api/v1/projects/${p.id}/queue/next`, { holding: a }));
    expect(ahead.task.id).toBe(b);
    // Asking again, with or without the task on screen, changes nothing: two leases at most.
    expect(leased(await as.annotator.post(`/api/v1/projects/${p.id}/queue/next`, { holding: a })).task.id).toBe(b);
    expect(leased(await next(as.annotator, p.id)).task.id).toBe(a);
    expect((await save(as.annotator, a!, POS)).status).toBe(200);
    expect(leased(await as.annotator.post(`/api/v1/projects/${p.id}/queue/next`, { holding: b })).task.id).toBe(c);
    const leases = await asMigrator(api.migratorUrl, 'SELECT task_id FROM task_leases WHERE project_id = $1 ORDER BY leased_at', [p.id]);
    expect(leases.map((l) => l.task_id)).toEqual([b, c]);
    expectErrorShape(await as.annotator.post(`/api/v1/projects/${p.id}/queue/next`, { holding: 'nope' }), 400);
  });

  it('gives an expired lease back to the queue, and the annotator their draft when they come back', async () => {
    const p = await createProject();
    await addMember(p.id, org.users.annotator.id);
    const [a] = await addTasks(p.id, [{ text: 'only' }]);
    leased(await next(as.annotator, p.id));
    expect((await save(as.annotator, a!, { sentiment: 'neg' }, 'draft')).status).toBe(200);
    await expireLeases(a!);
    const back = leased(await next(as.annotator, p.id));
    expect(back.task.id).toBe(a);
    expect(back.draft?.result).toEqual({ sentiment: 'neg' });
  });
});

describe('annotations', () => {
  let p: ProjectView;
  let tasks: string[];
  beforeAll(async () => {
    p = await createProject();
    await addMember(p.id, org.users.annotator.id);
    await addMember(p.id, org.users.reviewer.id, 'reviewer');
    tasks = await addTasks(p.id, [{ text: 'one' }, { text: 'two' }, { text: 'three' }]);
  });

  it('validates a submission and names each failing question; drafts may be incomplete', async () => {
    const t = leased(await next(as.annotator, p.id)).task.id;
    const bad = await save(as.annotator, t, { sentiment: 'great', note: 'x'.repeat(201), extra: 1 });
    expectErrorShape(bad, 400, 'VALIDATION_FAILED');
    expect(bad.error.details.map((d) => d.path).sort()).toEqual(['result.extra', 'result.note', 'result.sentiment']);
    expectErrorShape(await save(as.annotator, t, {}), 400);
    expect((await save(as.annotator, t, {}, 'draft')).json<AnnotationView>().status).toBe('draft');
    expectErrorShape(await as.annotator.put(`/api/v1/tasks/${t}/annotation`, { result: POS, status: 'done' }), 400);
  });

  it('keeps every submitted revision, creates one revision for a retried request, and records lead time and config version', async () => {
    const t = leased(await next(as.annotator, p.id)).task.id;
    const one = (await save(as.annotator, t, POS, 'submitted', 2000)).json<AnnotationView>();
    expect(one).toMatchObject({ status: 'submitted', revision: 1, configVersion: 1, leadTimeMs: 2000 });
    const retry = (await save(as.annotator, t, POS, 'submitted', 2000)).json<AnnotationView>();
    expect(retry.revision).toBe(1);
    const two = (await save(as.annotator, t, { sentiment: 'neutral' }, 'submitted', 900)).json<AnnotationView>();
    expect(two.revision).toBe(2);
    const list = (await as.annotator.get(`/api/v1/tasks/${t}/annotations`)).json<{ items: AnnotationView[] }>().items;
    expect(list).toHaveLength(1);
    expect(list[0]!.revisions!.map((r) => [r.revision, r.result, r.leadTimeMs])).toEqual([
      [1, POS, 2000],
      [2, { sentiment: 'neutral' }, 900],
    ]);
    const [row] = await asMigrator(api.migratorUrl, 'SELECT submitted_count FROM tasks WHERE id = $1', [t]);
    expect(row!.submitted_count).toBe(1);
    expectErrorShape(await save(as.annotator, t, POS, 'draft'), 409);
    const events = (await auditEvents(as.admin, { action: 'annotation.submitted' })).filter((e) => e.targetId === one.id);
    expect(events.map((e) => e.details.revision).sort()).toEqual([1, 2]);
  });

  it('lets only the leaseholder write', async () => {
    const free = tasks[2]!;
    expectErrorShape(await save(as.reviewer, free, POS), 403);
    expectErrorShape(await as.reviewer.post(`/api/v1/tasks/${free}/skip`, {}), 403);
    const outsider = await signIn(api.url, other.users.owner);
    expectErrorShape(await save(outsider, free, POS), 404);
    expectErrorShape(await save(as.manager, '00000000-0000-4000-8000-000000000000', POS), 404);
  });

  it('shows an annotator only their own annotations, and reviewers all of them', async () => {
    const t = leased(await next(as.reviewer, p.id)).task.id;
    expect((await save(as.reviewer, t, POS)).status).toBe(200);
    const forAnnotator = (await as.annotator.get(`/api/v1/tasks/${t}/annotations`)).json<{ items: AnnotationView[] }>().items;
    expect(forAnnotator.every((a) => a.userId === org.users.annotator.id)).toBe(true);
    const forReviewer = (await as.reviewer.get(`/api/v1/tasks/${t}/annotations`)).json<{ items: AnnotationView[] }>().items;
    expect(forReviewer.map((a) => a.userId)).toContain(org.users.reviewer.id);
    const rows = await asMigrator(api.migratorUrl, 'SELECT count(*)::int AS n FROM annotations WHERE task_id = $1', [t]);
    expect(forReviewer).toHaveLength(rows[0]!.n);
  });
});

describe('lost leases and skips', () => {
  it('accepts a late submission while the task still needs it, and refuses it with 409 once it does not', async () => {
    const p = await createProject();
    const [second] = await addPeople('annotator', 1);
    await addMember(p.id, org.users.annotator.id);
    await addMember(p.id, second!.id);
    const [a, b] = await addTasks(p.id, [{ text: 'a' }, { text: 'b' }]);

    expect(leased(await next(as.annotator, p.id)).task.id).toBe(a);
    await expireLeases(a!);
    // Nobody else took it: the late submission is welcome.
    expect((await save(as.annotator, a!, POS)).status).toBe(200);

    expect(leased(await next(as.annotator, p.id)).task.id).toBe(b);
    await expireLeases(b!);
    expect(leased(await next(second!.client, p.id)).task.id).toBe(b);
    expect((await save(second!.client, b!, POS)).status).toBe(200);
    const late = await save(as.annotator, b!, { sentiment: 'neg' });
    expectErrorShape(late, 409, 'LEASE_LOST');
    const rows = await asMigrator(api.migratorUrl, 'SELECT count(*)::int AS n FROM annotations WHERE task_id = $1', [b]);
    expect(rows[0]!.n).toBe(1);
  });

  it('skips with a reason: the task is not offered again to that annotator, and the skip is audited', async () => {
    const p = await createProject();
    await addMember(p.id, org.users.annotator.id);
    const [a, b] = await addTasks(p.id, [{ text: 'unreadable' }, { text: 'fine' }]);
    expect(leased(await next(as.annotator, p.id)).task.id).toBe(a);
    const res = await as.annotator.post(`/api/v1/tasks/${a}/skip`, { reason: 'not English' });
    expect(res.status, res.toString()).toBe(204);
    expect(leased(await next(as.annotator, p.id)).task.id).toBe(b);
    await save(as.annotator, b!, POS);
    expect((await next(as.annotator, p.id)).status).toBe(204);
    const event = (await auditEvents(as.admin, { action: 'task.skipped' })).find((e) => e.targetId === a);
    expect(event?.details.reason).toBe('not English');
    // Another annotator still gets it.
    await addMember(p.id, org.users.reviewer.id, 'reviewer');
    expect(leased(await next(as.reviewer, p.id)).task.id).toBe(a);
  });
});

describe('review', () => {
  it('takes the task lock before the annotation lock in a review, as a save does, so the two never deadlock', async () => {
    const p = await createProject({ reviewMode: 'all' });
    await addMember(p.id, org.users.annotator.id);
    await addMember(p.id, org.users.reviewer.id, 'reviewer');
    const [t] = await addTasks(p.id, [{ text: 'locks' }]);
    leased(await next(as.annotator, p.id));
    const ann = (await save(as.annotator, t!, POS)).json<AnnotationView>();
    expect((await as.reviewer.post(`/api/v1/projects/${p.id}/review/next`)).status).toBe(200);

    // Another transaction holds the task's row, as a save of this task does first.
    const holder = new pg.Client({ connectionString: api.migratorUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE', [t]);
      const review = as.reviewer.post(`/api/v1/annotations/${ann.id}/review`, { verdict: 'accept' });
      // The review now waits for a row lock on the task (asked on a connection of its own: inside a
      // transaction, pg_stat_activity is a snapshot)...
      const waiting = async () =>
        (
          await asMigrator<{ n: number }>(
            api.migratorUrl,
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%FROM tasks%FOR UPDATE%'`,
          )
        )[0]!.n;
      const deadline = Date.now() + 10_000;
      while ((await waiting()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await waiting()).toBe(1);
      // ...holding nothing on the annotation, which the save would lock next.
      await holder.query('SELECT 1 FROM annotations WHERE id = $1 FOR UPDATE NOWAIT', [ann.id]);
      await holder.query('ROLLBACK');
      const done = await review;
      expect(done.status, done.toString()).toBe(200);
      expect(done.json<AnnotationView>().status).toBe('accepted');
    } finally {
      await holder.end();
    }
  });

  it('hands reviewers submitted annotations (never their own); a rejection sends the task to someone else', async () => {
    const p = await createProject({ reviewMode: 'all' });
    const [second] = await addPeople('annotator', 1);
    await addMember(p.id, org.users.annotator.id);
    await addMember(p.id, second!.id);
    await addMember(p.id, org.users.reviewer.id, 'reviewer');
    const [t] = await addTasks(p.id, [{ text: 'review me' }]);

    leased(await next(as.annotator, p.id));
    const ann = (await save(as.annotator, t!, { sentiment: 'neg' })).json<AnnotationView>();
    expect((await as.annotator.post(`/api/v1/projects/${p.id}/review/next`)).status).toBe(403);

    const r = await as.reviewer.post(`/api/v1/projects/${p.id}/review/next`);
    expect(r.status, r.toString()).toBe(200);
    const picked = r.json<ReviewNextResponse>();
    expect(picked.annotation.id).toBe(ann.id);
    expect(picked.task).toEqual({ id: t, data: { text: 'review me' } });

    expectErrorShape(await as.reviewer.post(`/api/v1/annotations/${ann.id}/review`, { verdict: 'reject' }), 400);
    const rejected = await as.reviewer.post(`/api/v1/annotations/${ann.id}/review`, { verdict: 'reject', comment: 'this is positive' });
    expect(rejected.status, rejected.toString()).toBe(200);
    expect(rejected.json<AnnotationView>().status).toBe('rejected');
    expectErrorShape(await as.reviewer.post(`/api/v1/annotations/${ann.id}/review`, { verdict: 'accept' }), 409);
    expect((await as.reviewer.post(`/api/v1/projects/${p.id}/review/next`)).status).toBe(204);

    // Back in the queue, but not for the rejected annotator.
    expect((await next(as.annotator, p.id)).status).toBe(204);
    expect(leased(await next(second!.client, p.id)).task.id).toBe(t);
    expectErrorShape(await save(as.annotator, t!, POS), 409);
    const events = await auditEvents(as.admin, { action: 'annotation.reviewed' });
    expect(events.find((e) => e.targetId === ann.id)?.details).toMatchObject({ verdict: 'reject' });
  });

  it('records a correction as a new revision by the reviewer, validated like any other', async () => {
    const p = await createProject({ reviewMode: 'all' });
    await addMember(p.id, org.users.annotator.id);
    await addMember(p.id, org.users.reviewer.id, 'reviewer');
    const [t] = await addTasks(p.id, [{ text: 'correct me' }]);
    leased(await next(as.annotator, p.id));
    const ann = (await save(as.annotator, t!, { sentiment: 'neg' })).json<AnnotationView>();
    expect((await as.reviewer.post(`/api/v1/projects/${p.id}/review/next`)).status).toBe(200);
    const bad = await as.reviewer.post(`/api/v1/annotations/${ann.id}/review`, { verdict: 'accept', correctedResult: { sentiment: 'meh' } });
    expectErrorShape(bad, 400);
    expect(bad.error.details[0]?.path).toBe('correctedResult.sentiment');
    const ok = await as.reviewer.post(`/api/v1/annotations/${ann.id}/review`, { verdict: 'accept', correctedResult: POS, comment: 'fixed' });
    expect(ok.status, ok.toString()).toBe(200);
    expect(ok.json<AnnotationView>()).toMatchObject({ status: 'accepted', revision: 2, result: POS });
    const list = (await as.annotator.get(`/api/v1/tasks/${t}/annotations`)).json<{ items: AnnotationView[] }>().items;
    expect(list[0]!.revisions!.map((r) => [r.kind, r.authorId])).toEqual([
      ['submission', org.users.annotator.id],
      ['correction', org.users.reviewer.id],
    ]);
    expect(list[0]!.reviews![0]).toMatchObject({ verdict: 'accept', comment: 'fixed', correctedRevision: 2 });
    expectErrorShape(await save(as.annotator, t!, { sentiment: 'neg' }), 409);
  });

  it('never hands a reviewer their own annotation, and refuses reviewing it', async () => {
    const p = await createProject({ reviewMode: 'all' });
    await addMember(p.id, org.users.reviewer.id, 'reviewer');
    const [t] = await addTasks(p.id, [{ text: 'mine' }]);
    leased(await next(as.reviewer, p.id));
    const ann = (await save(as.reviewer, t!, POS)).json<AnnotationView>();
    expect((await as.reviewer.post(`/api/v1/projects/${p.id}/review/next`)).status).toBe(204);
    expectErrorShape(await as.reviewer.post(`/api/v1/annotations/${ann.id}/review`, { verdict: 'accept' }), 403);
  });

  it('picks a sample for review in mode sample: neither none nor all of 60 submissions at 50%', async () => {
    const p = await createProject({ reviewMode: 'sample', reviewSamplePercent: 50, goldPercent: 0 });
    await addMember(p.id, org.users.annotator.id);
    await addTasks(p.id, Array.from({ length: 60 }, (_, i) => ({ text: `t${i}` })));
    for (;;) {
      const res = await next(as.annotator, p.id);
      if (res.status === 204) break;
      expect((await save(as.annotator, leased(res).task.id, POS)).status).toBe(200);
    }
    const [row] = await asMigrator(
      api.migratorUrl,
      `SELECT count(*) FILTER (WHERE needs_review)::int AS picked, count(*)::int AS total FROM annotations WHERE project_id = $1`,
      [p.id],
    );
    expect(row!.total).toBe(60);
    // Binomial(60, 0.5): outside 6..54 with a probability below one in a billion.
    expect(row!.picked).toBeGreaterThan(5);
    expect(row!.picked).toBeLessThan(55);
  });

  it('picks no annotation for review in mode none', async () => {
    const p = await createProject();
    await addMember(p.id, org.users.annotator.id);
    await addMember(p.id, org.users.reviewer.id, 'reviewer');
    const [t] = await addTasks(p.id, [{ text: 'x' }]);
    leased(await next(as.annotator, p.id));
    await save(as.annotator, t!, POS);
    expect((await as.reviewer.post(`/api/v1/projects/${p.id}/review/next`)).status).toBe(204);
  });
});

describe('gold and qualification', () => {
  it('mixes gold in, indistinguishable, and scores each gold submission', async () => {
    const p = await createProject({ goldPercent: 100 });
    await addMember(p.id, org.users.annotator.id);
    const [real, gold] = await addTasks(p.id, [{ text: 'real' }, { text: 'gold', gold: { sentiment: 'pos' } }]);
    const first = await next(as.annotator, p.id);
    const body = leased(first);
    expect(body.task.id).toBe(gold);
    expect(Object.keys(body).sort()).toEqual(['draft', 'lease', 'task']);
    expect(Object.keys(body.task).sort()).toEqual(['data', 'id']);
    expect(first.text).not.toMatch(/gold_answer|goldAnswer|isGold|is_gold/);
    const saved = await save(as.annotator, gold!, { sentiment: 'neg' });
    expect(Object.keys(saved.json<object>())).not.toContain('score');
    const [score] = await asMigrator(api.migratorUrl, 'SELECT score FROM gold_scores WHERE task_id = $1', [gold]);
    expect(score!.score).toBe(0);
    expect(leased(await next(as.annotator, p.id)).task.id).toBe(real);
    // Gold does not count towards the overlap.
    const [g] = await asMigrator(api.migratorUrl, 'SELECT submitted_count, status FROM tasks WHERE id = $1', [gold]);
    expect(g).toMatchObject({ submitted_count: 0, status: 'open' });
  });

  it('serves only gold until the qualification is decided, then real tasks or nothing', async () => {
    const p = await createProject({ qualification: { tasks: 2, minAccuracy: 0.75 }, goldPercent: 0 });
    const [good, bad] = await addPeople('annotator', 2);
    await addMember(p.id, good!.id);
    await addMember(p.id, bad!.id);
    const [real] = await addTasks(p.id, [
      { text: 'real', priority: 10 },
      { text: 'g1', gold: { sentiment: 'pos' } },
      { text: 'g2', gold: { sentiment: 'neg' } },
      { text: 'g3', gold: { sentiment: 'neutral' } },
    ]);
    const answers: Record<string, string> = { g1: 'pos', g2: 'neg', g3: 'neutral' };
    for (let i = 0; i < 2; i++) {
      const t = leased(await next(good!.client, p.id)).task;
      expect(t.id).not.toBe(real);
      await save(good!.client, t.id, { sentiment: answers[t.data.text as string] });
    }
    expect(leased(await next(good!.client, p.id)).task.id).toBe(real);

    for (let i = 0; i < 2; i++) {
      const t = leased(await next(bad!.client, p.id)).task;
      expect(t.id).not.toBe(real);
      await save(bad!.client, t.id, { sentiment: 'pos' === answers[t.data.text as string] ? 'neg' : 'pos' });
    }
    const refused = await next(bad!.client, p.id);
    expectErrorShape(refused, 403, 'QUALIFICATION_FAILED');
    expect(refused.error.message).toMatch(/0% on 2 gold tasks, 75% needed/);
    const rows = await asMigrator(api.migratorUrl, 'SELECT user_id, status FROM qualifications WHERE project_id = $1 ORDER BY status', [p.id]);
    expect(rows).toEqual([
      { user_id: bad!.id, status: 'failed' },
      { user_id: good!.id, status: 'passed' },
    ]);
    const events = await auditEvents(as.admin, { action: 'qualification.failed' });
    expect(events.some((e) => e.details.userId === bad!.id)).toBe(true);
  });
});

describe('under concurrency', () => {
  it('gives every task exactly `overlap` annotations by different people when dozens race, and loses none', async () => {
    const OVERLAP = 2;
    const TASKS = 40;
    const p = await createProject({ overlap: OVERLAP, goldPercent: 0 });
    const people = await addPeople('annotator', 24);
    for (const person of people) await addMember(p.id, person.id);
    const ids = await addTasks(p.id, Array.from({ length: TASKS }, (_, i) => ({ text: `task ${i}`, priority: i % 3 })));

    const submitted: { user: string; task: string }[] = [];
    const failures: string[] = [];
    await Promise.all(
      people.map(async (person) => {
        for (;;) {
          const res = await next(person.client, p.id);
          if (res.status === 204) return;
          if (res.status !== 200) {
            failures.push(`next ${res.toString()}`);
            return;
          }
          const { task } = res.json<QueueNextResponse>();
          const s = await save(person.client, task.id, POS);
          if (s.status !== 200) failures.push(`submit ${s.toString()}`);
          else submitted.push({ user: person.id, task: task.id });
        }
      }),
    );
    expect(failures).toEqual([]);
    expect(submitted).toHaveLength(TASKS * OVERLAP);
    const rows = await asMigrator(
      api.migratorUrl,
      `SELECT t.id, t.status, t.submitted_count, count(a.id)::int AS n, count(DISTINCT a.user_id)::int AS people
         FROM tasks t LEFT JOIN annotations a ON a.org_id = t.org_id AND a.task_id = t.id AND a.status = 'submitted'
        WHERE t.project_id = $1 GROUP BY t.id, t.status, t.submitted_count`,
      [p.id],
    );
    expect(rows).toHaveLength(TASKS);
    for (const r of rows) expect(r, `task ${r.id}`).toMatchObject({ status: 'completed', submitted_count: OVERLAP, n: OVERLAP, people: OVERLAP });
    expect(new Set(submitted.map((s) => `${s.user}:${s.task}`)).size).toBe(submitted.length);
    expect(new Set(submitted.map((s) => s.task))).toEqual(new Set(ids));
    const leases = await asMigrator(api.migratorUrl, 'SELECT count(*)::int AS n FROM task_leases WHERE project_id = $1', [p.id]);
    expect(leases[0]!.n).toBe(0);
  }, 120_000);
});

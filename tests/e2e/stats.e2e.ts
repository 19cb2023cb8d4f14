import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AnnotatorStats,
  LabelConfigInput,
  OrgRole,
  ProjectStatsView,
  ProjectView,
  QuestionAgreement,
} from '@enclave/contracts';
import { agreementWithMajority, fleissKappa, krippendorffAlpha } from '@enclave/labeling';
import { hashPassword } from '../../apps/api/src/core/auth/passwords';
import { Db } from '../../apps/api/src/core/db/tenant';
import {
  asMigrator,
  createOrg,
  expectErrorShape,
  signIn,
  startApp,
  TEST_PASSWORD,
  type RunningApp,
  type TestOrg,
} from '../support/app';
import type { Client } from '../support/http';

/**
 * GET /api/v1/projects/:id/stats over HTTP, on projects whose annotations are written straight into the
 * database (as the migrator) so that every figure can be computed by hand: the expected values and
 * their arithmetic are in the comments next to the assertions.
 */
let api: RunningApp;
let org: TestOrg;
let other: TestOrg;
const as = {} as Record<OrgRole, Client>;
/** Annotators without a sign-in: their work is written directly. */
let u2: string;
let u3: string;
/** A second manager of the organization, who manages neither project and labels in B. */
let manager2: { id: string; client: Client };

const CONFIG_A: LabelConfigInput = {
  fields: [
    { name: 'text', type: 'text' },
    { name: 'responses', type: 'responses' },
  ],
  questions: [
    { name: 'sentiment', type: 'single_choice', options: ['pos', 'neg'] },
    { name: 'better', type: 'pairwise', field: 'responses' },
    { name: 'topics', type: 'multi_choice', options: ['a', 'b'], required: false },
    { name: 'quality', type: 'rating', min: 1, max: 5 },
    { name: 'entities', type: 'spans', field: 'text', labels: ['PER', 'ORG'], required: false },
    { name: 'note', type: 'text', required: false },
  ],
};

const CONFIG_B: LabelConfigInput = {
  fields: [
    { name: 'text', type: 'text' },
    { name: 'image', type: 'image' },
    { name: 'responses', type: 'responses' },
  ],
  questions: [
    { name: 'label', type: 'single_choice', options: ['a', 'b'] },
    { name: 'entities', type: 'spans', field: 'text', labels: ['PER', 'ORG'] },
    { name: 'objects', type: 'bboxes', field: 'image', labels: ['car'] },
    { name: 'order', type: 'ranking', field: 'responses' },
  ],
};

const SPAN_A = { start: 0, end: 4, label: 'PER' };
const SPAN_B = { start: 5, end: 9, label: 'ORG' };
const SPAN_C = { start: 10, end: 12, label: 'ORG' };

beforeAll(async () => {
  api = await startApp();
  [org, other] = await Promise.all([createOrg(api), createOrg(api)]);
  for (const role of ['owner', 'admin', 'manager', 'reviewer', 'annotator'] as const)
    as[role] = await signIn(api.url, org.users[role]);
  const db = api.app.get(Db);
  const hash = await hashPassword(TEST_PASSWORD);
  const made = await db.inTenant({ orgId: org.orgId, userId: null, role: 'system' }, async () => {
    const out: Array<{ id: string; email: string }> = [];
    for (const [name, role] of [
      ['Second annotator', 'annotator'],
      ['Third annotator', 'annotator'],
      ['Second manager', 'manager'],
    ] as const) {
      const email = `${role}-${randomBytes(4).toString('hex')}.${org.slug}@example.test`;
      await db.sql('INSERT INTO email_directory (email) VALUES ($1)', [email]);
      const [u] = await db.sql<{ id: string }>(
        'INSERT INTO users (org_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING id',
        [org.orgId, email, name, role, hash],
      );
      out.push({ id: u!.id, email });
    }
    return out;
  });
  u2 = made[0]!.id;
  u3 = made[1]!.id;
  manager2 = { id: made[2]!.id, client: await signIn(api.url, { email: made[2]!.email }) };
});
afterAll(async () => {
  await api?.close();
});

async function createProject(config: LabelConfigInput, overlap: number): Promise<ProjectView> {
  const res = await as.manager.post('/api/v1/projects', {
    name: `Stats ${randomBytes(3).toString('hex')}`,
    labelConfig: config,
    overlap,
  });
  expect(res.status, res.toString()).toBe(201);
  return res.json<ProjectView>();
}

async function addMember(
  projectId: string,
  userId: string,
  role: 'annotator' | 'reviewer' | 'manager',
): Promise<void> {
  await asMigrator(
    api.migratorUrl,
    'INSERT INTO project_members (org_id, project_id, user_id, role) VALUES ($1, $2, $3, $4)',
    [org.orgId, projectId, userId, role],
  );
}

/** A task with `counted` submitted annotations out of `overlap` (its status follows). */
async function addTask(
  projectId: string,
  opts: { counted?: number; overlap?: number; gold?: Record<string, unknown> } = {},
): Promise<string> {
  const id = randomUUID();
  const counted = opts.counted ?? 0;
  await asMigrator(
    api.migratorUrl,
    `INSERT INTO tasks (org_id, project_id, id, data, gold_answer, status, submitted_count)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      org.orgId,
      projectId,
      id,
      JSON.stringify({ text: 'Anne met Bob at ACME', image: randomUUID(), responses: [] }),
      opts.gold ? JSON.stringify(opts.gold) : null,
      !opts.gold && counted >= (opts.overlap ?? 2) ? 'completed' : 'open',
      opts.gold ? 0 : counted,
    ],
  );
  return id;
}

interface Work {
  status?: 'draft' | 'submitted' | 'accepted' | 'rejected';
  leadTimeMs?: number | null;
  /** Submitted this many UTC days before today (the database's today). */
  daysAgo?: number;
  gold?: boolean;
}

/** One annotation, as the labelling engine writes it. Returns its id. */
async function annotate(
  projectId: string,
  taskId: string,
  userId: string,
  result: Record<string, unknown>,
  w: Work = {},
): Promise<string> {
  const status = w.status ?? 'submitted';
  const [row] = await asMigrator<{ id: string }>(
    api.migratorUrl,
    `INSERT INTO annotations (org_id, project_id, task_id, user_id, status, result, config_version, revision, lead_time_ms, is_gold, submitted_at)
     VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9,
             CASE WHEN $5 = 'draft' THEN NULL
                  ELSE (date_trunc('day', now() AT TIME ZONE 'UTC') - make_interval(days => $10) + interval '1 minute') AT TIME ZONE 'UTC' END)
     RETURNING id`,
    [
      org.orgId,
      projectId,
      taskId,
      userId,
      status,
      JSON.stringify(result),
      status === 'draft' ? 0 : 1,
      w.leadTimeMs ?? null,
      w.gold ?? false,
      w.daysAgo ?? 0,
    ],
  );
  return row!.id;
}

async function stats(client: Client, projectId: string): Promise<ProjectStatsView> {
  const res = await client.get(`/api/v1/projects/${projectId}/stats`);
  expect(res.status, res.toString()).toBe(200);
  return res.json<ProjectStatsView>();
}

function question(view: ProjectStatsView, name: string): QuestionAgreement {
  const q = view.questions.find((x) => x.name === name);
  expect(q, `question ${name}`).toBeDefined();
  return q!;
}

function annotator(view: ProjectStatsView, userId: string): AnnotatorStats {
  const a = view.annotators.find((x) => x.userId === userId);
  expect(a, `annotator ${userId}`).toBeDefined();
  return a!;
}

describe('two annotators on ten tasks (project A)', () => {
  let project: ProjectView;
  let view: ProjectStatsView;
  let u1: string;

  // sentiment, per task t1..t10, as (u1, u2): they disagree on t4 and t7, both times u1 pos, u2 neg
  // prettier-ignore
  const SENTIMENT: Array<[string, string]> = [
    ['pos', 'pos'], ['pos', 'pos'], ['pos', 'pos'], ['pos', 'neg'], ['neg', 'neg'],
    ['neg', 'neg'], ['pos', 'neg'], ['pos', 'pos'], ['neg', 'neg'], ['pos', 'pos'],
  ];
  // quality ratings: differ by one on t2, t4, t6 and t10
  // prettier-ignore
  const QUALITY: Array<[number, number]> = [
    [3, 3], [4, 5], [2, 2], [1, 2], [5, 5], [3, 4], [2, 2], [4, 4], [1, 1], [5, 4],
  ];
  // topics on t1..t4 only (not required)
  const TOPICS: Array<[string[], string[]]> = [
    [['a'], ['a']],
    [['a', 'b'], ['a']],
    [[], []],
    [['b'], ['b']],
  ];

  beforeAll(async () => {
    project = await createProject(CONFIG_A, 2);
    u1 = org.users.annotator.id;
    await addMember(project.id, u1, 'annotator');
    await addMember(project.id, u2, 'annotator');
    await addMember(project.id, org.users.reviewer.id, 'reviewer');
    await asMigrator(
      api.migratorUrl,
      'UPDATE projects SET qualification_tasks = 2, qualification_min_accuracy = 0.5 WHERE id = $1',
      [project.id],
    );

    for (let i = 0; i < 10; i++) {
      const task = await addTask(project.id, { counted: 2 });
      const result = (who: 0 | 1) => ({
        sentiment: SENTIMENT[i]![who],
        better: 'a',
        quality: QUALITY[i]![who],
        ...(i < 4 ? { topics: TOPICS[i]![who] } : {}),
        // t1: u1 {A, B}, u2 {A}; t2: both nothing
        ...(i === 0
          ? { entities: who === 0 ? [SPAN_A, SPAN_B] : [SPAN_A] }
          : i === 1
            ? { entities: [] }
            : {}),
        note: 'free text is not compared',
      });
      // u1: lead times 1000 … 10000 ms; t1, t2 accepted; t1–t5 two days ago, t6–t10 today
      await annotate(project.id, task, u1, result(0), {
        status: i < 2 ? 'accepted' : 'submitted',
        leadTimeMs: (i + 1) * 1000,
        daysAgo: i < 5 ? 2 : 0,
      });
      // u2: lead times 400, 100, 300, 200, 500 on t1–t5, none after; yesterday, but t10 forty days ago
      await annotate(project.id, task, u2, result(1), {
        leadTimeMs: i < 5 ? [400, 100, 300, 200, 500][i]! : null,
        daysAgo: i === 9 ? 40 : 1,
      });
    }
    // t11: u1's draft and u2's rejected annotation disagree; neither counts
    const t11 = await addTask(project.id);
    await annotate(
      project.id,
      t11,
      u1,
      { sentiment: 'neg', better: 'b', quality: 1 },
      { status: 'draft', leadTimeMs: 99999 },
    );
    await annotate(
      project.id,
      t11,
      u2,
      { sentiment: 'pos', better: 'a', quality: 5 },
      { status: 'rejected', leadTimeMs: 99999 },
    );
    // t12: skipped by u1
    const t12 = await addTask(project.id);
    await asMigrator(
      api.migratorUrl,
      'INSERT INTO task_skips (org_id, project_id, task_id, user_id) VALUES ($1, $2, $3, $4)',
      [org.orgId, project.id, t12, u1],
    );
    // two gold tasks: their answers disagree, and would lower every coefficient if they counted
    const g1 = await addTask(project.id, { gold: { sentiment: 'pos' } });
    const g2 = await addTask(project.id, { gold: { sentiment: 'neg' } });
    const gold = async (task: string, user: string, sentiment: string, score: number) => {
      const id = await annotate(
        project.id,
        task,
        user,
        { sentiment, better: 'b', quality: 1 },
        { gold: true, leadTimeMs: 1 },
      );
      await asMigrator(
        api.migratorUrl,
        'INSERT INTO gold_scores (org_id, project_id, task_id, user_id, annotation_id, score, per_question) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [org.orgId, project.id, task, user, id, score, JSON.stringify({ sentiment: score })],
      );
    };
    await gold(g1, u1, 'pos', 1);
    await gold(g2, u1, 'pos', 0);
    await gold(g1, u2, 'neg', 0);
    await asMigrator(
      api.migratorUrl,
      'INSERT INTO task_skips (org_id, project_id, task_id, user_id) VALUES ($1, $2, $3, $4)',
      [org.orgId, project.id, g2, u2],
    );
    // u1 passed the qualification (2 gold tasks at 0.5); u2, one gold task in, is still qualifying
    await asMigrator(
      api.migratorUrl,
      "INSERT INTO qualifications (org_id, project_id, user_id, status, answered, accuracy) VALUES ($1, $2, $3, 'passed', 2, 0.5)",
      [org.orgId, project.id, u1],
    );
    view = await stats(as.manager, project.id);
  });

  it('names the project, its configuration and the time of reading', () => {
    expect(view.projectId).toBe(project.id);
    expect(view.configVersion).toBe(1);
    expect(Date.parse(view.computedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(view.sampleLimit).toBe(5000);
    expect(view.questions.map((q) => q.name)).toEqual([
      'sentiment',
      'better',
      'topics',
      'quality',
      'entities',
      'note',
    ]);
  });

  it('single choice: Cohen 0.6, Fleiss 7/12, alpha 29/48; gold, drafts and rejections left out', () => {
    // 10 items, agreement on 8: p_o = 0.8. u1 says pos 7 times, u2 5 times.
    // Cohen: p_e = 0.7·0.5 + 0.3·0.5 = 0.5, κ = (0.8 − 0.5)/(1 − 0.5) = 0.6.
    // Fleiss (two raters: Scott's π): pos 12/20 = 0.6, p̄_e = 0.36 + 0.16 = 0.52, κ = 0.28/0.48 = 7/12.
    // Alpha, nominal: n = 20, n_pos = 12, n_neg = 8; two disagreeing units of 2 values give Σ o_ck = 2 + 2;
    // α = 1 − (n − 1)·4 / (n² − 12² − 8²) = 1 − 76/192 = 29/48.
    expect(question(view, 'sentiment')).toMatchObject({
      type: 'single_choice',
      items: 10,
      answers: 20,
      annotators: 2,
      alphaLevel: 'nominal',
      spanF1: null,
      boxF1: null,
      kendallTau: null,
      sampled: false,
    });
    expect(question(view, 'sentiment').cohensKappa).toBeCloseTo(0.6, 12);
    expect(question(view, 'sentiment').fleissKappa).toBeCloseTo(7 / 12, 12);
    expect(question(view, 'sentiment').krippendorffAlpha).toBeCloseTo(29 / 48, 12);
  });

  it('pairwise with one answer throughout: every coefficient undefined (null), not 1', () => {
    // both said "a" on all ten: p_e = 1, so κ and α are 0/0
    expect(question(view, 'better')).toMatchObject({
      items: 10,
      answers: 20,
      annotators: 2,
      cohensKappa: null,
      fleissKappa: null,
      krippendorffAlpha: null,
    });
  });

  it('multi choice, per option: Cohen 0.75, Fleiss 47/63, alpha 16/21', () => {
    // 4 items × 2 options = 8 yes/no units: (yes, yes) t1a t2a t4b; (no, no) t1b t3a t3b t4a; (yes, no) t2b.
    // Cohen: p_o = 7/8; u1 yes 4/8, u2 3/8: p_e = 4/8·3/8 + 4/8·5/8 = 1/2; κ = (7/8 − 1/2)/(1/2) = 3/4.
    // Fleiss: yes 7/16, no 9/16: p̄_e = (49 + 81)/256 = 130/256; κ = (224/256 − 130/256)/(126/256) = 47/63.
    // Alpha: n = 16, one disagreeing unit: α = 1 − 15·2/(256 − 49 − 81) = 1 − 30/126 = 16/21.
    const topics = question(view, 'topics');
    expect(topics).toMatchObject({ items: 4, answers: 8, annotators: 2, alphaLevel: 'nominal' });
    expect(topics.cohensKappa).toBeCloseTo(0.75, 12);
    expect(topics.fleissKappa).toBeCloseTo(47 / 63, 12);
    expect(topics.krippendorffAlpha).toBeCloseTo(16 / 21, 12);
  });

  it('rating: interval alpha 170/189; no kappa on a scale', () => {
    // Four units differ by 1 (t2, t4, t6, t10): each contributes 2·m·Σ(v − v̄)²/(m − 1) = 2·2·½ = 2, so 8.
    // All 20 values: Σv = 62, Σv² = 230, Σ(v − v̄)² = 230 − 62²/20 = 37.8; D_e term 2·20·37.8 = 1512.
    // α = 1 − (n − 1)·8/1512 = 1 − 152/1512 = 170/189.
    const quality = question(view, 'quality');
    expect(quality).toMatchObject({
      items: 10,
      answers: 20,
      annotators: 2,
      alphaLevel: 'interval',
      cohensKappa: null,
      fleissKappa: null,
    });
    expect(quality.krippendorffAlpha).toBeCloseTo(170 / 189, 12);
  });

  it('spans: pairwise F1 2/3; text: no agreement metric', () => {
    // t1: u1 {A, B} against u2 {A}: tp 1, fn 1; t2: both empty (agree, adds nothing). F1 = 2/(2 + 1).
    expect(question(view, 'entities')).toMatchObject({ items: 2, answers: 4, annotators: 2, sampled: false });
    expect(question(view, 'entities').spanF1).toBeCloseTo(2 / 3, 12);
    expect(question(view, 'note')).toMatchObject({
      type: 'text',
      items: 0,
      cohensKappa: null,
      fleissKappa: null,
      krippendorffAlpha: null,
      alphaLevel: null,
      spanF1: null,
      boxF1: null,
      kendallTau: null,
    });
  });

  it('progress counts real tasks and their annotations by status; gold apart', () => {
    // t1–t10 completed (2 of overlap 2), t11 (draft + rejected) and t12 (a skip) open
    expect(view.progress).toEqual({
      tasks: 12,
      completed: 10,
      open: 2,
      gold: 2,
      overlap: 2,
      annotations: { draft: 1, submitted: 18, accepted: 2, rejected: 1 },
      skipped: 1,
      percentComplete: (10 / 12) * 100,
    });
  });

  it('per annotator: submissions, median lead time, gold accuracy, agreement with the majority, qualification', () => {
    const a1 = annotator(view, u1);
    // lead times 1000 … 10000: median (5000 + 6000)/2; the draft's and the gold task's are not counted.
    // Majority of the others (the other annotator): sentiment 8 of 10, pairwise 10 of 10: 18/20.
    expect(a1).toMatchObject({
      name: `annotator of ${org.slug}`,
      orgRole: 'annotator',
      projectRole: 'annotator',
      submitted: 10,
      accepted: 2,
      rejected: 0,
      drafts: 1,
      skipped: 1,
      medianLeadTimeMs: 5500,
      goldAnswered: 2,
      goldAccuracy: 0.5,
      agreementWithMajority: 0.9,
      comparedWithMajority: 20,
      qualification: { status: 'passed', answered: 2, accuracy: 0.5 },
    });
    expect(Date.parse(a1.lastSubmittedAt!)).toBeGreaterThan(Date.now() - 2 * 86_400_000);
    const a2 = annotator(view, u2);
    // lead times 400, 100, 300, 200, 500 and five without: median 300. The skip of a gold task is not counted.
    expect(a2).toMatchObject({
      name: 'Second annotator',
      submitted: 10,
      accepted: 0,
      rejected: 1,
      drafts: 0,
      skipped: 0,
      medianLeadTimeMs: 300,
      goldAnswered: 1,
      goldAccuracy: 0,
      agreementWithMajority: 0.9,
      comparedWithMajority: 20,
      qualification: { status: 'qualifying', answered: 1, accuracy: 0 },
    });
    // a reviewer member without work is listed with nothing done; the creating manager, who labels nothing, is not
    expect(annotator(view, org.users.reviewer.id)).toMatchObject({
      projectRole: 'reviewer',
      submitted: 0,
      medianLeadTimeMs: null,
      lastSubmittedAt: null,
      goldAccuracy: null,
      agreementWithMajority: null,
      comparedWithMajority: 0,
      qualification: { status: 'qualifying', answered: 0, accuracy: null },
    });
    expect(view.annotators.some((a) => a.userId === org.users.manager.id)).toBe(false);
    // busiest first
    expect(view.annotators.map((a) => a.submitted)).toEqual(
      [...view.annotators.map((a) => a.submitted)].sort((x, y) => y - x),
    );
  });

  it('timeline: 30 UTC days to today, submissions on their day, completions on the last submission', () => {
    expect(view.timeline).toHaveLength(30);
    const days = view.timeline.map((d) => d.day);
    expect(days).toEqual([...days].sort());
    const today = new Date(`${days[29]}T00:00:00Z`);
    const ago = (n: number) => new Date(today.getTime() - n * 86_400_000).toISOString().slice(0, 10);
    expect(days[0]).toBe(ago(29));
    const busy = Object.fromEntries(
      view.timeline.filter((d) => d.submitted > 0 || d.completedTasks > 0).map((d) => [d.day, d]),
    );
    // u1: t1–t5 two days ago, t6–t10 today; u2: t1–t9 yesterday (t10 forty days ago, outside the window).
    // Completions: t1–t5 finished yesterday (u2), t6–t10 today (u1). Gold, drafts and rejections: none.
    expect(busy).toEqual({
      [ago(2)]: { day: ago(2), submitted: 5, completedTasks: 0 },
      [ago(1)]: { day: ago(1), submitted: 9, completedTasks: 5 },
      [ago(0)]: { day: ago(0), submitted: 5, completedTasks: 5 },
    });
  });

  it('owners and admins read it without being members', async () => {
    const byOwner = await stats(as.owner, project.id);
    expect(byOwner.questions).toEqual(view.questions);
    expect((await as.admin.get(`/api/v1/projects/${project.id}/stats`)).status).toBe(200);
  });

  it('is 404 for a manager of another project and for another tenant, 403 for an annotator', async () => {
    expectErrorShape(await manager2.client.get(`/api/v1/projects/${project.id}/stats`), 404, 'NOT_FOUND');
    expectErrorShape(
      await (await signIn(api.url, other.users.owner)).get(`/api/v1/projects/${project.id}/stats`),
      404,
      'NOT_FOUND',
    );
    expectErrorShape(await as.annotator.get(`/api/v1/projects/${project.id}/stats`), 403, 'FORBIDDEN');
    // a reviewer of the project reviews, but does not read the statistics
    expectErrorShape(await as.reviewer.get(`/api/v1/projects/${project.id}/stats`), 403, 'FORBIDDEN');
    expectErrorShape(await as.manager.get(`/api/v1/projects/${randomUUID()}/stats`), 404, 'NOT_FOUND');
    expectErrorShape(await as.manager.get('/api/v1/projects/not-a-uuid/stats'), 400);
  });
});

describe('three annotators (project B)', () => {
  let project: ProjectView;
  let view: ProjectStatsView;
  let u1: string;

  beforeAll(async () => {
    project = await createProject(CONFIG_B, 3);
    u1 = org.users.annotator.id;
    for (const u of [u1, u2, u3]) await addMember(project.id, u, 'annotator');
    // the second manager labels here as an annotator of the project
    await addMember(project.id, manager2.id, 'annotator');
    const box = (x: number, y: number, width: number, height: number) => [
      { x, y, width, height, label: 'car' },
    ];
    // t1: all three; t2: u1 and u2; t3: u3 alone; t4: u2 and u3
    const t1 = await addTask(project.id, { counted: 3, overlap: 3 });
    await annotate(project.id, t1, u1, {
      label: 'a',
      entities: [SPAN_A, SPAN_B],
      objects: box(0, 0, 0.5, 0.5),
      order: ['r1', 'r2', 'r3'],
    });
    await annotate(project.id, t1, u2, {
      label: 'a',
      entities: [SPAN_A],
      objects: box(0, 0, 0.5, 0.4),
      order: ['r1', 'r3', 'r2'],
    });
    await annotate(project.id, t1, u3, {
      label: 'a',
      entities: [SPAN_A, SPAN_C],
      objects: box(0.25, 0.25, 0.5, 0.5),
      order: ['r3', 'r2', 'r1'],
    });
    const t2 = await addTask(project.id, { counted: 2, overlap: 3 });
    await annotate(project.id, t2, u1, { label: 'a', entities: [SPAN_A] });
    await annotate(project.id, t2, u2, { label: 'b' });
    const t3 = await addTask(project.id, { counted: 1, overlap: 3 });
    await annotate(project.id, t3, u3, { label: 'b' });
    const t4 = await addTask(project.id, { counted: 2, overlap: 3 });
    await annotate(project.id, t4, u2, { label: 'b' });
    await annotate(project.id, t4, u3, { label: 'b' });
    view = await stats(as.manager, project.id);
  });

  it('single choice: Fleiss 13/45 and alpha 1/2 over varying numbers of answers; no Cohen', () => {
    // items aaa (t1), ab (t2), b (t3, one answer), bb (t4).
    // Fleiss: p̄ over t1, t2, t4 = (1 + 0 + 1)/3 = 2/3; π over all four: a = (1 + ½ + 0 + 0)/4 = 3/8,
    // b = 5/8; p̄_e = 9/64 + 25/64 = 17/32; κ = (2/3 − 17/32)/(15/32) = 13/45.
    // Alpha: pairable t1, t2, t4: n = 7 (a 4, b 3); t2 disagrees: Σ o_ck = (4 − 2)/1 = 2;
    // α = 1 − 6·2/(49 − 16 − 9) = 1/2. Three annotators: Cohen does not apply.
    const label = question(view, 'label');
    expect(label).toMatchObject({
      items: 3,
      answers: 7,
      annotators: 3,
      cohensKappa: null,
      alphaLevel: 'nominal',
    });
    expect(label.fleissKappa).toBeCloseTo(13 / 45, 12);
    expect(label.krippendorffAlpha).toBeCloseTo(0.5, 12);
  });

  it('spans, boxes and rankings between every pair of the three', () => {
    // spans on t1: u1 {A, B}, u2 {A}, u3 {A, C}: pooled tp 3, fp 2, fn 2, F1 = 0.6 (t2 has one answer)
    expect(question(view, 'entities')).toMatchObject({ items: 1, answers: 3, annotators: 3, sampled: false });
    expect(question(view, 'entities').spanF1).toBeCloseTo(0.6, 12);
    // boxes: only u1–u2 overlap enough (IoU 0.8): tp 1, fp 2, fn 2, F1 = 1/3
    expect(question(view, 'objects').boxF1).toBeCloseTo(1 / 3, 12);
    // rankings r1r2r3 / r1r3r2 / r3r2r1: τ = 1/3, −1, −1/3; mean −1/3
    expect(question(view, 'order').kendallTau).toBeCloseTo(-1 / 3, 12);
  });

  it('agreement with the majority of the others, leave-one-out', () => {
    // t1: each "a" against {a, a}: agrees. t2: u1's a against {b}, u2's b against {a}: both disagree.
    // t3: u3 alone, nobody to compare with. t4: each b against {b}: agrees.
    expect(annotator(view, u1)).toMatchObject({
      comparedWithMajority: 2,
      agreementWithMajority: 0.5,
      qualification: null,
    });
    expect(annotator(view, u2)).toMatchObject({ comparedWithMajority: 3 });
    expect(annotator(view, u2).agreementWithMajority).toBeCloseTo(2 / 3, 12);
    expect(annotator(view, u3)).toMatchObject({ comparedWithMajority: 2, agreementWithMajority: 1 });
  });

  it('is 403 for a manager of the organization who is only an annotator of the project', async () => {
    expectErrorShape(await manager2.client.get(`/api/v1/projects/${project.id}/stats`), 403, 'FORBIDDEN');
  });
});

describe('more counted questions than one pass takes', () => {
  it('reads them in several passes, and the timeline once', async () => {
    const names = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6'];
    const project = await createProject(
      {
        fields: [{ name: 'text', type: 'text' }],
        questions: names.map((name) => ({ name, type: 'single_choice' as const, options: ['x', 'y'] })),
      },
      2,
    );
    // three items, two annotators: they agree on t1 and t2 (x, y) and differ on t3, on every question
    const labels: Array<[string, string]> = [
      ['x', 'x'],
      ['y', 'y'],
      ['x', 'y'],
    ];
    for (const [a, b] of labels) {
      const task = await addTask(project.id, { counted: 2 });
      await annotate(project.id, task, org.users.annotator.id, Object.fromEntries(names.map((n) => [n, a])));
      await annotate(project.id, task, u2, Object.fromEntries(names.map((n) => [n, b])));
    }
    const view = await stats(as.manager, project.id);
    // Cohen: p_o = 2/3; u1 x 2/3, u2 x 1/3: p_e = 2/9 + 2/9 = 4/9; κ = (2/3 − 4/9)/(5/9) = 2/5
    for (const name of names) {
      expect(question(view, name)).toMatchObject({ items: 3, answers: 6, annotators: 2 });
      expect(question(view, name).cohensKappa).toBeCloseTo(0.4, 12);
    }
    expect(view.timeline[29]).toMatchObject({ submitted: 6, completedTasks: 3 });
    // the majority of the others over six questions: 2 of 3 items agree on each
    expect(annotator(view, u2)).toMatchObject({ comparedWithMajority: 18 });
    expect(annotator(view, u2).agreementWithMajority).toBeCloseTo(2 / 3, 12);
  });
});

describe('a random project against the batch functions', () => {
  it('gives the coefficients and majority agreement that the metrics library computes from the raw answers', async () => {
    const project = await createProject(
      {
        fields: [{ name: 'text', type: 'text' }],
        questions: [{ name: 'c', type: 'single_choice', options: ['x', 'y', 'z'] }],
      },
      3,
    );
    const people = [org.users.annotator.id, u2, u3];
    const labels = ['x', 'y', 'z'];
    // a fixed pseudo-random sequence, so a failure can be replayed
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const raw: Array<{ item: string; annotator: string; label: string }> = [];
    for (let t = 0; t < 40; t++) {
      const who = people.filter(() => next(4) > 0);
      const task = await addTask(project.id, { counted: who.length, overlap: 3 });
      for (const u of who) {
        const label = labels[next(3)]!;
        raw.push({ item: task, annotator: u, label });
        await annotate(project.id, task, u, { c: label });
      }
    }
    const view = await stats(as.manager, project.id);
    const items = new Map<string, string[]>();
    for (const r of raw) items.set(r.item, [...(items.get(r.item) ?? []), r.label]);
    const q = question(view, 'c');
    expect(q.fleissKappa).toBeCloseTo(fleissKappa([...items.values()])!, 10);
    expect(q.krippendorffAlpha).toBeCloseTo(krippendorffAlpha([...items.values()], 'nominal')!, 10);
    expect(q.items).toBe([...items.values()].filter((l) => l.length >= 2).length);
    for (const m of agreementWithMajority(raw)) {
      const a = annotator(view, m.annotator);
      expect(a.comparedWithMajority).toBe(m.compared);
      expect(a.agreementWithMajority).toBe(m.rate);
    }
  });
});

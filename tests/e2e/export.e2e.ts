import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuditEventView,
  ImportResult,
  LabelConfigInput,
  OrgRole,
  ProjectView,
} from '@enclave/contracts';
import {
  asMigrator,
  auditEvents,
  CLI,
  createOrg,
  expectDenialAudited,
  expectErrorShape,
  runCli,
  signIn,
  startApp,
  type RunningApp,
  type TestOrg,
} from '../support/app';
import type { Client, HttpResponse } from '../support/http';

/**
 * Export (GET /api/v1/projects/:id/export): every format's exact content for a small fixture, the status
 * filter, pseudonyms and identities, the audit event's digest, who may export, formula cells escaped,
 * and a server that streams a large export in flat memory and stays healthy when clients walk away.
 * Tasks come in through the import API; annotations and reviews are written as the migrator.
 */

let api: RunningApp;
let org: TestOrg;
let other: TestOrg;
const as = {} as Record<OrgRole, Client>;
let outsider: Client;

const NER_CONFIG: LabelConfigInput = {
  fields: [{ name: 'text', type: 'text' }],
  questions: [
    { name: 'sentiment', type: 'single_choice', options: ['pos', 'neg'] },
    { name: 'entities', type: 'spans', field: 'text', labels: ['PER', 'LOC'], required: false },
    { name: 'note', type: 'text', required: false },
  ],
};
const IMAGE_CONFIG: LabelConfigInput = {
  fields: [{ name: 'image', type: 'image' }],
  questions: [{ name: 'objects', type: 'bboxes', field: 'image', labels: ['car', 'person'] }],
};
const RLHF_CONFIG: LabelConfigInput = {
  fields: [
    { name: 'prompt', type: 'text' },
    { name: 'responses', type: 'responses' },
  ],
  questions: [
    { name: 'better', type: 'pairwise', field: 'responses', allowTie: true },
    { name: 'order', type: 'ranking', field: 'responses', required: false },
  ],
};

beforeAll(async () => {
  api = await startApp();
  [org, other] = await Promise.all([createOrg(api), createOrg(api)]);
  for (const role of ['owner', 'admin', 'manager', 'reviewer', 'annotator'] as const)
    as[role] = await signIn(api.url, org.users[role]);
  outsider = await signIn(api.url, other.users.owner);
});
afterAll(async () => {
  await api?.close();
});

/* ---------- set-up helpers ---------- */

async function createProject(
  labelConfig: LabelConfigInput,
  name = `Export ${randomBytes(3).toString('hex')}`,
): Promise<ProjectView> {
  const res = await as.manager.post('/api/v1/projects', { name, labelConfig });
  expect(res.status, res.toString()).toBe(201);
  const project = res.json<ProjectView>();
  // the annotators of the fixture are members, as they would be to have labelled anything
  for (const role of ['annotator', 'reviewer'] as const) {
    const m = await as.manager.put(`/api/v1/projects/${project.id}/members/${org.users[role].id}`, {
      role: role === 'annotator' ? 'annotator' : 'reviewer',
    });
    expect(m.status, m.toString()).toBe(200);
  }
  return project;
}

/** Imports tasks through the API and answers their ids by external id. */
async function importTasks(projectId: string, rows: unknown[]): Promise<Record<string, string>> {
  const res = await as.manager.post(`/api/v1/projects/${projectId}/tasks`, undefined, {
    raw: rows.map((r) => JSON.stringify(r)).join('\n') + '\n',
    headers: { 'content-type': 'application/x-ndjson' },
  });
  expect(res.status, res.toString()).toBe(201);
  expect(res.json<ImportResult>().imported).toBe(rows.length);
  const ids = await asMigrator<{ id: string; external_id: string }>(
    api.migratorUrl,
    'SELECT id, external_id FROM tasks WHERE project_id = $1',
    [projectId],
  );
  return Object.fromEntries(ids.map((r) => [r.external_id, r.id]));
}

interface AnnotationInput {
  task: string;
  user: string;
  status: 'draft' | 'submitted' | 'accepted' | 'rejected';
  result: Record<string, unknown>;
  createdAt: string;
  leadTimeMs?: number | null;
  review?: { reviewer: string; verdict: 'accept' | 'reject'; comment: string | null; at: string };
}

/** An annotation (and its review) as the annotation routes would leave it, written as the migrator. */
async function annotate(projectId: string, a: AnnotationInput): Promise<string> {
  const submittedAt = a.status === 'draft' ? null : new Date(Date.parse(a.createdAt) + 1000).toISOString();
  const [row] = await asMigrator<{ id: string }>(
    api.migratorUrl,
    `INSERT INTO annotations (org_id, project_id, task_id, user_id, status, result, config_version, revision,
                              lead_time_ms, created_at, updated_at, submitted_at, reviewed_at)
     VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $9, $10, $11) RETURNING id`,
    [
      org.orgId,
      projectId,
      a.task,
      a.user,
      a.status,
      JSON.stringify(a.result),
      a.status === 'draft' ? 0 : 1,
      a.leadTimeMs === undefined ? 1000 : a.leadTimeMs,
      a.createdAt,
      submittedAt,
      a.review?.at ?? null,
    ],
  );
  if (a.review) {
    await asMigrator(
      api.migratorUrl,
      `INSERT INTO reviews (org_id, project_id, annotation_id, task_id, annotator_id, reviewer_id, verdict, comment, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        org.orgId,
        projectId,
        row!.id,
        a.task,
        a.user,
        a.review.reviewer,
        a.review.verdict,
        a.review.comment,
        a.review.at,
      ],
    );
  }
  return row!.id;
}

async function pseudonym(projectId: string, userId: string): Promise<string> {
  const [{ salt }] = (await asMigrator<{ salt: string }>(
    api.migratorUrl,
    'SELECT pseudonym_salt::text AS salt FROM projects WHERE id = $1',
    [projectId],
  )) as [{ salt: string }];
  return `annotator-${createHash('sha256')
    .update(salt + userId)
    .digest('hex')
    .slice(0, 12)}`;
}

function exportOf(by: Client, projectId: string, query: Record<string, string> = {}): Promise<HttpResponse> {
  return by.get(`/api/v1/projects/${projectId}/export?${new URLSearchParams(query)}`);
}

async function exported(
  by: Client,
  projectId: string,
  query: Record<string, string> = {},
): Promise<HttpResponse> {
  const res = await exportOf(by, projectId, query);
  expect(res.status, res.toString()).toBe(200);
  return res;
}

function jsonLines<T = Record<string, unknown>>(text: string): T[] {
  expect(text === '' || text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The newest event of this action on this project (the event is committed before the response ends). */
async function lastEvent(reader: Client, action: string, projectId: string): Promise<AuditEventView> {
  const events = (await auditEvents(reader, { action })).filter((e) => e.targetId === projectId);
  expect(events.length, `no ${action} event for ${projectId}`).toBeGreaterThan(0);
  return events[0]!;
}

/* ---------- the small fixture ---------- */

const T = (s: string) => `2025-03-01T${s}.000Z`;
const NER_TEXT = 'Ada 😀 met Charles in London';
const FORMULA = '=HYPERLINK("http://evil.example","click")';

interface NerFixture {
  project: ProjectView;
  tasks: Record<string, string>;
  annotations: Record<string, string>;
  pA: string;
  pB: string;
  pManager: string;
  pReviewer: string;
}
let ner: NerFixture;

beforeAll(async () => {
  const project = await createProject(NER_CONFIG, 'Ünïcode NER: "quoted" / slashed');
  const tasks = await importTasks(project.id, [
    { externalId: 't1', data: { text: NER_TEXT } },
    { externalId: 't2', data: { text: '+1 cmd' }, priority: 2 },
    { externalId: 't3', data: { text: 'no work yet' } },
    { externalId: 't4', data: { text: 'draft only' } },
    { externalId: 't5', data: { text: 'rejected only' } },
  ]);
  const A = org.users.annotator.id;
  const B = org.users.reviewer.id;
  const annotations: Record<string, string> = {};
  annotations.t1A = await annotate(project.id, {
    task: tasks.t1!,
    user: A,
    status: 'submitted',
    createdAt: T('10:00:00'),
    leadTimeMs: 1200,
    result: {
      sentiment: 'pos',
      entities: [
        { start: 0, end: 3, label: 'PER' },
        { start: 10, end: 17, label: 'PER' },
        { start: 21, end: 27, label: 'LOC' },
      ],
    },
  });
  annotations.t1B = await annotate(project.id, {
    task: tasks.t1!,
    user: B,
    status: 'accepted',
    createdAt: T('10:00:02'),
    result: { sentiment: 'neg', entities: [{ start: 21, end: 27, label: 'LOC' }], note: 'fine' },
    review: {
      reviewer: org.users.manager.id,
      verdict: 'accept',
      comment: null,
      at: '2025-03-02T00:00:00.000Z',
    },
  });
  annotations.t2A = await annotate(project.id, {
    task: tasks.t2!,
    user: A,
    status: 'submitted',
    createdAt: T('11:00:00'),
    leadTimeMs: null,
    result: { sentiment: 'neg', note: FORMULA },
  });
  annotations.t2B = await annotate(project.id, {
    task: tasks.t2!,
    user: B,
    status: 'submitted',
    createdAt: T('11:00:02'),
    result: { sentiment: 'pos', note: '@SUM(A1:A9)\n-1' },
  });
  annotations.t4A = await annotate(project.id, {
    task: tasks.t4!,
    user: A,
    status: 'draft',
    createdAt: T('12:00:00'),
    result: { sentiment: 'pos' },
  });
  annotations.t5A = await annotate(project.id, {
    task: tasks.t5!,
    user: A,
    status: 'rejected',
    createdAt: T('13:00:00'),
    result: { sentiment: 'neg', note: '-1' },
    review: { reviewer: B, verdict: 'reject', comment: 'wrong label', at: '2025-03-02T01:00:00.000Z' },
  });
  ner = {
    project,
    tasks,
    annotations,
    pA: await pseudonym(project.id, A),
    pB: await pseudonym(project.id, B),
    pManager: await pseudonym(project.id, org.users.manager.id),
    pReviewer: await pseudonym(project.id, B),
  };
});

/** The expected JSONL record of a task of the NER fixture. */
function nerRecord(task: 't1' | 't2' | 't3' | 't4' | 't5', annotationsOf: string[]) {
  const texts = { t1: NER_TEXT, t2: '+1 cmd', t3: 'no work yet', t4: 'draft only', t5: 'rejected only' };
  const all = {
    t1A: {
      id: ner.annotations.t1A,
      annotator: ner.pA,
      status: 'submitted',
      result: {
        sentiment: 'pos',
        entities: [
          { start: 0, end: 3, label: 'PER' },
          { start: 10, end: 17, label: 'PER' },
          { start: 21, end: 27, label: 'LOC' },
        ],
      },
      configVersion: 1,
      leadTimeMs: 1200,
      createdAt: T('10:00:00'),
      submittedAt: T('10:00:01'),
      review: null,
    },
    t1B: {
      id: ner.annotations.t1B,
      annotator: ner.pB,
      status: 'accepted',
      result: { sentiment: 'neg', entities: [{ start: 21, end: 27, label: 'LOC' }], note: 'fine' },
      configVersion: 1,
      leadTimeMs: 1000,
      createdAt: T('10:00:02'),
      submittedAt: T('10:00:03'),
      review: {
        verdict: 'accept',
        comment: null,
        reviewer: ner.pManager,
        reviewedAt: '2025-03-02T00:00:00.000Z',
      },
    },
    t2A: {
      id: ner.annotations.t2A,
      annotator: ner.pA,
      status: 'submitted',
      result: { sentiment: 'neg', note: FORMULA },
      configVersion: 1,
      leadTimeMs: null,
      createdAt: T('11:00:00'),
      submittedAt: T('11:00:01'),
      review: null,
    },
    t2B: {
      id: ner.annotations.t2B,
      annotator: ner.pB,
      status: 'submitted',
      result: { sentiment: 'pos', note: '@SUM(A1:A9)\n-1' },
      configVersion: 1,
      leadTimeMs: 1000,
      createdAt: T('11:00:02'),
      submittedAt: T('11:00:03'),
      review: null,
    },
    t4A: {
      id: ner.annotations.t4A,
      annotator: ner.pA,
      status: 'draft',
      result: { sentiment: 'pos' },
      configVersion: 1,
      leadTimeMs: 1000,
      createdAt: T('12:00:00'),
      submittedAt: null,
      review: null,
    },
    t5A: {
      id: ner.annotations.t5A,
      annotator: ner.pA,
      status: 'rejected',
      result: { sentiment: 'neg', note: '-1' },
      configVersion: 1,
      leadTimeMs: 1000,
      createdAt: T('13:00:00'),
      submittedAt: T('13:00:01'),
      review: {
        verdict: 'reject',
        comment: 'wrong label',
        reviewer: ner.pReviewer,
        reviewedAt: '2025-03-02T01:00:00.000Z',
      },
    },
  } as Record<string, unknown>;
  return {
    id: ner.tasks[task],
    externalId: task,
    data: { text: texts[task] },
    priority: task === 't2' ? 2 : 0,
    gold: null,
    annotations: annotationsOf.map((k) => all[k]),
  };
}

/* ---------- formats ---------- */

describe('jsonl and json', () => {
  it('exports submitted and accepted work by default, one record per task in import order', async () => {
    const res = await exported(as.manager, ner.project.id);
    expect(res.header('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(res.header('content-disposition')).toBe(
      'attachment; filename="unicode-ner-quoted-slashed-jsonl.jsonl"',
    );
    expect(res.header('cache-control')).toBe('no-store');
    const lines = jsonLines(res.text);
    expect(lines).toEqual([nerRecord('t1', ['t1A', 't1B']), nerRecord('t2', ['t2A', 't2B'])]);
    expect(Object.keys(lines[0]!)).toEqual(['id', 'externalId', 'data', 'priority', 'gold', 'annotations']);
    expect(Object.keys((lines[0]!.annotations as object[])[0]!)).toEqual([
      'id',
      'annotator',
      'status',
      'result',
      'configVersion',
      'leadTimeMs',
      'createdAt',
      'submittedAt',
      'review',
    ]);
    // one line per record: nothing in the JSON breaks a line
    expect(res.text.split('\n')).toHaveLength(3);
  });

  it('filters by status: accepted only, or all tasks with every annotation', async () => {
    const accepted = jsonLines((await exported(as.manager, ner.project.id, { status: 'accepted' })).text);
    expect(accepted).toEqual([nerRecord('t1', ['t1B'])]);

    const all = jsonLines((await exported(as.manager, ner.project.id, { status: 'all' })).text);
    expect(all).toEqual([
      nerRecord('t1', ['t1A', 't1B']),
      nerRecord('t2', ['t2A', 't2B']),
      nerRecord('t3', []),
      nerRecord('t4', ['t4A']),
      nerRecord('t5', ['t5A']),
    ]);
  });

  it('json is one array of the same records', async () => {
    const res = await exported(as.manager, ner.project.id, { format: 'json', status: 'all' });
    expect(res.header('content-type')).toBe('application/json; charset=utf-8');
    expect(res.header('content-disposition')).toMatch(/-json\.json"$/);
    const jsonl = (await exported(as.manager, ner.project.id, { format: 'jsonl', status: 'all' })).text;
    expect(res.text).toBe(`[\n${jsonl.trimEnd().split('\n').join(',\n')}\n]\n`);
  });

  it('an export with nothing to export is empty, and valid', async () => {
    const empty = await createProject(NER_CONFIG);
    expect((await exported(as.manager, empty.id)).text).toBe('');
    expect((await exported(as.manager, empty.id, { format: 'json' })).text).toBe('[]\n');
    expect((await exported(as.manager, empty.id, { format: 'csv' })).text.split('\r\n')).toHaveLength(2);
    expect(JSON.parse((await exported(as.manager, empty.id, { format: 'coco' })).text)).toMatchObject({
      categories: [],
      images: [],
      annotations: [],
    });
  });

  it('refuses an unknown format or status', async () => {
    expectErrorShape(await exportOf(as.manager, ner.project.id, { format: 'xml' }), 400, 'INVALID_PARAMETER');
    expectErrorShape(
      await exportOf(as.manager, ner.project.id, { status: 'draft' }),
      400,
      'INVALID_PARAMETER',
    );
    expectErrorShape(
      await exportOf(as.manager, ner.project.id, { identities: 'yes' }),
      400,
      'INVALID_PARAMETER',
    );
    expectErrorShape(await exportOf(as.manager, ner.project.id, { limit: '3' }), 400, 'INVALID_PARAMETER');
  });
});

describe('csv', () => {
  it('writes a row per annotation, every task with status=all, formula cells escaped', async () => {
    const res = await exported(as.manager, ner.project.id, { format: 'csv', status: 'all' });
    expect(res.header('content-type')).toBe('text/csv; charset=utf-8');
    const rows = parseCsv(res.text, { relax_column_count: false }) as string[][];
    expect(rows[0]).toEqual([
      'task_id',
      'external_id',
      'annotation_id',
      'annotator',
      'status',
      'config_version',
      'lead_time_ms',
      'created_at',
      'submitted_at',
      'review_verdict',
      'review_comment',
      'reviewer',
      'reviewed_at',
      'data.text',
      'sentiment',
      'entities',
      'note',
    ]);
    const { tasks: t, annotations: a, pA, pB, pManager } = ner;
    expect(rows.slice(1)).toEqual([
      [
        t.t1,
        't1',
        a.t1A,
        pA,
        'submitted',
        '1',
        '1200',
        T('10:00:00'),
        T('10:00:01'),
        '',
        '',
        '',
        '',
        NER_TEXT,
        'pos',
        '[{"end":3,"label":"PER","start":0},{"end":17,"label":"PER","start":10},{"end":27,"label":"LOC","start":21}]',
        '',
      ],
      [
        t.t1,
        't1',
        a.t1B,
        pB,
        'accepted',
        '1',
        '1000',
        T('10:00:02'),
        T('10:00:03'),
        'accept',
        '',
        pManager,
        '2025-03-02T00:00:00.000Z',
        NER_TEXT,
        'neg',
        '[{"end":27,"label":"LOC","start":21}]',
        'fine',
      ],
      [
        t.t2,
        't2',
        a.t2A,
        pA,
        'submitted',
        '1',
        '',
        T('11:00:00'),
        T('11:00:01'),
        '',
        '',
        '',
        '',
        "'+1 cmd",
        'neg',
        '',
        `'${FORMULA}`,
      ],
      [
        t.t2,
        't2',
        a.t2B,
        pB,
        'submitted',
        '1',
        '1000',
        T('11:00:02'),
        T('11:00:03'),
        '',
        '',
        '',
        '',
        "'+1 cmd",
        'pos',
        '',
        "'@SUM(A1:A9)\n-1",
      ],
      [t.t3, 't3', '', '', '', '', '', '', '', '', '', '', '', 'no work yet', '', '', ''],
      [
        t.t4,
        't4',
        a.t4A,
        pA,
        'draft',
        '1',
        '1000',
        T('12:00:00'),
        '',
        '',
        '',
        '',
        '',
        'draft only',
        'pos',
        '',
        '',
      ],
      [
        t.t5,
        't5',
        a.t5A,
        pA,
        'rejected',
        '1',
        '1000',
        T('13:00:00'),
        T('13:00:01'),
        'reject',
        'wrong label',
        ner.pReviewer,
        '2025-03-02T01:00:00.000Z',
        'rejected only',
        'neg',
        '',
        "'-1",
      ],
    ]);
    // RFC 4180: CRLF between records, the quoted line break inside a cell kept as it was
    expect(res.text.startsWith('task_id,external_id,')).toBe(true);
    expect(res.text.split('\r\n')).toHaveLength(9);
    expect(res.text).toContain(`,"'${FORMULA.replace(/"/g, '""')}"\r\n`);
    // no cell of the file starts with a formula character
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});

describe('conll', () => {
  it('writes BIO tags per annotator over code-point tokens', async () => {
    const res = await exported(as.manager, ner.project.id, { format: 'conll' });
    expect(res.header('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.header('content-disposition')).toMatch(/-conll\.conll"$/);
    const t1 = ner.tasks.t1;
    expect(res.text).toBe(
      [
        `-DOCSTART- ${t1} ${ner.pA} entities submitted`,
        '',
        'Ada\tB-PER',
        '😀\tO',
        'met\tO',
        'Charles\tB-PER',
        'in\tO',
        'London\tB-LOC',
        '',
        `-DOCSTART- ${t1} ${ner.pB} entities accepted`,
        '',
        'Ada\tO',
        '😀\tO',
        'met\tO',
        'Charles\tO',
        'in\tO',
        'London\tB-LOC',
        '',
        '',
      ].join('\n'),
    );
  });
});

describe('coco', () => {
  it('lists images with their sizes, then the boxes in pixels', async () => {
    const project = await createProject(IMAGE_CONFIG);
    const assets: string[] = [];
    for (const [w, h, type] of [
      [640, 480, 'image/png'],
      [100, 50, 'image/jpeg'],
    ] as const) {
      const [row] = await asMigrator<{ id: string }>(
        api.migratorUrl,
        `INSERT INTO assets (org_id, project_id, sha256, media_type, byte_size, width, height, created_by)
         VALUES ($1, $2, $3, $4, 100, $5, $6, $7) RETURNING id`,
        [org.orgId, project.id, randomBytes(32).toString('hex'), type, w, h, org.users.manager.id],
      );
      assets.push(row!.id);
    }
    const tasks = await importTasks(project.id, [
      { externalId: 'i1', data: { image: assets[0] } },
      { externalId: 'i2', data: { image: assets[1] } },
      { externalId: 'i3', data: { image: assets[1] } }, // no submitted work: not exported
    ]);
    const a1 = await annotate(project.id, {
      task: tasks.i1!,
      user: org.users.annotator.id,
      status: 'submitted',
      createdAt: T('10:00:00'),
      result: {
        objects: [
          { x: 0.1, y: 0.2, width: 0.5, height: 0.25, label: 'car' },
          { x: 0.5, y: 0.5, width: 0.25, height: 0.5, label: 'person' },
        ],
      },
    });
    const a2 = await annotate(project.id, {
      task: tasks.i2!,
      user: org.users.reviewer.id,
      status: 'accepted',
      createdAt: T('10:00:00'),
      result: { objects: [{ x: 0, y: 0, width: 1, height: 1, label: 'person' }] },
    });
    const res = await exported(as.manager, project.id, { format: 'coco' });
    expect(res.header('content-type')).toBe('application/json; charset=utf-8');
    const doc = JSON.parse(res.text);
    expect(doc.categories).toEqual([
      { id: 1, name: 'car', supercategory: 'objects' },
      { id: 2, name: 'person', supercategory: 'objects' },
    ]);
    expect(doc.images).toEqual([
      {
        id: 1,
        file_name: `${assets[0]}.png`,
        width: 640,
        height: 480,
        task_id: tasks.i1,
        external_id: 'i1',
        asset_id: assets[0],
        field: 'image',
      },
      {
        id: 2,
        file_name: `${assets[1]}.jpg`,
        width: 100,
        height: 50,
        task_id: tasks.i2,
        external_id: 'i2',
        asset_id: assets[1],
        field: 'image',
      },
    ]);
    const pA = await pseudonym(project.id, org.users.annotator.id);
    const pB = await pseudonym(project.id, org.users.reviewer.id);
    const common = { iscrowd: 0, segmentation: [], question: 'objects' };
    expect(doc.annotations).toEqual([
      {
        id: 1,
        image_id: 1,
        category_id: 1,
        bbox: [64, 96, 320, 120],
        area: 38400,
        annotator: pA,
        status: 'submitted',
        annotation_id: a1,
        ...common,
      },
      {
        id: 2,
        image_id: 1,
        category_id: 2,
        bbox: [320, 240, 160, 240],
        area: 38400,
        annotator: pA,
        status: 'submitted',
        annotation_id: a1,
        ...common,
      },
      {
        id: 3,
        image_id: 2,
        category_id: 2,
        bbox: [0, 0, 100, 50],
        area: 5000,
        annotator: pB,
        status: 'accepted',
        annotation_id: a2,
        ...common,
      },
    ]);
    const event = await lastEvent(as.admin, 'project.exported', project.id);
    expect(event.details).toMatchObject({
      format: 'coco',
      rows: 3,
      tasks: 2,
      annotations: 2,
      sha256: sha256(res.text),
    });
  });
});

describe('preference', () => {
  it('writes a pair per pairwise answer (not ties) and every ordered pair of a ranking', async () => {
    const project = await createProject(RLHF_CONFIG);
    const responses = [
      { id: 'x', text: 'Hi!' },
      { id: 'y', text: 'Hello there.' },
      { id: 'z', text: 'Yo' },
    ];
    const tasks = await importTasks(project.id, [
      { externalId: 'r1', data: { prompt: 'Say hi', responses } },
    ]);
    await annotate(project.id, {
      task: tasks.r1!,
      user: org.users.annotator.id,
      status: 'submitted',
      createdAt: T('10:00:00'),
      result: { better: 'b', order: ['z', 'x', 'y'] },
    });
    await annotate(project.id, {
      task: tasks.r1!,
      user: org.users.reviewer.id,
      status: 'submitted',
      createdAt: T('10:00:05'),
      result: { better: 'tie' },
    });
    const res = await exported(as.manager, project.id, { format: 'preference' });
    expect(res.header('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(res.header('content-disposition')).toMatch(/-preference\.jsonl"$/);
    const pA = await pseudonym(project.id, org.users.annotator.id);
    const meta = { task_id: tasks.r1, external_id: 'r1', annotator: pA, status: 'submitted' };
    expect(jsonLines(res.text)).toEqual([
      {
        prompt: 'Say hi',
        chosen: 'Hello there.',
        rejected: 'Hi!',
        ...meta,
        question: 'better',
        chosen_id: 'y',
        rejected_id: 'x',
      },
      {
        prompt: 'Say hi',
        chosen: 'Yo',
        rejected: 'Hi!',
        ...meta,
        question: 'order',
        chosen_id: 'z',
        rejected_id: 'x',
      },
      {
        prompt: 'Say hi',
        chosen: 'Yo',
        rejected: 'Hello there.',
        ...meta,
        question: 'order',
        chosen_id: 'z',
        rejected_id: 'y',
      },
      {
        prompt: 'Say hi',
        chosen: 'Hi!',
        rejected: 'Hello there.',
        ...meta,
        question: 'order',
        chosen_id: 'x',
        rejected_id: 'y',
      },
    ]);
    expect(Object.keys(jsonLines(res.text)[0]!).slice(0, 3)).toEqual(['prompt', 'chosen', 'rejected']);

    // the same annotator, another project: another pseudonym
    expect(pA).not.toBe(ner.pA);
  });
});

/* ---------- people ---------- */

describe('pseudonyms and identities', () => {
  it('names annotators by a pseudonym stable within a project, and never by id or e-mail', async () => {
    const first = await exported(as.manager, ner.project.id, { format: 'csv', status: 'all' });
    const second = await exported(as.admin, ner.project.id, { format: 'csv', status: 'all' });
    expect(second.text).toBe(first.text);
    for (const fmt of ['jsonl', 'json', 'csv', 'coco', 'conll', 'preference']) {
      const text = (await exported(as.manager, ner.project.id, { format: fmt, status: 'all' })).text;
      for (const u of Object.values(org.users)) {
        expect(text).not.toContain(u.id);
        expect(text).not.toContain(u.email);
      }
    }
    expect(ner.pA).toMatch(/^annotator-[0-9a-f]{12}$/);
    expect(ner.pA).not.toBe(ner.pB);
  });

  it('refuses identities to a manager (audited as a denial), gives them to an admin (audited)', async () => {
    const denied = await exportOf(as.manager, ner.project.id, { identities: 'true' });
    expectErrorShape(denied, 403, 'FORBIDDEN');
    await expectDenialAudited(as.admin, denied.requestId, 403);

    const res = await exported(as.admin, ner.project.id, { identities: 'true', status: 'accepted' });
    const [line] = jsonLines<{ annotations: Record<string, unknown>[] }>(res.text);
    const annotator = org.users.reviewer;
    expect(line!.annotations[0]).toMatchObject({
      annotator: ner.pB,
      annotatorIdentity: { id: annotator.id, email: annotator.email, name: `reviewer of ${org.slug}` },
      review: {
        reviewer: ner.pManager,
        reviewerIdentity: {
          id: org.users.manager.id,
          email: org.users.manager.email,
          name: `manager of ${org.slug}`,
        },
      },
    });
    const event = await lastEvent(as.admin, 'project.exported', ner.project.id);
    expect(event.actorId).toBe(org.users.admin.id);
    expect(event.details).toMatchObject({ identities: true, status: 'accepted' });

    const csv = await exported(as.owner, ner.project.id, { identities: 'true', format: 'csv' });
    expect(csv.text.split('\r\n')[0]).toContain(
      ',annotator_id,annotator_email,annotator_name,reviewer_email',
    );
    expect(csv.text).toContain(org.users.annotator.email);
  });
});

/* ---------- audit and access ---------- */

describe('audit', () => {
  it('records every export with its format, counts, bytes and the SHA-256 of the bytes sent', async () => {
    for (const format of ['jsonl', 'csv', 'conll'] as const) {
      const res = await exported(as.manager, ner.project.id, { format, status: 'all' });
      const event = await lastEvent(as.admin, 'project.exported', ner.project.id);
      expect(event.actorId).toBe(org.users.manager.id);
      expect(event.outcome).toBe('success');
      expect(event.requestId).toBe(res.requestId);
      const rows = { jsonl: 5, csv: 7, conll: 2 }[format];
      expect(event.details).toEqual({
        format,
        status: 'all',
        identities: false,
        rows,
        tasks: 5,
        annotations: 6,
        bytes: Buffer.byteLength(res.text),
        sha256: sha256(res.text),
      });
    }
  });

  it('ends the response only once the event is committed, and says so in trailers', async () => {
    const { body, trailers } = await download(as.manager, ner.project.id, {});
    expect(trailers['x-export-rows']).toBe('2');
    expect(trailers['x-export-sha256']).toBe(sha256(body));
    // read at once on another connection: already there
    const event = await lastEvent(as.admin, 'project.exported', ner.project.id);
    expect(event.details.sha256).toBe(sha256(body));
  });
});

describe('access', () => {
  it("answers 404 for another tenant's project and for an unknown id", async () => {
    expectErrorShape(await exportOf(outsider, ner.project.id), 404, 'NOT_FOUND');
    expectErrorShape(await exportOf(as.manager, randomUUID()), 404, 'NOT_FOUND');
    expectErrorShape(await exportOf(as.manager, 'not-a-uuid'), 400, 'INVALID_PARAMETER');
  });

  it('refuses annotators and reviewers who are members (403, audited), and a manager of another project', async () => {
    for (const who of [as.annotator, as.reviewer]) {
      const res = await exportOf(who, ner.project.id);
      expectErrorShape(res, 403, 'FORBIDDEN');
      await expectDenialAudited(as.admin, res.requestId, 403);
    }
    const email = `second.manager.${org.slug}@example.test`;
    await asMigrator(api.migratorUrl, 'INSERT INTO email_directory (email) VALUES ($1)', [email]);
    await asMigrator(
      api.migratorUrl,
      `INSERT INTO users (org_id, email, name, role, password_hash)
       SELECT $1, $2, 'Second manager', 'manager', password_hash FROM users WHERE id = $3`,
      [org.orgId, email, org.users.manager.id],
    );
    const second = await signIn(api.url, { email });
    expectErrorShape(await exportOf(second, ner.project.id), 404, 'NOT_FOUND');
  });

  it('needs a sign-in', async () => {
    const res = await fetch(`${api.url}/api/v1/projects/${ner.project.id}/export`);
    expect(res.status).toBe(401);
  });
});

/* ---------- streaming ---------- */

interface Download {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  trailers: NodeJS.Dict<string>;
}

/** A download read as it arrives; the body is kept (small fixtures only). */
function download(by: Client, projectId: string, query: Record<string, string>): Promise<Download> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${api.url}/api/v1/projects/${projectId}/export?${new URLSearchParams(query)}`,
      { headers: { cookie: [...by.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            trailers: res.trailers,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

interface Streamed {
  status: number;
  bytes: number;
  sha256: string;
  firstByteMs: number;
  /** The highest RSS of this (the server's) process while the download ran, in MB. */
  peakRssMB: number;
  aborted: boolean;
}

/**
 * A download hashed and thrown away as it arrives, with the process's RSS sampled meanwhile (the app runs
 * in this process); `abortAfter` walks away after that many bytes.
 */
function stream(
  by: Client,
  projectId: string,
  query: Record<string, string>,
  abortAfter?: number,
): Promise<Streamed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const hash = createHash('sha256');
    let bytes = 0;
    let firstByteMs = -1;
    const done = (status: number, aborted: boolean) => {
      clearInterval(sampler);
      resolve({ status, bytes, sha256: hash.digest('hex'), firstByteMs, peakRssMB: peak / 2 ** 20, aborted });
    };
    const req = http.get(
      `${api.url}/api/v1/projects/${projectId}/export?${new URLSearchParams(query)}`,
      { headers: { cookie: [...by.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }, agent: false },
      (res) => {
        res.on('data', (c: Buffer) => {
          if (firstByteMs < 0) firstByteMs = performance.now() - started;
          hash.update(c);
          bytes += c.length;
          if (abortAfter !== undefined && bytes >= abortAfter) {
            req.destroy();
            done(res.statusCode ?? 0, true);
          }
        });
        res.on('end', () => done(res.statusCode ?? 0, false));
        res.on('error', () => undefined);
      },
    );
    req.on('error', (err) => (abortAfter === undefined ? reject(err) : undefined));
  });
}

describe('streaming a large export', () => {
  const TASKS = 20_000;
  const TEXT_KB = 4;
  let big: ProjectView;

  beforeAll(async () => {
    big = await createProject(NER_CONFIG);
    // 20,000 tasks of 4 KB each, two submitted annotations each: an ~110 MB JSONL export
    await asMigrator(
      api.migratorUrl,
      `INSERT INTO tasks (org_id, project_id, external_id, data)
       SELECT $1, $2, 'big-' || i, jsonb_build_object('text', repeat(md5(i::text), $3::int * 1024 / 32))
         FROM generate_series(1, $4::int) i`,
      [org.orgId, big.id, TEXT_KB, TASKS],
    );
    await asMigrator(
      api.migratorUrl,
      `INSERT INTO annotations (org_id, project_id, task_id, user_id, status, result, config_version, revision, submitted_at)
       SELECT t.org_id, t.project_id, t.id, u.id, 'submitted',
              jsonb_build_object('sentiment', 'pos', 'note', repeat('n', 300)), 1, 1, now()
         FROM tasks t CROSS JOIN (VALUES ($3::uuid), ($4::uuid)) AS u(id)
        WHERE t.project_id = $2 AND t.org_id = $1`,
      [org.orgId, big.id, org.users.annotator.id, org.users.reviewer.id],
    );
  }, 120_000);

  it('streams 20,000 tasks with flat server memory, the digest audited', async () => {
    global.gc?.();
    const before = process.memoryUsage().rss / 2 ** 20;
    const r = await stream(as.manager, big.id, {});
    expect(r.status).toBe(200);
    expect(r.aborted).toBe(false);
    expect(r.bytes).toBeGreaterThan(TASKS * TEXT_KB * 1024);
    // the export is ~110 MB; the process (server and this client) grows by a small fraction of it
    expect(r.peakRssMB - before, `RSS ${before.toFixed(0)} → ${r.peakRssMB.toFixed(0)} MB`).toBeLessThan(80);
    const event = await lastEvent(as.admin, 'project.exported', big.id);
    expect(event.details).toMatchObject({
      rows: TASKS,
      tasks: TASKS,
      annotations: 2 * TASKS,
      bytes: r.bytes,
      sha256: r.sha256,
    });
  });

  it('stays healthy when clients walk away mid-download: cursors closed, connections back, aborts audited', async () => {
    // more aborted downloads than the pool has connections (4 in tests): each must give its connection back
    for (let i = 0; i < 6; i++) {
      const r = await stream(as.manager, big.id, { format: i % 2 ? 'csv' : 'jsonl' }, 256 * 1024);
      expect(r.aborted).toBe(true);
      expect(r.status).toBe(200);
    }
    const health = await fetch(`${api.url}/api/v1/health`);
    expect(await health.json()).toEqual({ status: 'ok', db: 'ok' });
    // the next export runs, whole
    const after = await exported(as.manager, ner.project.id);
    expect(jsonLines(after.text)).toHaveLength(2);
    // no portal or transaction is left behind by the aborted ones (the last may take a moment to notice)
    let stuck = -1;
    for (let i = 0; i < 50 && stuck !== 0; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      const [row] = await asMigrator<{ n: number }>(
        api.migratorUrl,
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND state <> 'idle' AND query ILIKE '%row_to_json%'
            AND pid <> pg_backend_pid()`,
      );
      stuck = row!.n;
    }
    expect(stuck).toBe(0);
    const aborts = (await auditEvents(as.admin, { action: 'project.export_aborted' })).filter(
      (e) => e.targetId === big.id,
    );
    expect(aborts.length).toBeGreaterThanOrEqual(1);
    expect(aborts[0]!.outcome).toBe('failure');
    expect(aborts[0]!.details).toMatchObject({ reason: 'the client closed the connection before the end' });
    expect(aborts[0]!.details.bytes as number).toBeGreaterThan(0);
  });
});

/* ---------- the CLI ---------- */

describe('the CLI: enclave export', () => {
  let dir: string;
  let token: string;
  beforeAll(async () => {
    expect(fs.existsSync(CLI), `${CLI} is missing: build @enclave/api first`).toBe(true);
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'enclave-export-cli-'));
    const res = await as.manager.post('/api/v1/auth/tokens', { name: 'cli export' });
    expect(res.status, res.toString()).toBe(201);
    token = res.json<{ token: string }>().token;
  });
  afterAll(async () => {
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it('streams the export to a file and prints the bytes, rows and SHA-256 of the audit event', async () => {
    const out = path.join(dir, 'ner.csv');
    const r = await runCli(
      [
        'export',
        '--project',
        ner.project.id,
        '--format',
        'csv',
        '--status',
        'all',
        '--out',
        out,
        '--url',
        api.url,
      ],
      { ENCLAVE_TOKEN: token },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const bytes = await fs.promises.readFile(out);
    const event = await lastEvent(as.admin, 'project.exported', ner.project.id);
    expect(event.details).toMatchObject({
      format: 'csv',
      rows: 7,
      bytes: bytes.length,
      sha256: sha256(bytes),
    });
    expect(r.stdout).toBe(`wrote ${out}: ${bytes.length} bytes, 7 rows\nsha256 ${sha256(bytes)}\n`);
    expect(r.stdout + r.stderr).not.toContain(token);
    expect(fs.existsSync(`${out}.part`)).toBe(false);
    // the same bytes as over HTTP
    expect(bytes.toString('utf8')).toBe(
      (await exported(as.manager, ner.project.id, { format: 'csv', status: 'all' })).text,
    );
  });

  it('exits 1 with the server’s message when refused, and leaves no file', async () => {
    const out = path.join(dir, 'refused.jsonl');
    const missing = await runCli(
      ['export', '--project', randomUUID(), '--out', out, '--url', api.url, '--token', token],
      {},
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/export refused \(404 NOT_FOUND\): project not found/);
    const identities = await runCli(
      ['export', '--project', ner.project.id, '--identities', '--out', out, '--url', api.url],
      {
        ENCLAVE_TOKEN: token,
      },
    );
    expect(identities.code).toBe(1);
    expect(identities.stderr).toMatch(/403 FORBIDDEN/);
    expect(fs.existsSync(out)).toBe(false);
    const badFormat = await runCli(
      ['export', '--project', ner.project.id, '--format', 'xml', '--out', out, '--url', api.url],
      {
        ENCLAVE_TOKEN: token,
      },
    );
    expect(badFormat.code).toBe(2);
    const noToken = await runCli(['export', '--project', ner.project.id, '--out', out, '--url', api.url], {});
    expect(noToken.code).not.toBe(0);
    expect(noToken.stderr).toMatch(/token/i);
  });
});

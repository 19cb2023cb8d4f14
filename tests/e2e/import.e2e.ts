import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorDetail, ImportResult, LabelConfigInput, OrgRole, ProjectView } from '@enclave/contracts';
import {
  asMigrator,
  auditEvents,
  CLI,
  createOrg,
  expectErrorShape,
  runCli,
  signIn,
  startApp,
  type RunningApp,
  type TestOrg,
} from '../support/app';
import { streamRequest, type Client, type HttpResponse } from '../support/http';

/**
 * Task import (POST /api/v1/projects/:id/tasks): the three formats, all-or-nothing with every bad line
 * named, set-based duplicate and asset checks, who may import, and a server that stays small and
 * healthy whatever the body: endless garbage, a client walking away mid-upload. Then the CLI.
 */

let api: RunningApp;
let org: TestOrg;
let other: TestOrg;
const as = {} as Record<OrgRole, Client>;
let outsider: Client;

const TEXT_CONFIG: LabelConfigInput = {
  fields: [{ name: 'text', type: 'text' }],
  questions: [{ name: 'sentiment', type: 'single_choice', options: ['pos', 'neg'] }],
};
const RLHF_CONFIG: LabelConfigInput = {
  fields: [
    { name: 'prompt', type: 'text' },
    { name: 'responses', type: 'responses' },
  ],
  questions: [{ name: 'better', type: 'pairwise', field: 'responses' }],
};
const IMAGE_CONFIG: LabelConfigInput = {
  fields: [{ name: 'image', type: 'image' }],
  questions: [{ name: 'objects', type: 'bboxes', field: 'image', labels: ['car'] }],
};

beforeAll(async () => {
  api = await startApp();
  [org, other] = await Promise.all([createOrg(api), createOrg(api)]);
  for (const role of ['owner', 'admin', 'manager', 'reviewer', 'annotator'] as const)
    as[role] = await signIn(api.url, org.users[role]);
  outsider = await signIn(api.url, other.users.owner);
});
let small: RunningApp | undefined;
afterAll(async () => {
  // Passport keeps one strategy per name for the whole process: the app started last authenticates
  // for both, so the second app may only close at the very end.
  await small?.close();
  await api?.close();
});

async function createProject(by: Client, labelConfig: LabelConfigInput = TEXT_CONFIG): Promise<ProjectView> {
  const res = await by.post('/api/v1/projects', {
    name: `Import ${randomBytes(3).toString('hex')}`,
    labelConfig,
  });
  expect(res.status, res.toString()).toBe(201);
  return res.json<ProjectView>();
}

const NDJSON = 'application/x-ndjson';

function importBody(
  by: Client,
  projectId: string,
  body: string | Buffer,
  contentType = NDJSON,
): Promise<HttpResponse> {
  return by.post(`/api/v1/projects/${projectId}/tasks`, undefined, {
    raw: body,
    headers: { 'content-type': contentType },
  });
}

async function imported(
  by: Client,
  projectId: string,
  body: string | Buffer,
  contentType = NDJSON,
): Promise<number> {
  const res = await importBody(by, projectId, body, contentType);
  expect(res.status, res.toString()).toBe(201);
  return res.json<ImportResult>().imported;
}

function rejected(res: HttpResponse): { message: string; details: ErrorDetail[] } {
  expectErrorShape(res, 400, 'VALIDATION_FAILED');
  return { message: res.error.message, details: res.error.details as ErrorDetail[] };
}

interface TaskRow {
  external_id: string | null;
  data: Record<string, unknown>;
  priority: number;
  gold_answer: Record<string, unknown> | null;
  import_id: string | null;
}

function tasksOf(projectId: string): Promise<TaskRow[]> {
  return asMigrator<TaskRow>(
    api.migratorUrl,
    'SELECT external_id, data, priority, gold_answer, import_id FROM tasks WHERE project_id = $1 ORDER BY seq',
    [projectId],
  );
}

async function taskCount(projectId: string): Promise<number> {
  const [row] = await asMigrator<{ n: number }>(
    api.migratorUrl,
    'SELECT count(*)::int AS n FROM tasks WHERE project_id = $1',
    [projectId],
  );
  return row!.n;
}

const ndjson = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** `count` NDJSON lines of ~60 bytes, generated as they are sent; `bad` replaces one line. */
async function* generatedLines(count: number, bad?: { line: number; text: string }): AsyncGenerator<Buffer> {
  let chunk = '';
  for (let i = 1; i <= count; i++) {
    chunk +=
      bad && bad.line === i
        ? `${bad.text}\n`
        : `{"data":{"text":"generated task number ${i}"},"priority":${i % 7}}\n`;
    if (chunk.length >= 64 * 1024) {
      yield Buffer.from(chunk);
      chunk = '';
    }
  }
  if (chunk) yield Buffer.from(chunk);
}

function authHeaders(by: Client, contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    cookie: [...by.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    'x-csrf-token': by.csrf ?? '',
  };
}

describe('importing each format', () => {
  it('NDJSON: rows land in file order with externalId, priority and gold; blank lines and CRLF are fine', async () => {
    const p = await createProject(as.manager);
    const body =
      '{"data":{"text":"first"},"externalId":"a-1","priority":5}\r\n' +
      '\n' +
      '{"data":{"text":"second\\ttab \\\\ backslash\\nnewline ünïcödé 🎉","source":"lab-7"}}\n' +
      '{"data":{"text":"third"},"gold":{"sentiment":"neg"},"externalId":"a-3","priority":-2}';
    expect(await imported(as.manager, p.id, body)).toBe(3);
    const rows = await tasksOf(p.id);
    expect(rows.map((r) => [r.external_id, r.data, r.priority, r.gold_answer])).toEqual([
      ['a-1', { text: 'first' }, 5, null],
      [null, { text: 'second\ttab \\ backslash\nnewline ünïcödé 🎉', source: 'lab-7' }, 0, null],
      ['a-3', { text: 'third' }, -2, { sentiment: 'neg' }],
    ]);
    // one import id for the whole file
    expect(new Set(rows.map((r) => r.import_id)).size).toBe(1);
    expect(rows[0]!.import_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('NDJSON also as application/jsonl, with charset=utf-8', async () => {
    const p = await createProject(as.manager);
    expect(
      await imported(as.manager, p.id, ndjson([{ data: { text: 'x' } }]), 'application/jsonl; charset=UTF-8'),
    ).toBe(1);
  });

  it('a JSON array, element by element, pretty-printed', async () => {
    const p = await createProject(as.manager);
    const body = JSON.stringify(
      [
        { data: { text: 'one [with] {brackets} and "quotes"' }, externalId: 'j1' },
        { data: { text: 'two' }, priority: 9, gold: { sentiment: 'pos' } },
      ],
      null,
      2,
    );
    expect(await imported(as.manager, p.id, body, 'application/json')).toBe(2);
    expect((await tasksOf(p.id)).map((r) => [r.external_id, r.data.text, r.priority, r.gold_answer])).toEqual(
      [
        ['j1', 'one [with] {brackets} and "quotes"', 0, null],
        [null, 'two', 9, { sentiment: 'pos' }],
      ],
    );
  });

  it('CSV with one column per field (non-text fields as JSON) and the optional columns', async () => {
    const p = await createProject(as.manager, RLHF_CONFIG);
    const responses = JSON.stringify([
      { id: 'a', text: 'Yes, "quoted"' },
      { id: 'b', text: 'No' },
    ]).replace(/"/g, '""');
    const body =
      '\uFEFFprompt,responses,externalId,priority,gold\r\n' +
      `"Is it, really?","${responses}",r1,3,"{""better"":""a""}"\r\n` +
      `"multi\nline prompt","${responses}",,,\r\n`;
    expect(await imported(as.manager, p.id, body, 'text/csv')).toBe(2);
    const rows = await tasksOf(p.id);
    expect(rows.map((r) => [r.external_id, r.data.prompt, r.priority, r.gold_answer])).toEqual([
      ['r1', 'Is it, really?', 3, { better: 'a' }],
      [null, 'multi\nline prompt', 0, null],
    ]);
    expect(rows[0]!.data.responses).toEqual([
      { id: 'a', text: 'Yes, "quoted"' },
      { id: 'b', text: 'No' },
    ]);
  });

  it('CSV with a data column of JSON objects', async () => {
    const p = await createProject(as.manager);
    const body = 'externalId,data\nc1,"{""text"":""hello"",""lang"":""en""}"\nc2,"{""text"":""bye""}"\n';
    expect(await imported(as.manager, p.id, body, 'text/csv')).toBe(2);
    expect((await tasksOf(p.id)).map((r) => r.data)).toEqual([
      { text: 'hello', lang: 'en' },
      { text: 'bye' },
    ]);
  });

  it('is open to admins of the organization, member or not', async () => {
    const p = await createProject(as.manager);
    expect(await imported(as.admin, p.id, ndjson([{ data: { text: 'by admin' } }]))).toBe(1);
    expect(await imported(as.owner, p.id, ndjson([{ data: { text: 'by owner' } }]))).toBe(1);
  });
});

describe('all or nothing, every bad line named', () => {
  it('a bad line in the middle of a million rows: 400 naming it, nothing imported', async () => {
    const p = await createProject(as.manager);
    const result = await streamRequest(api.url, `/api/v1/projects/${p.id}/tasks`, {
      headers: authHeaders(as.manager, NDJSON),
      body: generatedLines(1_000_000, { line: 500_001, text: '{"data":{"text":42}}' }),
    });
    const { message, details } = rejected(result.response!);
    expect(details).toEqual([{ line: 500_001, path: 'data.text', message: expect.stringMatching(/string/) }]);
    expect(message).toMatch(/^1 bad row; nothing was imported/);
    expect(message).toMatch(/NDJSON/);
    expect(await taskCount(p.id)).toBe(0);
  });

  it('names each kind of bad row, with its line and path', async () => {
    const p = await createProject(as.manager);
    const lines = [
      '{"data":{"text":"ok"}}',
      '[1,2]',
      '{"data":{"text":"ok"},"colour":"red"}',
      '{"externalId":"no-data"}',
      '{"data":{"text":["not","a","string"]}}',
      '{"data":{"text":"x","__proto__":{"admin":true}}}',
      '{"data":{"text":"x"},"priority":1.5}',
      '{"data":{"text":"x"},"priority":2000000}',
      '{"data":{"text":"x"},"externalId":""}',
      '{"data":{"text":"x"},"externalId":42}',
      '{"data":{"text":"x"}',
      '{"data":{"text":"nul \\u0000 inside"}}',
      '{"data":"text"}',
      '{"data":{"text":"x"},"gold":{"sentiment":"maybe"}}',
    ];
    const { message, details } = rejected(await importBody(as.manager, p.id, lines.join('\n')));
    expect(message).toMatch(/^13 bad rows; nothing was imported/);
    const byLine = (line: number) => details.filter((d) => d.line === line);
    expect(details.map((d) => d.line)).not.toContain(1);
    expect(byLine(2)[0]!.message).toMatch(/must be an object/);
    expect(byLine(3)).toEqual([{ line: 3, path: 'colour', message: expect.stringMatching(/unknown key/) }]);
    expect(byLine(4)).toEqual([{ line: 4, path: 'data', message: 'required' }]);
    expect(byLine(5)[0]).toMatchObject({ path: 'data.text' });
    expect(byLine(6)[0]!.message).toMatch(/__proto__/);
    expect(byLine(7)[0]).toMatchObject({ path: 'priority', message: expect.stringMatching(/integer/) });
    expect(byLine(8)[0]).toMatchObject({ path: 'priority' });
    expect(byLine(9)[0]).toMatchObject({ path: 'externalId' });
    expect(byLine(10)[0]).toMatchObject({ path: 'externalId' });
    expect(byLine(11)[0]!.message).toMatch(/not valid JSON/);
    expect(byLine(12)[0]).toMatchObject({ path: 'data', message: expect.stringMatching(/NUL/) });
    expect(byLine(13)[0]).toMatchObject({ path: 'data', message: expect.stringMatching(/object/) });
    expect(byLine(14)[0]).toMatchObject({ path: 'gold.sentiment' });
    expect(await taskCount(p.id)).toBe(0);
  });

  it('duplicate externalIds, within the file and against the project, name every line after the first', async () => {
    const p = await createProject(as.manager);
    expect(await imported(as.manager, p.id, ndjson([{ data: { text: 'old' }, externalId: 'taken' }]))).toBe(
      1,
    );
    const body = ndjson([
      { data: { text: '1' }, externalId: 'x' },
      { data: { text: '2' }, externalId: 'y' },
      { data: { text: '3' }, externalId: 'x' },
      { data: { text: '4' }, externalId: 'taken' },
      { data: { text: '5' } },
      { data: { text: '6' }, externalId: 'x' },
    ]);
    const { message, details } = rejected(await importBody(as.manager, p.id, body));
    expect(message).toMatch(/^3 bad rows/);
    expect(details).toEqual([
      { line: 3, path: 'externalId', message: 'externalId "x" is also on line 1' },
      {
        line: 4,
        path: 'externalId',
        message: 'externalId "taken" is already taken by a task of this project',
      },
      { line: 6, path: 'externalId', message: 'externalId "x" is also on line 1' },
    ]);
    expect(await taskCount(p.id)).toBe(1);
  });

  it('problems found while reading and in SQL come back together, in line order', async () => {
    const p = await createProject(as.manager);
    const body = ndjson([
      { data: { text: '1' }, externalId: 'd' },
      { data: {} },
      { data: { text: '3' }, externalId: 'd' },
    ]);
    const { details } = rejected(await importBody(as.manager, p.id, body));
    expect(details.map((d) => [d.line, d.path])).toEqual([
      [2, 'data.text'],
      [3, 'externalId'],
    ]);
  });

  it('an invalid gold answer is a bad line', async () => {
    const p = await createProject(as.manager);
    const { details } = rejected(
      await importBody(
        as.manager,
        p.id,
        ndjson([{ data: { text: 'a' }, gold: { sentiment: 'pos', extra: 1 } }]),
      ),
    );
    expect(details).toEqual([{ line: 1, path: 'gold.extra', message: expect.stringMatching(/no question/) }]);
    const missing = rejected(await importBody(as.manager, p.id, ndjson([{ data: { text: 'a' }, gold: {} }])));
    expect(missing.details).toEqual([{ line: 1, path: 'gold.sentiment', message: 'required' }]);
    expect(await taskCount(p.id)).toBe(0);
  });

  it('an image field must name an asset of the same project', async () => {
    const p = await createProject(as.manager, IMAGE_CONFIG);
    const q = await createProject(as.manager, IMAGE_CONFIG);
    const [own, foreign] = await Promise.all([insertAsset(p.id), insertAsset(q.id)]);
    const stranger = randomUUID();
    const body = ndjson([
      { data: { image: own } },
      { data: { image: foreign } },
      { data: { image: stranger } },
      { data: { image: 'not-a-uuid' } },
    ]);
    const { message, details } = rejected(await importBody(as.manager, p.id, body));
    expect(message).toMatch(/^3 bad rows/);
    expect(details).toEqual([
      { line: 2, path: 'data.image', message: `no image asset ${foreign} in this project` },
      { line: 3, path: 'data.image', message: `no image asset ${stranger} in this project` },
      { line: 4, path: 'data.image', message: expect.stringMatching(/UUID/) },
    ]);
    expect(
      await imported(
        as.manager,
        p.id,
        ndjson([{ data: { image: own.toUpperCase() } }, { data: { image: own } }]),
      ),
    ).toBe(2);
  });

  it('stops at 100 bad lines, says "at least", and closes the connection', async () => {
    const p = await createProject(as.manager);
    const body = Array.from({ length: 500 }, (_, i) => `not json ${i}`).join('\n');
    const res = await importBody(as.manager, p.id, body);
    const { message, details } = rejected(res);
    expect(message).toMatch(/^at least 100 bad rows/);
    expect(new Set(details.map((d) => d.line)).size).toBe(100);
    expect(details.at(-1)!.line).toBe(100);
    expect(res.header('connection')).toBe('close');
  });

  it('refuses a CSV with a broken quote, naming the line where the quoted field starts', async () => {
    const p = await createProject(as.manager);
    const { details } = rejected(
      await importBody(as.manager, p.id, 'text,externalId\nfine,a\n"broken,b\nmore,c\n', 'text/csv'),
    );
    expect(details).toEqual([{ line: 3, message: expect.stringMatching(/quote/) }]);
    expect(await taskCount(p.id)).toBe(0);
  });

  it('refuses CSV headers that are unknown, missing a field, or mix data with fields', async () => {
    const p = await createProject(as.manager);
    const unknown = rejected(await importBody(as.manager, p.id, 'text,colour\nx,red\n', 'text/csv'));
    expect(unknown.details).toEqual([
      { line: 1, path: 'column 2', message: expect.stringMatching(/unknown column "colour"/) },
    ]);
    const missing = rejected(await importBody(as.manager, p.id, 'externalId\nx\n', 'text/csv'));
    expect(missing.details[0]!.message).toMatch(/no column for the field text/);
    const width = rejected(await importBody(as.manager, p.id, 'text,priority\nx,1\ny\nz,abc\n', 'text/csv'));
    expect(width.details).toEqual([
      { line: 3, message: 'has 1 columns, the header has 2' },
      { line: 4, path: 'priority', message: 'must be an integer, not "abc"' },
    ]);
  });

  it('refuses a JSON array cut off, a body that is not an array, and text after the array', async () => {
    const p = await createProject(as.manager);
    const cut = rejected(
      await importBody(as.manager, p.id, '[{"data":{"text":"a"}}, {"data":{"te', 'application/json'),
    );
    expect(cut.details).toEqual([{ line: 2, message: expect.stringMatching(/cut off/) }]);
    expect(cut.message).toMatch(/element numbers/);
    const noEnd = rejected(await importBody(as.manager, p.id, '[{"data":{"text":"a"}}', 'application/json'));
    expect(noEnd.details[0]!.message).toMatch(/cut off/);
    const object = rejected(await importBody(as.manager, p.id, '{"data":{"text":"a"}}', 'application/json'));
    expect(object.details).toEqual([{ line: 1, message: expect.stringMatching(/must be a JSON array/) }]);
    const after = rejected(
      await importBody(as.manager, p.id, '[{"data":{"text":"a"}}] [', 'application/json'),
    );
    expect(after.details[0]!.message).toMatch(/after the end of the array/);
    expect(await taskCount(p.id)).toBe(0);
  });

  it('refuses an empty body, and a body with no tasks', async () => {
    const p = await createProject(as.manager);
    expect(rejected(await importBody(as.manager, p.id, '')).message).toMatch(/empty/);
    expect(rejected(await importBody(as.manager, p.id, '\n\n')).message).toMatch(/no tasks/);
    expect(rejected(await importBody(as.manager, p.id, '[]', 'application/json')).message).toMatch(
      /no tasks/,
    );
    expect(rejected(await importBody(as.manager, p.id, 'text\n', 'text/csv')).message).toMatch(/no tasks/);
  });

  it('refuses a line that is not UTF-8', async () => {
    const p = await createProject(as.manager);
    const body = Buffer.concat([
      Buffer.from('{"data":{"text":"ok"}}\n{"data":{"text":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}}\n'),
    ]);
    expect(rejected(await importBody(as.manager, p.id, body)).details).toEqual([
      { line: 2, message: 'the line is not valid UTF-8' },
    ]);
  });
});

describe('media types', () => {
  it('answers 415 for other types and charsets, naming the accepted ones', async () => {
    const p = await createProject(as.manager);
    const res = await importBody(as.manager, p.id, 'a', 'text/plain');
    expectErrorShape(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(res.error.message).toMatch(
      /application\/json, application\/x-ndjson, application\/jsonl, text\/csv/,
    );
    expectErrorShape(
      await importBody(as.manager, p.id, 'a', 'text/csv; charset=latin1'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    const none = await as.manager.post(`/api/v1/projects/${p.id}/tasks`, undefined, { raw: 'x' });
    expectErrorShape(none, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('who may import', () => {
  it('annotators and reviewers may not (403), even as members', async () => {
    const p = await createProject(as.manager);
    for (const role of ['annotator', 'reviewer'] as const) {
      const put = await as.manager.put(`/api/v1/projects/${p.id}/members/${org.users[role].id}`, { role });
      expect(put.status, put.toString()).toBe(200);
      expectErrorShape(await importBody(as[role], p.id, ndjson([{ data: { text: 'x' } }])), 403, 'FORBIDDEN');
    }
    expect(await taskCount(p.id)).toBe(0);
  });

  it('a manager who is not a member of the project gets 404; so does another tenant', async () => {
    const p = await createProject(as.admin);
    expectErrorShape(await importBody(as.manager, p.id, ndjson([{ data: { text: 'x' } }])), 404, 'NOT_FOUND');
    expectErrorShape(await importBody(outsider, p.id, ndjson([{ data: { text: 'x' } }])), 404, 'NOT_FOUND');
    expect(await taskCount(p.id)).toBe(0);
  });

  it('an archived project takes no import (409)', async () => {
    const p = await createProject(as.manager);
    const archived = await as.manager.post(`/api/v1/projects/${p.id}/archive`);
    expect(archived.status, archived.toString()).toBe(200);
    expectErrorShape(
      await importBody(as.manager, p.id, ndjson([{ data: { text: 'x' } }])),
      409,
      'PROJECT_ARCHIVED',
    );
  });
});

describe('audit', () => {
  it('records the import with its row count, format and bytes; and a rejected import', async () => {
    const p = await createProject(as.manager);
    const body = ndjson([{ data: { text: 'a' } }, { data: { text: 'b' } }]);
    expect(await imported(as.manager, p.id, body)).toBe(2);
    const [event] = (await auditEvents(as.owner, { action: 'tasks.imported' })).filter(
      (e) => e.targetId === p.id,
    );
    expect(event).toMatchObject({
      outcome: 'success',
      actorId: org.users.manager.id,
      targetType: 'project',
      targetId: p.id,
    });
    expect(event!.details).toMatchObject({ rows: 2, format: 'ndjson', bytes: Buffer.byteLength(body) });
    expect(event!.details.importId).toMatch(/^[0-9a-f-]{36}$/);

    const res = await importBody(as.manager, p.id, ndjson([{ data: { text: 'a' } }, { data: {} }]));
    rejected(res);
    const [failure] = (await auditEvents(as.owner, { action: 'tasks.import_rejected' })).filter(
      (e) => e.requestId === res.requestId,
    );
    expect(failure).toMatchObject({ outcome: 'failure', targetId: p.id });
    expect(failure!.details).toMatchObject({ rows: 2, badRows: 1, format: 'ndjson', status: 400 });
  });
});

describe('limits', () => {
  it('answers 413 past the row limit and past the byte limit, declared or streamed', async () => {
    small = await startApp({ ENCLAVE_IMPORT_MAX_ROWS: '3', ENCLAVE_IMPORT_MAX_BYTES: '4096' });
    const o = await createOrg(small);
    const manager = await signIn(small.url, o.users.manager);
    const project = (
      await manager.post('/api/v1/projects', { name: 'Limits', labelConfig: TEXT_CONFIG })
    ).json<ProjectView>();
    const rows = (n: number) => ndjson(Array.from({ length: n }, (_, i) => ({ data: { text: `t${i}` } })));
    expect(await imported(manager, project.id, rows(3))).toBe(3);
    expectErrorShape(await importBody(manager, project.id, rows(4)), 413, 'PAYLOAD_TOO_LARGE');
    const big = ndjson([{ data: { text: 'x'.repeat(5000) } }]);
    expectErrorShape(await importBody(manager, project.id, big), 413, 'PAYLOAD_TOO_LARGE');
    const streamed = await streamRequest(small.url, `/api/v1/projects/${project.id}/tasks`, {
      headers: authHeaders(manager, NDJSON),
      body: [Buffer.from(big)],
    });
    expectErrorShape(streamed.response!, 413, 'PAYLOAD_TOO_LARGE');
  });
});

describe('robustness', () => {
  it("outlasts Node's default five-minute request time-out: an import may run as long as its own time-out", () => {
    const server = api.app.getHttpServer() as http.Server;
    expect(server.requestTimeout).toBe(120 * 60_000);
  });

  it('an endless line of garbage (≥ 300 MB) ends in a 400 while the server stays small', async () => {
    const p = await createProject(as.manager);
    const garbage = Buffer.alloc(1024 * 1024, 'x');
    const total = 320;
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const result = await streamRequest(api.url, `/api/v1/projects/${p.id}/tasks`, {
        headers: authHeaders(as.manager, NDJSON),
        body: (function* () {
          for (let i = 0; i < total; i++) yield garbage;
        })(),
      });
      expect(result.sentBytes).toBe(total * garbage.length);
      const { details } = rejected(result.response!);
      expect(details).toEqual([{ line: 1, message: 'the line is longer than 10 MB' }]);
    } finally {
      clearInterval(sampler);
    }
    expect(peak - before).toBeLessThan(150 * 1024 * 1024);
    expect(await taskCount(p.id)).toBe(0);
  });

  it('garbage lines stop the import at 100 bad lines while the client is still sending', async () => {
    const p = await createProject(as.manager);
    const garbage = Buffer.from('garbage that is not json\n'.repeat(40_000));
    const before = process.memoryUsage().rss;
    const result = await streamRequest(api.url, `/api/v1/projects/${p.id}/tasks`, {
      headers: authHeaders(as.manager, NDJSON),
      body: (function* () {
        for (let i = 0; i < 2000; i++) yield garbage; // 2 GB if the server read it all
      })(),
    });
    expect(result.answeredEarly).toBe(true);
    expect(result.sentBytes).toBeLessThan(200 * 1024 * 1024);
    expect(rejected(result.response!).message).toMatch(/^at least 100 bad rows/);
    expect(result.response!.header('connection')).toBe('close');
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024);
  });

  it('a client writing large chunks as fast as it can still reads the early answer (the close lingers)', async () => {
    const p = await createProject(as.manager);
    const body = Buffer.from('not json\n'.repeat(8 * 1024 * 1024)); // 72 MB
    const url = new URL(api.url);
    const attempt = () =>
      new Promise<number | string>((resolve) => {
        let answered = false;
        const req = http.request({
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: `/api/v1/projects/${p.id}/tasks`,
          agent: false,
          headers: { ...authHeaders(as.manager, NDJSON), 'content-length': String(body.length) },
        });
        req.on('response', (res) => {
          answered = true;
          res.resume();
          res.on('end', () => {
            req.destroy();
            resolve(res.statusCode ?? 0);
          });
        });
        // without the lingering close, a reset often beats the answer: the write fails first
        req.on('error', (err) => !answered && resolve((err as NodeJS.ErrnoException).code ?? err.message));
        Readable.from(
          (function* () {
            for (let i = 0; i < body.length; i += 1024 * 1024) yield body.subarray(i, i + 1024 * 1024);
          })(),
        ).pipe(req);
      });
    const outcomes: (number | string)[] = [];
    for (let i = 0; i < 12; i++) outcomes.push(await attempt());
    expect(outcomes).toEqual(Array(12).fill(400));
  });

  it('a client that walks away mid-upload leaves no rows, no open transaction, and a healthy server', async () => {
    const p = await createProject(as.manager);
    const result = await streamRequest(api.url, `/api/v1/projects/${p.id}/tasks`, {
      headers: authHeaders(as.manager, NDJSON),
      body: generatedLines(200_000),
      abortAfterBytes: 3 * 1024 * 1024,
    });
    expect(result.response).toBeNull();
    // the server notices, fails the COPY, rolls back and returns the connection to the pool
    await expect
      .poll(
        async () =>
          (
            await asMigrator<{ n: number }>(
              api.migratorUrl,
              `SELECT count(*)::int AS n FROM pg_stat_activity
                WHERE application_name = 'enclave-api' AND state <> 'idle' AND pid <> pg_backend_pid()`,
            )
          )[0]!.n,
        { timeout: 10_000 },
      )
      .toBe(0);
    expect(await taskCount(p.id)).toBe(0);
    const health = await as.manager.get('/api/v1/health');
    expect(health.status, health.toString()).toBe(200);
    // every pooled connection still works: more imports than the pool has connections
    for (let i = 0; i < 6; i++)
      expect(await imported(as.manager, p.id, ndjson([{ data: { text: `after ${i}` } }]))).toBe(1);
  });
});

async function insertAsset(projectId: string): Promise<string> {
  const [row] = await asMigrator<{ id: string }>(
    api.migratorUrl,
    `INSERT INTO assets (org_id, project_id, sha256, media_type, byte_size, width, height, created_by)
     VALUES ($1, $2, $3, 'image/png', 10, 1, 1, $4) RETURNING id`,
    [org.orgId, projectId, randomBytes(32).toString('hex'), org.users.manager.id],
  );
  return row!.id;
}

describe('the CLI: enclave tasks:import', () => {
  let dir: string;
  let token: string;
  beforeAll(async () => {
    expect(fs.existsSync(CLI), `${CLI} is missing: build @enclave/api first`).toBe(true);
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'enclave-import-cli-'));
    const res = await as.manager.post('/api/v1/auth/tokens', { name: 'cli import' });
    expect(res.status, res.toString()).toBe(201);
    token = res.json<{ token: string }>().token;
  });
  afterAll(async () => {
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it('streams a file with the token, picks the type from the extension, prints the count', async () => {
    const p = await createProject(as.manager);
    const file = path.join(dir, 'tasks.jsonl');
    await fs.promises.writeFile(
      file,
      ndjson(Array.from({ length: 5000 }, (_, i) => ({ data: { text: `cli ${i}` }, externalId: `c${i}` }))),
    );
    const r = await runCli(['tasks:import', '--project', p.id, '--url', api.url, file], {
      ENCLAVE_TOKEN: token,
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toBe('imported 5000 tasks\n');
    expect(r.stdout + r.stderr).not.toContain(token);
    expect(await taskCount(p.id)).toBe(5000);

    const csv = path.join(dir, 'more.csv');
    await fs.promises.writeFile(csv, 'text\nfrom csv\n');
    const r2 = await runCli(['tasks:import', '--project', p.id, '--url', api.url, '--token', token, csv], {});
    expect(r2.code, r2.stdout + r2.stderr).toBe(0);
    expect(r2.stdout).toBe('imported 1 tasks\n');
  });

  it('prints the bad lines and exits 1 on a 400; the error message on other failures', async () => {
    const p = await createProject(as.manager);
    const file = path.join(dir, 'bad.txt');
    await fs.promises.writeFile(file, '{"data":{"text":"ok"}}\n{"data":{}}\n');
    const r = await runCli(
      ['tasks:import', '--project', p.id, '--url', api.url, '--format', 'ndjson', file],
      { ENCLAVE_TOKEN: token },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('1 bad row; nothing was imported');
    expect(r.stderr).toContain('line 2: data.text: required');
    expect(await taskCount(p.id)).toBe(0);

    const missing = await runCli(
      ['tasks:import', '--project', randomUUID(), '--url', api.url, file, '--format', 'ndjson'],
      {
        ENCLAVE_TOKEN: token,
      },
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404.*project not found/);

    const noToken = await runCli(['tasks:import', '--project', p.id, '--url', api.url, file], {});
    expect(noToken.code).not.toBe(0);
    expect(noToken.stderr).toMatch(/token/i);
  });

  it('stops uploading a large file of garbage when the server answers after 100 bad lines', async () => {
    const p = await createProject(as.manager);
    const file = path.join(dir, 'garbage.ndjson');
    const out = fs.createWriteStream(file);
    const block = Buffer.from('this is not json\n'.repeat(8192));
    for (let i = 0; i < 600; i++)
      if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r())); // ~80 MB
    await new Promise((r) => out.end(r));
    const r = await runCli(['tasks:import', '--project', p.id, '--url', api.url, file], {
      ENCLAVE_TOKEN: token,
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('at least 100 bad rows');
    expect(r.stderr).toContain('line 100: not valid JSON');
    expect(r.stderr).not.toContain('line 101:');
  });
});

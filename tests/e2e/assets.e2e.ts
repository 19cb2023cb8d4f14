import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetView, OrgRole, ProjectView, UserView } from '@enclave/contracts';
import { APP_CONFIG, type AppConfig } from '../../apps/api/src/core/config/config';
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
import type { Client, HttpResponse } from '../support/http';

/**
 * Image assets over HTTP: who may upload and read them, what is accepted, how they are stored and
 * with which headers they are served.
 */
let api: RunningApp;
let org: TestOrg;
let other: TestOrg;
let dataDir: string;
const as = {} as Record<OrgRole, Client>;
const otherOrg = {} as Record<'owner' | 'manager', Client>;
/** An annotator of the organization who is not a member of the project. */
let outsider: Client;
/** Managed by `as.manager`; the annotator and the reviewer are members. */
let projectId: string;

const LABEL_CONFIG = {
  fields: [{ name: 'image', type: 'image' }],
  questions: [{ name: 'objects', type: 'bboxes', field: 'image', labels: ['car'] }],
};

beforeAll(async () => {
  api = await startApp();
  dataDir = api.app.get<symbol, AppConfig>(APP_CONFIG).dataDir;
  [org, other] = await Promise.all([createOrg(api), createOrg(api)]);
  for (const role of ['owner', 'admin', 'manager', 'reviewer', 'annotator'] as const)
    as[role] = await signIn(api.url, org.users[role]);
  otherOrg.owner = await signIn(api.url, other.users.owner);
  otherOrg.manager = await signIn(api.url, other.users.manager);
  projectId = await createProject(as.manager);
  await addMember(as.manager, projectId, org.users.annotator.id, 'annotator');
  await addMember(as.manager, projectId, org.users.reviewer.id, 'reviewer');
  const res = await as.admin.post('/api/v1/users', {
    email: `outsider.${org.slug}@example.test`,
    name: 'Outsider',
    role: 'annotator',
    password: 'outsider e2e passphrase',
  });
  expect(res.status, res.toString()).toBe(201);
  outsider = await signIn(api.url, {
    email: res.json<UserView>().email,
    password: 'outsider e2e passphrase',
  });
});
afterAll(async () => {
  await api?.close();
});

// ---------------------------------------------------------------------------------------------------
// Helpers

async function createProject(by: Client): Promise<string> {
  const res = await by.post('/api/v1/projects', {
    name: `Images ${randomBytes(3).toString('hex')}`,
    labelConfig: LABEL_CONFIG,
  });
  expect(res.status, res.toString()).toBe(201);
  return res.json<ProjectView>().id;
}

async function addMember(
  by: Client,
  project: string,
  userId: string,
  role: 'annotator' | 'reviewer' | 'manager',
) {
  const res = await by.put(`/api/v1/projects/${project}/members/${userId}`, { role });
  expect([200, 201], res.toString()).toContain(res.status);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A real RGB PNG; `seed` varies the pixels, so that each test uploads bytes of its own. */
function png(width: number, height: number, seed = randomBytes(1)[0]!): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      raw.set([(x + seed) & 255, (y * seed) & 255, (x * y) & 255], y * (width * 3 + 1) + 1 + x * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Unique PNG bytes for a test (its own asset, never a duplicate of another test's). */
const uniquePng = (width = 4, height = 3) =>
  Buffer.concat([png(width, height), pngChunk('tEXt', Buffer.from(`Comment\0${randomUUID()}`, 'latin1'))]);

const GIF_1X1 = Buffer.from('R0lGODlhAQABAPAAAP///wAAACH5BAAAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
const JPEG_3X2 = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBD/wAARCAACAAMDAREAAhEBAxEB/8QAFAABAAAAAAAAAAAAAAAAAAAACP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/xAAVAQEBAAAAAAAAAAAAAAAAAAAHCf/EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAMAwEAAhEDEQA/ADoDFU3/2Q==',
  'base64',
);
const WEBP_3X2 = Buffer.from('UklGRhwAAABXRUJQVlA4TA8AAAAvAkAAAAcQ/Y/+ByKi/wEA', 'base64');

interface Part {
  name: string;
  filename?: string;
  type?: string;
  data: Buffer | string;
}

const BOUNDARY = `----enclave-e2e-${randomBytes(6).toString('hex')}`;
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;

function multipart(parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`,
      ),
      Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

function upload(
  by: Client,
  project: string,
  data: Buffer,
  filename = 'image.png',
  type = 'image/png',
): Promise<HttpResponse> {
  return by.post(`/api/v1/projects/${project}/assets`, undefined, {
    raw: multipart([{ name: 'file', filename, type, data }]),
    headers: { 'content-type': MULTIPART },
  });
}

async function uploadOk(by: Client, project: string, data: Buffer, filename?: string): Promise<AssetView> {
  const res = await upload(by, project, data, filename);
  expect(res.status, res.toString()).toBe(201);
  return res.json<AssetView>();
}

interface BytesResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A GET whose answer is kept as bytes (the shared client decodes bodies as text). */
function getBytes(client: Client, urlPath: string): Promise<BytesResponse> {
  const url = new URL(client.baseUrl);
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: urlPath, method: 'GET', agent: false, headers: { cookie } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const storedPath = (orgId: string, sha: string) => path.join(dataDir, 'assets', orgId, sha.slice(0, 2), sha);

async function rowCount(project: string): Promise<number> {
  const [row] = await asMigrator<{ n: string }>(
    api.migratorUrl,
    'SELECT count(*) AS n FROM assets WHERE project_id = $1',
    [project],
  );
  return Number(row!.n);
}

/** Every file under a directory, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

// ---------------------------------------------------------------------------------------------------

describe('uploading an image', () => {
  it('answers 201 with its type, size and digest, and stores it at its content address', async () => {
    const image = png(64, 48);
    const res = await upload(as.manager, projectId, image, 'street.png');
    expect(res.status, res.toString()).toBe(201);
    const asset = res.json<AssetView>();
    expect(Object.keys(asset).sort()).toEqual(['byteSize', 'height', 'id', 'mediaType', 'sha256', 'width']);
    expect(asset).toMatchObject({
      mediaType: 'image/png',
      width: 64,
      height: 48,
      byteSize: image.length,
      sha256: sha256(image),
    });

    const file = storedPath(org.orgId, asset.sha256);
    expect((await fs.readFile(file)).equals(image)).toBe(true);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(await filesUnder(path.join(dataDir, 'assets', 'tmp'))).toEqual([]);
    const [row] = await asMigrator(
      api.migratorUrl,
      'SELECT org_id, project_id, original_name, created_by FROM assets WHERE id = $1',
      [asset.id],
    );
    expect(row).toEqual({
      org_id: org.orgId,
      project_id: projectId,
      original_name: 'street.png',
      created_by: org.users.manager.id,
    });
  });

  it('gives the same asset for the same bytes uploaded again (200), whatever the file is called', async () => {
    const image = uniquePng();
    const first = await uploadOk(as.manager, projectId, image, 'a.png');
    const again = await upload(as.manager, projectId, image, 'b.png');
    expect(again.status, again.toString()).toBe(200);
    expect(again.json<AssetView>()).toEqual(first);
    const [row] = await asMigrator<{ n: string }>(
      api.migratorUrl,
      'SELECT count(*) AS n FROM assets WHERE sha256 = $1',
      [first.sha256],
    );
    expect(Number(row!.n)).toBe(1);
  });

  it('keeps one file for the same bytes in two projects of the organization, as two assets', async () => {
    const image = uniquePng();
    const second = await createProject(as.manager);
    const a = await uploadOk(as.manager, projectId, image);
    const b = await uploadOk(as.manager, second, image);
    expect(b.id).not.toBe(a.id);
    expect(b.sha256).toBe(a.sha256);
    expect(await filesUnder(path.join(dataDir, 'assets', org.orgId, a.sha256.slice(0, 2)))).toContain(
      a.sha256,
    );
  });

  it.each([
    ['JPEG', JPEG_3X2, 'photo.jpg', 'image/jpeg', 3, 2],
    ['GIF', GIF_1X1, 'pixel.gif', 'image/gif', 1, 1],
    ['WebP', WEBP_3X2, 'pic.webp', 'image/webp', 3, 2],
  ])('takes a %s, typed by its bytes', async (_name, bytes, filename, mediaType, width, height) => {
    const project = await createProject(as.manager);
    // The declared type is deliberately wrong: only the bytes count.
    const res = await upload(as.manager, project, bytes, filename, 'application/octet-stream');
    expect(res.status, res.toString()).toBe(201);
    expect(res.json<AssetView>()).toMatchObject({ mediaType, width, height });
  });

  it('is audited as asset.uploaded, the repeat too', async () => {
    const image = uniquePng();
    const asset = await uploadOk(as.manager, projectId, image);
    expect((await upload(as.manager, projectId, image)).status).toBe(200);
    const events = (await auditEvents(as.owner, { action: 'asset.uploaded' })).filter(
      (e) => e.targetId === asset.id,
    );
    expect(events).toHaveLength(2);
    for (const e of events) {
      expect(e.actorId).toBe(org.users.manager.id);
      expect(e.targetType).toBe('asset');
      expect(e.details).toMatchObject({
        projectId,
        sha256: asset.sha256,
        byteSize: image.length,
        mediaType: 'image/png',
      });
    }
    expect(events.map((e) => e.details.existing).sort()).toEqual([false, true]);
  });

  it('treats a file name with ../ as a label: the bytes go to their content address only', async () => {
    const before = await filesUnder(dataDir);
    const asset = await uploadOk(as.manager, projectId, uniquePng(), '../../../../etc/passwd');
    const after = await filesUnder(dataDir);
    expect(after.filter((f) => !before.includes(f))).toEqual([
      path.join('assets', org.orgId, asset.sha256.slice(0, 2), asset.sha256),
    ]);
    const [row] = await asMigrator(api.migratorUrl, 'SELECT original_name FROM assets WHERE id = $1', [
      asset.id,
    ]);
    expect(row!.original_name).toBe('passwd');
  });

  it('lets admins and owners upload to any project of the organization', async () => {
    expect((await upload(as.admin, projectId, uniquePng())).status).toBe(201);
    expect((await upload(as.owner, projectId, uniquePng())).status).toBe(201);
  });
});

describe('what is refused', () => {
  async function expectNothingStored(
    res: HttpResponse,
    status: number,
    code: string,
    project = projectId,
    rowsBefore?: number,
  ) {
    expectErrorShape(res, status, code);
    if (rowsBefore !== undefined) expect(await rowCount(project)).toBe(rowsBefore);
    expect(await filesUnder(path.join(dataDir, 'assets', 'tmp'))).toEqual([]);
  }

  it('refuses an HTML page called .png and declared image/png with 415, storing nothing', async () => {
    const rows = await rowCount(projectId);
    const files = await filesUnder(dataDir);
    const page = Buffer.from(
      `<!doctype html><html><script>fetch('/api/v1/users')</script>${randomUUID()}</html>`,
    );
    const res = await upload(as.manager, projectId, page, 'cat.png', 'image/png');
    await expectNothingStored(res, 415, 'UNSUPPORTED_MEDIA_TYPE', projectId, rows);
    expect(res.error.message).toBe('file: not a PNG, JPEG, WebP or GIF image');
    expect(await filesUnder(dataDir)).toEqual(files);
  });

  it.each([
    [
      'an SVG',
      Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><script>alert(1)</script></svg>',
      ),
      'x.svg',
    ],
    ['a PNG cut off before its size', png(8, 8).subarray(0, 20), 'cut.png'],
    ['an empty file', Buffer.alloc(0), 'empty.png'],
  ])('refuses %s with 415', async (_name, bytes, filename) => {
    const rows = await rowCount(projectId);
    await expectNothingStored(
      await upload(as.manager, projectId, bytes, filename),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      projectId,
      rows,
    );
  });

  it('refuses a body that is not multipart with 415', async () => {
    const url = `/api/v1/projects/${projectId}/assets`;
    await expectNothingStored(
      await as.manager.post(url, { file: GIF_1X1.toString('base64') }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    await expectNothingStored(
      await as.manager.post(url, undefined, { raw: GIF_1X1, headers: { 'content-type': 'image/gif' } }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('refuses a body without a part named file with 400', async () => {
    const url = `/api/v1/projects/${projectId}/assets`;
    const send = (parts: Part[]) =>
      as.manager.post(url, undefined, { raw: multipart(parts), headers: { 'content-type': MULTIPART } });
    await expectNothingStored(
      await send([{ name: 'caption', data: 'no file here' }]),
      400,
      'VALIDATION_FAILED',
    );
    await expectNothingStored(
      await send([{ name: 'image', filename: 'a.gif', data: GIF_1X1 }]),
      400,
      'VALIDATION_FAILED',
    );
    await expectNothingStored(
      await send([
        { name: 'file', filename: 'a.png', data: uniquePng() },
        { name: 'file', filename: 'b.png', data: uniquePng() },
      ]),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('refuses an image that declares a decompression-bomb canvas with 400', async () => {
    const bomb = png(1, 1).fill(0x75, 16, 24); // width and height about two billion
    const rows = await rowCount(projectId);
    const res = await upload(as.manager, projectId, bomb);
    await expectNothingStored(res, 400, 'VALIDATION_FAILED', projectId, rows);
    expect(res.error.message).toMatch(/megapixels/);
  });

  it('refuses annotators and reviewers of the project with 403, audited', async () => {
    for (const who of [as.annotator, as.reviewer]) {
      const res = await upload(who, projectId, uniquePng());
      expectErrorShape(res, 403, 'FORBIDDEN');
      await expectDenialAudited(as.owner, res.requestId, 403);
    }
  });

  it('answers 404 to a manager who is not a member of the project', async () => {
    const ownersProject = await createProject(as.owner);
    const res = await upload(as.manager, ownersProject, uniquePng());
    expectErrorShape(res, 404, 'NOT_FOUND');
    await expectDenialAudited(as.owner, res.requestId, 404);
    expect(await rowCount(ownersProject)).toBe(0);
  });

  it("answers 404 to another organization's manager and owner, audited in their organization", async () => {
    for (const who of [otherOrg.manager, otherOrg.owner]) {
      const res = await upload(who, projectId, uniquePng());
      expectErrorShape(res, 404, 'NOT_FOUND');
      await expectDenialAudited(otherOrg.owner, res.requestId, 404);
    }
    expect(await filesUnder(path.join(dataDir, 'assets', other.orgId))).toEqual([]);
  });

  it('refuses uploads to an archived project with 409, and still serves its images', async () => {
    const project = await createProject(as.manager);
    const asset = await uploadOk(as.manager, project, uniquePng());
    const archived = await as.manager.post(`/api/v1/projects/${project}/archive`);
    expect(archived.status, archived.toString()).toBe(200);
    expectErrorShape(await upload(as.manager, project, uniquePng()), 409, 'PROJECT_ARCHIVED');
    expect((await getBytes(as.manager, `/api/v1/assets/${asset.id}`)).status).toBe(200);
  });

  it('cleans up after a client that goes away mid-upload, and keeps serving', async () => {
    const body = multipart([
      { name: 'file', filename: 'big.png', data: Buffer.concat([png(8, 8), randomBytes(200_000)]) },
    ]);
    const rows = await rowCount(projectId);
    const url = new URL(as.manager.baseUrl);
    const req = http.request({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: `/api/v1/projects/${projectId}/assets`,
      agent: false,
      headers: {
        cookie: [...as.manager.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'x-csrf-token': as.manager.csrf!,
        'content-type': MULTIPART,
        'content-length': String(body.length),
      },
    });
    req.on('error', () => undefined);
    req.write(body.subarray(0, 100_000));
    await new Promise((r) => setTimeout(r, 200));
    req.destroy();
    const tmp = path.join(dataDir, 'assets', 'tmp');
    for (let i = 0; i < 50 && (await filesUnder(tmp)).length > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await filesUnder(tmp)).toEqual([]);
    expect(await rowCount(projectId)).toBe(rows);
    expect((await upload(as.manager, projectId, uniquePng())).status).toBe(201);
  });

  it('answers 400 to a project id that is not a UUID', async () => {
    expectErrorShape(await upload(as.manager, '..%2F..%2Fetc', uniquePng()), 400, 'INVALID_PARAMETER');
  });

  it('needs the CSRF token of a cookie session', async () => {
    const res = await as.manager.post(`/api/v1/projects/${projectId}/assets`, undefined, {
      raw: multipart([{ name: 'file', filename: 'a.png', data: uniquePng() }]),
      headers: { 'content-type': MULTIPART },
      csrf: false,
    });
    expectErrorShape(res, 403, 'CSRF_TOKEN_INVALID');
  });
});

describe('serving an image', () => {
  let image: Buffer;
  let asset: AssetView;
  beforeAll(async () => {
    image = png(32, 16);
    asset = await uploadOk(as.manager, projectId, image);
  });

  it('gives a member the bytes, typed by their content, with headers that keep them private and inert', async () => {
    const res = await getBytes(as.annotator, `/api/v1/assets/${asset.id}`);
    expect(res.status).toBe(200);
    expect(res.body.equals(image)).toBe(true);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-length']).toBe(String(image.length));
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(res.headers['content-disposition']).toBe('inline');
  });

  it('describes it at /meta', async () => {
    const res = await as.reviewer.get(`/api/v1/assets/${asset.id}/meta`);
    expect(res.status, res.toString()).toBe(200);
    expect(res.json<AssetView>()).toEqual(asset);
  });

  it('serves every member and the admins and owners of the organization', async () => {
    for (const who of [as.manager, as.reviewer, as.admin, as.owner]) {
      expect((await getBytes(who, `/api/v1/assets/${asset.id}`)).status).toBe(200);
    }
  });

  it('answers 404 to an annotator who is not a member of the project, audited', async () => {
    const res = await outsider.get(`/api/v1/assets/${asset.id}`);
    expectErrorShape(res, 404, 'NOT_FOUND');
    await expectDenialAudited(as.owner, res.requestId, 404);
    expectErrorShape(await outsider.get(`/api/v1/assets/${asset.id}/meta`), 404, 'NOT_FOUND');
  });

  it("answers 404 to another organization's users, audited in their organization", async () => {
    for (const who of [otherOrg.owner, otherOrg.manager]) {
      const res = await who.get(`/api/v1/assets/${asset.id}`);
      expectErrorShape(res, 404, 'NOT_FOUND');
      await expectDenialAudited(otherOrg.owner, res.requestId, 404);
    }
  });

  it('answers 400 to an id that is not a UUID and 404 to an unknown one', async () => {
    expectErrorShape(await as.manager.get('/api/v1/assets/..%2F..%2Fetc%2Fpasswd'), 400, 'INVALID_PARAMETER');
    expectErrorShape(
      await as.manager.get(`/api/v1/assets/${asset.sha256.slice(0, 32)}`),
      400,
      'INVALID_PARAMETER',
    );
    expectErrorShape(await as.manager.get(`/api/v1/assets/${randomUUID()}`), 404, 'NOT_FOUND');
  });

  it('serves a GIF with a script appended as image/gif, not to be sniffed or run', async () => {
    const polyglot = Buffer.concat([
      GIF_1X1,
      Buffer.from(`<script>alert(document.cookie)</script><!--${randomUUID()}-->`),
    ]);
    const gif = await uploadOk(as.manager, projectId, polyglot, 'innocent.html');
    expect(gif.mediaType).toBe('image/gif');
    const res = await getBytes(as.annotator, `/api/v1/assets/${gif.id}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(res.headers['content-disposition']).toBe('inline');
  });

  it('answers 404, not 500, when the stored file has gone missing', async () => {
    const bytes = uniquePng();
    const lost = await uploadOk(as.manager, projectId, bytes);
    await fs.rm(storedPath(org.orgId, lost.sha256));
    expectErrorShape(await as.annotator.get(`/api/v1/assets/${lost.id}`), 404, 'NOT_FOUND');
    // Uploading the bytes again restores the file.
    expect((await upload(as.manager, projectId, bytes)).status).toBe(200);
    const back = await getBytes(as.annotator, `/api/v1/assets/${lost.id}`);
    expect(back.status).toBe(200);
    expect(back.body.equals(bytes)).toBe(true);
  });
});

describe('the API document', () => {
  it('describes the asset routes, the upload as multipart/form-data', async () => {
    const res = await as.annotator.get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.json<{
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>;
    }>();
    expect(doc.paths['/api/v1/projects/{id}/assets']?.post?.requestBody?.content).toHaveProperty([
      'multipart/form-data',
    ]);
    expect(doc.paths['/api/v1/assets/{id}']).toHaveProperty(['get']);
    expect(doc.paths['/api/v1/assets/{id}/meta']).toHaveProperty(['get']);
  });
});

describe('the size limit', () => {
  let small: RunningApp;
  let smallOrg: TestOrg;
  let manager: Client;
  let project: string;
  let smallDir: string;
  beforeAll(async () => {
    small = await startApp({ ENCLAVE_ASSET_MAX_BYTES: '4096' });
    smallDir = small.app.get<symbol, AppConfig>(APP_CONFIG).dataDir;
    smallOrg = await createOrg(small);
    manager = await signIn(small.url, smallOrg.users.manager);
    project = await createProject(manager);
  });
  afterAll(async () => {
    await small?.close();
  });

  it('takes an image under the limit', async () => {
    const image = png(8, 8);
    expect(image.length).toBeLessThan(4096);
    expect((await upload(manager, project, image)).status).toBe(201);
  });

  it('refuses an image over the limit with 413 naming it, leaving no row and no file', async () => {
    const image = Buffer.concat([
      png(8, 8),
      pngChunk('tEXt', Buffer.concat([Buffer.from('Comment\0'), randomBytes(5000)])),
    ]);
    const rows = await rowCount(project);
    const files = await filesUnder(smallDir);
    const res = await upload(manager, project, image);
    expectErrorShape(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(res.error.message).toMatch(/4096 bytes/);
    expect(await rowCount(project)).toBe(rows);
    expect(await filesUnder(smallDir)).toEqual(files);
    expect(await filesUnder(path.join(smallDir, 'assets', smallOrg.orgId))).not.toContain(sha256(image));
  });

  it('refuses a body far over the limit from its Content-Length, and keeps serving', async () => {
    const huge = Buffer.concat([png(8, 8), randomBytes(300_000)]);
    expectErrorShape(await upload(manager, project, huge), 413, 'PAYLOAD_TOO_LARGE');
    expect(await filesUnder(path.join(smallDir, 'assets', 'tmp'))).toEqual([]);
    expect((await upload(manager, project, png(6, 6))).status).toBe(201);
  });
});

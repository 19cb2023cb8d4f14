import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { OrgRole } from '@enclave/contracts';
import { createTestOrg, openAppDataSource, type TestOrg } from '../../test/fixtures';
import { AuditService } from '../core/audit/audit.service';
import { abilityFor } from '../core/authz/authz';
import { loadConfig } from '../core/config/config';
import { Db } from '../core/db/tenant';
import { AppError } from '../core/errors/app-error';
import type { Principal } from '../core/http/request-context';
import { ProjectAccess } from '../projects/project-access';
import { assetFilePath, uploadTempDir } from './asset-storage';
import { AssetsService } from './assets.service';
import type { UploadSource } from './upload-receiver';

/** The asset service against real PostgreSQL, as the runtime role, with row-level security on. */
const GIF_1X1 = Buffer.from('R0lGODlhAQABAPAAAP///wAAACH5BAAAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
const BOUNDARY = 'int-spec-boundary';

/** A GIF whose trailing comment makes its bytes unique to the test. */
const uniqueGif = () => Buffer.concat([GIF_1X1, Buffer.from(randomUUID())]);

function uploadRequest(data: Buffer): UploadSource {
  const body = Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.gif"\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
  const req = new PassThrough() as unknown as UploadSource;
  req.headers = {
    'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
    'content-length': String(body.length),
  };
  setImmediate(() => (req as unknown as PassThrough).end(body));
  return req;
}

function principalOf(org: TestOrg, role: OrgRole): Principal {
  const u = org.users[role];
  return {
    kind: 'user',
    id: u.id,
    orgId: org.orgId,
    role,
    email: u.email,
    name: role,
    orgSlug: org.slug,
    orgName: org.slug,
    via: 'session',
  };
}

describe('AssetsService', () => {
  let ds: DataSource;
  let db: Db;
  let service: AssetsService;
  let dataDir: string;
  let org: TestOrg;
  let other: TestOrg;
  let projectId: string;

  /** Runs work as `who`, in a tenant transaction of their own, as a request does. */
  const as = <T>(who: Principal, work: () => Promise<T>) =>
    db.inTenant({ orgId: who.orgId, userId: who.id, role: who.role }, work);
  const upload = (who: Principal, data: Buffer, project = projectId) =>
    as(who, () => service.upload(who, abilityFor(who), project, uploadRequest(data)));
  const rows = (sha: string) =>
    as(principalOf(org, 'owner'), () =>
      db.sql<{ id: string }>('SELECT id FROM assets WHERE sha256 = $1', [sha]),
    );

  beforeAll(async () => {
    ds = await openAppDataSource(inject('appUrl'));
    db = new Db(ds);
    const audit = new AuditService(db);
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'enclave-assets-int-'));
    service = new AssetsService(db, audit, new ProjectAccess(db), loadConfig({ ENCLAVE_DATA_DIR: dataDir }));
    [org, other] = await Promise.all([createTestOrg(db, audit), createTestOrg(db, audit)]);
    projectId = randomUUID();
    await db.inTenant({ orgId: org.orgId, userId: null, role: 'system' }, async () => {
      await db.sql(
        `INSERT INTO projects (org_id, id, name, label_config, created_by) VALUES ($1, $2, 'Images', '{}'::jsonb, $3)`,
        [org.orgId, projectId, org.users.manager.id],
      );
      await db.sql(
        `INSERT INTO project_members (org_id, project_id, user_id, role) VALUES ($1, $2, $3, 'manager'), ($1, $2, $4, 'annotator')`,
        [org.orgId, projectId, org.users.manager.id, org.users.annotator.id],
      );
    });
  });
  afterAll(async () => {
    await ds?.destroy();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('stores concurrent uploads of the same bytes as one asset and one file', async () => {
    const manager = principalOf(org, 'manager');
    const bytes = uniqueGif();
    const results = await Promise.all([
      upload(manager, bytes),
      upload(manager, bytes),
      upload(manager, bytes),
    ]);
    expect(new Set(results.map((r) => r.asset.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(await rows(sha)).toHaveLength(1);
    expect((await fs.readFile(assetFilePath(dataDir, org.orgId, sha))).equals(bytes)).toBe(true);
    expect(await fs.readdir(uploadTempDir(dataDir))).toEqual([]);
  });

  it('rolls the row back and removes the upload when the file cannot be stored', async () => {
    const manager = principalOf(org, 'manager');
    const bytes = uniqueGif();
    const sha = createHash('sha256').update(bytes).digest('hex');
    // A file where the digest's directory should be: placing the upload fails after the INSERT.
    const blocker = path.dirname(assetFilePath(dataDir, org.orgId, sha));
    await fs.mkdir(path.dirname(blocker), { recursive: true });
    await fs.writeFile(blocker, 'in the way');
    try {
      await expect(upload(manager, bytes)).rejects.toThrow();
      expect(await rows(sha)).toEqual([]);
      expect(await fs.readdir(uploadTempDir(dataDir))).toEqual([]);
    } finally {
      await fs.rm(blocker);
    }
    expect((await upload(manager, bytes)).created).toBe(true);
  });

  it('shows an asset to members and admins, and to nobody else', async () => {
    const { asset } = await upload(principalOf(org, 'manager'), uniqueGif());
    for (const role of ['manager', 'annotator', 'admin', 'owner'] as const) {
      const who = principalOf(org, role);
      expect(await as(who, () => service.get(who, abilityFor(who), asset.id))).toEqual(asset);
    }
    // Not a member: the membership policy hides the row. Another tenant: the tenant policy does.
    for (const who of [principalOf(org, 'reviewer'), principalOf(other, 'owner')]) {
      const err = await as(who, () => service.get(who, abilityFor(who), asset.id)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(404);
    }
  });

  it('refuses a non-image with 415 before writing a row', async () => {
    const manager = principalOf(org, 'manager');
    const page = Buffer.from(`<html>${randomUUID()}</html>`);
    const err = await upload(manager, page).catch((e: unknown) => e);
    expect((err as AppError).status).toBe(415);
    expect(await rows(createHash('sha256').update(page).digest('hex'))).toEqual([]);
    expect(await fs.readdir(uploadTempDir(dataDir))).toEqual([]);
  });
});

import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppAbility, AssetView } from '@enclave/contracts';
import { AuditService } from '../core/audit/audit.service';
import { APP_CONFIG, type AppConfig } from '../core/config/config';
import { Db } from '../core/db/tenant';
import { AppError } from '../core/errors/app-error';
import type { Principal } from '../core/http/request-context';
import type { SampleImageStore } from '../projects/sample-data';
import { ProjectAccess } from '../projects/project-access';
import { assetFilePath, placeAssetFile, uploadTempDir } from './asset-storage';
import { dimensionProblem, readImageInfo, type ImageMediaType } from './image-sniff';
import { receiveImageUpload, UPLOAD_DEADLINE_MS, type ReceivedUpload, type UploadSource } from './upload-receiver';

interface AssetRow {
  id: string;
  project_id: string;
  sha256: string;
  media_type: ImageMediaType;
  byte_size: string;
  width: number;
  height: number;
}

const ASSET_COLUMNS = 'id, project_id, sha256, media_type, byte_size, width, height';

export interface StoredAsset {
  asset: AssetView;
  /** False when the project already had these bytes: the existing asset is answered. */
  created: boolean;
}

export interface AssetFile {
  asset: AssetView;
  stream: Readable;
}

function toView(r: AssetRow): AssetView {
  return {
    id: r.id,
    mediaType: r.media_type,
    width: r.width,
    height: r.height,
    byteSize: Number(r.byte_size),
    sha256: r.sha256,
  };
}

/**
 * Image assets: received into a temporary file, recognised by their bytes, stored once per content
 * and organization, served only to members of their project. Row-level security (tenant and project
 * membership) decides which rows a caller sees; ProjectAccess checks the action on the project.
 */
@Injectable()
export class AssetsService implements SampleImageStore {
  private readonly logger = new Logger('Assets');

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly projects: ProjectAccess,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async upload(
    principal: Principal,
    ability: AppAbility,
    projectId: string,
    req: UploadSource,
  ): Promise<StoredAsset> {
    // Who may upload is settled before a byte of the body is read.
    await this.projects.require(principal, ability, 'create', 'Asset', projectId, { activeOnly: true });
    const upload = await receiveImageUpload(req, {
      maxBytes: this.config.assetMaxBytes,
      tmpDir: uploadTempDir(this.config.dataDir),
      deadlineMs: UPLOAD_DEADLINE_MS,
    });
    return this.storeReceived(principal, projectId, upload);
  }

  /**
   * An image file of the repository (a template's sample) stored as an asset of a project, through
   * the same checks as an upload. The caller has already been allowed to create the project.
   */
  async storeSampleImage(principal: Principal, projectId: string, filePath: string): Promise<string> {
    const bytes = await fs.readFile(filePath);
    const tmpDir = uploadTempDir(this.config.dataDir);
    await fs.mkdir(tmpDir, { recursive: true, mode: 0o700 });
    const tmpPath = path.join(tmpDir, `sample-${randomBytes(12).toString('hex')}`);
    await fs.writeFile(tmpPath, bytes, { flag: 'wx', mode: 0o600 });
    const upload: ReceivedUpload = {
      tmpPath,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      byteSize: bytes.length,
      head: bytes.subarray(0, 512 * 1024),
      filename: path.basename(filePath),
    };
    return (await this.storeReceived(principal, projectId, upload)).asset.id;
  }

  /** Checks a received file, records it and moves it into its content-addressed place. */
  private async storeReceived(principal: Principal, projectId: string, upload: ReceivedUpload): Promise<StoredAsset> {
    const orgId = tenantOf(principal);
    try {
      const info = readImageInfo(upload.head);
      if (!info) {
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'file: not a PNG, JPEG, WebP or GIF image', [
          { path: 'file', message: 'not a PNG, JPEG, WebP or GIF image' },
        ]);
      }
      const tooBig = dimensionProblem(info);
      if (tooBig)
        throw new AppError('VALIDATION_FAILED', `file: ${tooBig}`, [{ path: 'file', message: tooBig }]);

      // The row first, then the file: a failure placing the file rolls the row back with the
      // request's transaction. ON CONFLICT waits for a concurrent upload of the same bytes and skips.
      const [inserted] = await this.db.sql<AssetRow>(
        `INSERT INTO assets (org_id, project_id, sha256, media_type, byte_size, width, height, original_name, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (org_id, project_id, sha256) DO NOTHING
         RETURNING ${ASSET_COLUMNS}`,
        [
          orgId,
          projectId,
          upload.sha256,
          info.mediaType,
          upload.byteSize,
          info.width,
          info.height,
          upload.filename,
          principal.id,
        ],
      );
      const row =
        inserted ??
        (
          await this.db.sql<AssetRow>(
            `SELECT ${ASSET_COLUMNS} FROM assets WHERE org_id = $1 AND project_id = $2 AND sha256 = $3`,
            [orgId, projectId, upload.sha256],
          )
        )[0];
      if (!row) throw new Error('asset row neither inserted nor found');
      // Also for a repeated upload: it restores the file should it have gone missing.
      await placeAssetFile(upload.tmpPath, assetFilePath(this.config.dataDir, orgId, upload.sha256));
      const asset = toView(row);
      await this.audit.append({
        action: 'asset.uploaded',
        targetType: 'asset',
        targetId: asset.id,
        details: {
          projectId,
          sha256: asset.sha256,
          byteSize: asset.byteSize,
          mediaType: asset.mediaType,
          width: asset.width,
          height: asset.height,
          existing: !inserted,
        },
      });
      return { asset, created: Boolean(inserted) };
    } finally {
      // Gone already when it was moved into place.
      await fs.rm(upload.tmpPath, { force: true });
    }
  }

  /** An asset the caller may read: 404 for another tenant's id or an asset of a project they are not in. */
  async get(principal: Principal, ability: AppAbility, assetId: string): Promise<AssetView> {
    const orgId = tenantOf(principal);
    const [row] = await this.db.sql<AssetRow>(
      `SELECT ${ASSET_COLUMNS} FROM assets WHERE org_id = $1 AND id = $2`,
      [orgId, assetId],
    );
    if (!row) throw AppError.notFound('asset');
    await this.projects.require(principal, ability, 'read', 'Asset', row.project_id);
    return toView(row);
  }

  /** The asset and a stream of its stored bytes. */
  async open(principal: Principal, ability: AppAbility, assetId: string): Promise<AssetFile> {
    const asset = await this.get(principal, ability, assetId);
    const file = assetFilePath(this.config.dataDir, tenantOf(principal), asset.sha256);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.logger.error({ assetId, sha256: asset.sha256 }, 'the stored file of an asset is missing');
      throw AppError.notFound('asset', { auditDenial: false });
    }
    const { size } = await handle.stat();
    if (size !== asset.byteSize) {
      await handle.close();
      this.logger.error(
        { assetId, sha256: asset.sha256, size },
        'the stored file of an asset has the wrong size',
      );
      throw AppError.notFound('asset', { auditDenial: false });
    }
    return { asset, stream: handle.createReadStream() };
  }
}

function tenantOf(principal: Principal): string {
  // The operator has no tenant; the route guards keep them out, this keeps the types honest.
  if (!principal.orgId) throw AppError.notFound('asset');
  return principal.orgId;
}

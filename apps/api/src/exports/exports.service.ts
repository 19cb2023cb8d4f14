import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import QueryStream from 'pg-query-stream';
import type { AppAbility, ExportFormat, ExportQuery, LabelConfig } from '@enclave/contracts';
import { createExportWriter, EXPORT_MEDIA, labelsAcrossVersions } from '@enclave/labeling';
import { AuditService } from '../core/audit/audit.service';
import { Db } from '../core/db/tenant';
import { AppError } from '../core/errors/app-error';
import type { Principal } from '../core/http/request-context';
import { ProjectAccess } from '../projects/project-access';
import { ROWS_TRAILER, SHA256_TRAILER } from './export-client';
import { exportQuery } from './export-query';
import { ExportTransform } from './export-stream';
import { TransactionEnd } from './transaction-end';

/**
 * The export's own statement time limit. The runtime role's default (15 s) bounds ordinary requests;
 * an export's one statement lasts as long as the download, and a client that stops reading holds it
 * open (backpressure), so it gets hours, and no more.
 */
export const EXPORT_TIMEOUT_MS = 2 * 3600 * 1000;

/** Rows fetched from the cursor per round trip. */
export const EXPORT_BATCH_ROWS = 500;

/** A file name for the download: the project's name as an ASCII slug, then the format. */
export function exportFileName(projectName: string, format: ExportFormat): string {
  const slug = projectName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `${slug || 'project'}-${format}.${EXPORT_MEDIA[format].extension}`;
}

interface ExportSummary {
  format: ExportFormat;
  status: ExportQuery['status'];
  identities: boolean;
  rows: number;
  tasks: number;
  annotations: number;
  bytes: number;
}

/**
 * GET /projects/:id/export (docs/export.md): streams the project's records from a server-side cursor,
 * through the format's writer, into the response, with backpressure all the way: a slow client slows
 * the cursor, and memory stays flat whatever the size of the project.
 *
 * Everything runs in the request's tenant transaction, under row-level security. The audit event
 * (`project.exported`, with the row count and the SHA-256 of the bytes sent) is appended in that
 * transaction after the last byte is written, and the response is ended only once it has committed.
 * A client that goes away mid-download stops the cursor; `project.export_aborted` records how far it got.
 */
@Injectable()
export class ExportsService {
  constructor(
    private readonly db: Db,
    private readonly access: ProjectAccess,
    private readonly audit: AuditService,
    private readonly transactionEnd: TransactionEnd,
  ) {}

  async exportProject(
    principal: Principal,
    ability: AppAbility | undefined,
    projectId: string,
    query: ExportQuery,
    res: Response,
  ): Promise<void> {
    const project = await this.access.require(principal, ability, 'export', 'Project', projectId);
    if (query.identities && !ability?.can('read', 'AnnotatorIdentity')) {
      throw AppError.forbidden('only owners and admins may export real annotator identities');
    }
    const configs = await this.configs(project.orgId, projectId, project.labelConfig, project.configVersion);
    const writer = createExportWriter(query.format, { configs, identities: query.identities });
    const [{ salt } = { salt: '' }] = await this.db.sql<{ salt: string }>(
      'SELECT pseudonym_salt::text AS salt FROM projects WHERE org_id = $1 AND id = $2',
      [project.orgId, projectId],
    );
    const imageFields =
      query.format === 'coco'
        ? [...new Set([...labelsAcrossVersions(configs, 'bboxes').values()].map((q) => q.field))]
        : [];
    const { text, values } = exportQuery({
      orgId: project.orgId,
      projectId,
      salt,
      status: query.status,
      identities: query.identities,
      passes: writer.passes,
      imageFields,
    });

    // This statement lasts as long as the download: it alone gets the export's time limit. Parallel
    // workers stay off (they are anyway for a cursor): a two-pass export relies on Append order.
    await this.db.sql(
      "SELECT set_config('statement_timeout', $1, true), set_config('max_parallel_workers_per_gather', '0', true)",
      [String(EXPORT_TIMEOUT_MS)],
    );
    const client = await this.db.pgClient();
    const rows = client.query(new QueryStream(text, values, { batchSize: EXPORT_BATCH_ROWS }));
    // Until the first row (or the end) arrives, a failure can still be answered with a JSON error.
    await once(rows, 'readable');

    const media = EXPORT_MEDIA[query.format];
    const out = new ExportTransform(writer, () => {
      res.status(200);
      res.setHeader('Content-Type', media.contentType);
      res.setHeader(
        'Content-Disposition',
        `attachment; filename="${exportFileName(project.name, query.format)}"`,
      );
      res.setHeader('Cache-Control', 'no-store');
      // The row count and the digest are known only at the end: trailers carry them (the CLI checks them).
      res.setHeader('Trailer', `${ROWS_TRAILER}, ${SHA256_TRAILER}`);
    });
    // Which side failed first: once the client is gone, the pipeline destroys the cursor and the writer
    // with that same error, which must not pass for a failure of theirs.
    let clientGone = false;
    let failedInside = false;
    res.once('close', () => (clientGone = true));
    const inside = () => {
      if (!clientGone) failedInside = true;
    };
    rows.once('error', inside);
    out.once('error', inside);
    const summary = (): ExportSummary => ({
      format: query.format,
      status: query.status,
      identities: query.identities,
      rows: writer.rows,
      tasks: out.tasks,
      annotations: out.annotations,
      bytes: out.bytes,
    });

    try {
      // The response stays open: it ends once the audit event has committed (below).
      await pipeline(rows, out, res, { end: false });
    } catch (err) {
      if (failedInside || !clientGone) throw err;
      // The client went away. The transaction wrote nothing: it commits only this event.
      // The pipeline gives up before the cursor's close has been acknowledged; the next statement waits.
      if (!rows.closed) await new Promise<void>((resolve) => rows.once('close', () => resolve()));
      await this.audit.append({
        action: 'project.export_aborted',
        outcome: 'failure',
        targetType: 'project',
        targetId: projectId,
        details: { ...summary(), reason: 'the client closed the connection before the end' },
      });
      return;
    }

    const sha256 = out.digest();
    await this.audit.append({
      action: 'project.exported',
      targetType: 'project',
      targetId: projectId,
      details: { ...summary(), sha256 },
    });
    const runner = this.db.em.queryRunner;
    if (!runner) throw new Error('tenant transaction without a query runner');
    this.transactionEnd.whenEnded(runner, {
      committed: () => {
        res.addTrailers({ [ROWS_TRAILER]: String(writer.rows), [SHA256_TRAILER]: sha256 });
        res.end();
      },
      rolledBack: () => res.destroy(),
    });
  }

  /** Every configuration the project had, newest first. */
  private async configs(
    orgId: string,
    projectId: string,
    current: LabelConfig,
    version: number,
  ): Promise<LabelConfig[]> {
    const older = await this.db.sql<{ label_config: LabelConfig }>(
      `SELECT label_config FROM project_configs
        WHERE org_id = $1 AND project_id = $2 AND version < $3 ORDER BY version DESC`,
      [orgId, projectId, version],
    );
    return [current, ...older.map((r) => r.label_config)];
  }
}

import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { from as copyFrom } from 'pg-copy-streams';
import type { AppAbility, ErrorDetail, ImportResult } from '@enclave/contracts';
import { AuditService } from '../core/audit/audit.service';
import { APP_CONFIG, type AppConfig } from '../core/config/config';
import { Db } from '../core/db/tenant';
import { AppError, type FailureAudit } from '../core/errors/app-error';
import type { Principal } from '../core/http/request-context';
import { ProjectAccess } from '../projects/project-access';
import { importFormatOf } from './import-format';
import { ImportRun, LINE_NUMBERING, type ImportFormat, type ImportLimits } from './import-run';
import { STAGING_COLUMNS } from './import-rows';
import { ImportAborted, ImportTooLarge, streamImport } from './import-stream';

/** One row (an NDJSON line, an array element, a CSV record) may hold this much; longer is a bad line. */
export const MAX_ROW_BYTES = 10 * 1024 * 1024;

/**
 * The staging table of one import: temporary, private to the request's transaction and dropped with
 * it. COPY cannot load `tasks` itself (PostgreSQL refuses COPY FROM into a table with row-level
 * security), and loading a table without indexes or policies is as fast as PostgreSQL gets.
 */
const CREATE_STAGING = `
  CREATE TEMP TABLE import_staging (
    line         bigint  NOT NULL,
    external_id  text,
    priority     integer NOT NULL,
    data         jsonb   NOT NULL,
    gold         jsonb,
    image_fields text[],
    image_ids    uuid[]
  ) ON COMMIT DROP`;

const COPY_STAGING = `COPY pg_temp.import_staging (${STAGING_COLUMNS.join(', ')}) FROM STDIN`;

/**
 * What needs the whole file or the database, checked set-based over the staged rows: an external id
 * repeated within the file (every occurrence after the first is bad), an external id the project
 * already has, an image field naming no asset of this project. $1 org, $2 project.
 */
const PROBLEMS = {
  duplicateInFile: `
    SELECT s.line, 'externalId' AS path,
           format('externalId %s is also on line %s', left(to_json(s.external_id)::text, 120), d.first_line) AS message
      FROM pg_temp.import_staging s
      JOIN (SELECT external_id, min(line) AS first_line
              FROM pg_temp.import_staging
             WHERE external_id IS NOT NULL
             GROUP BY external_id
            HAVING count(*) > 1) d ON d.external_id = s.external_id AND s.line > d.first_line`,
  existing: `
    SELECT s.line, 'externalId' AS path,
           format('externalId %s is already taken by a task of this project', left(to_json(s.external_id)::text, 120)) AS message
      FROM pg_temp.import_staging s
      JOIN tasks t ON t.org_id = $1 AND t.project_id = $2 AND t.external_id = s.external_id`,
  missingAsset: `
    SELECT s.line, 'data.' || r.field AS path, format('no image asset %s in this project', r.id) AS message
      FROM pg_temp.import_staging s
     CROSS JOIN LATERAL unnest(s.image_fields, s.image_ids) AS r(field, id)
     WHERE s.image_ids IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.org_id = $1 AND a.project_id = $2 AND a.id = r.id)`,
};

interface ProblemRow {
  line: string;
  path: string;
  message: string;
  total: string;
}

interface ImportRequest extends Readable {
  headers: IncomingHttpHeaders;
}

/**
 * Task import (POST /projects/:id/tasks): the body streams through the row checks into a COPY of a
 * staging table inside the request's tenant transaction, the checks that need the whole file run in
 * SQL, then one INSERT … SELECT moves the rows into `tasks` under row-level security. All or nothing:
 * any bad row and the transaction rolls back.
 */
@Injectable()
export class TasksImportService {
  constructor(
    private readonly db: Db,
    private readonly access: ProjectAccess,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async importTasks(
    principal: Principal,
    ability: AppAbility | undefined,
    projectId: string,
    body: ImportRequest,
  ): Promise<ImportResult> {
    const { maxBytes, maxRows, timeoutMs } = this.config.import;
    const format = importFormatOf(body.headers['content-type']);
    const declared = body.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes);
    const project = await this.access.require(principal, ability, 'import', 'Task', projectId, {
      activeOnly: true,
    });

    // The COPY lasts as long as the upload: this transaction alone gets the import's time limit.
    await this.db.sql("SELECT set_config('statement_timeout', $1, true)", [String(timeoutMs)]);
    await this.db.sql(CREATE_STAGING);
    const limits: ImportLimits = { maxRows, maxRowBytes: MAX_ROW_BYTES, maxDepth: this.config.jsonMaxDepth };
    const run = new ImportRun(format, project.labelConfig, limits);
    const client = await this.db.pgClient();
    const importId = randomUUID();
    const rejection = (
      message: string,
      details: ErrorDetail[] = [],
      code: 'VALIDATION_FAILED' | 'PAYLOAD_TOO_LARGE' = 'VALIDATION_FAILED',
    ) =>
      new AppError(code, message, details, {
        auditFailure: rejectionEvent(projectId, {
          format,
          importId,
          rows: run.rows,
          badRows: run.errors.badLines,
          reason: message,
        }),
      });

    let bytes = 0;
    try {
      ({ bytes } = await streamImport(body, client.query(copyFrom(COPY_STAGING)), run, maxBytes));
    } catch (err) {
      if (err instanceof ImportTooLarge) throw rejection(tooLarge(maxBytes).message, [], 'PAYLOAD_TOO_LARGE');
      if (err instanceof ImportAborted)
        throw new AppError('VALIDATION_FAILED', 'the upload was aborted before the body ended');
      throw err;
    }
    if (run.stop === 'rows')
      throw rejection(`an import takes at most ${maxRows} tasks`, [], 'PAYLOAD_TOO_LARGE');
    if (run.rows === 0 && run.errors.badLines === 0) {
      throw rejection(bytes === 0 ? 'the body is empty' : 'the body holds no tasks');
    }

    if (!run.stopped && (run.hasExternalIds || run.hasImages))
      await this.findProblemsInSql(run, project.orgId, projectId);
    if (run.errors.badLines > 0) {
      const counted = run.stopped
        ? `at least ${plural(run.errors.badLines, 'bad row')} (reading stopped there)`
        : plural(run.errors.badLines, 'bad row');
      throw rejection(`${counted}; nothing was imported (${LINE_NUMBERING[format]})`, run.errors.details);
    }

    const imported = await this.db.exec(
      `INSERT INTO tasks (org_id, project_id, external_id, data, priority, gold_answer, import_id)
       SELECT $1, $2, external_id, data, priority, gold, $3 FROM pg_temp.import_staging ORDER BY line`,
      [project.orgId, projectId, importId],
    );
    await this.audit.append({
      action: 'tasks.imported',
      targetType: 'project',
      targetId: projectId,
      details: { rows: imported, format, importId, bytes },
    });
    return { imported };
  }

  /** The set-based checks over the staged rows; their problems join the ones found while reading. */
  private async findProblemsInSql(run: ImportRun, orgId: string, projectId: string): Promise<void> {
    const parts: string[] = [];
    if (run.hasExternalIds) parts.push(PROBLEMS.duplicateInFile, PROBLEMS.existing);
    if (run.hasImages) parts.push(PROBLEMS.missingAsset);
    // The planner knows nothing of a temporary table until it is analysed (autovacuum never does).
    await this.db.sql('ANALYZE pg_temp.import_staging');
    const maxLines = run.errors.limits.maxLines;
    const rows = await this.db.sql<ProblemRow>(
      `WITH problems AS (${parts.join(' UNION ALL ')}),
            ranked AS (SELECT line, path, message, dense_rank() OVER (ORDER BY line) AS n FROM problems)
       SELECT line, path, message, (SELECT count(DISTINCT line) FROM problems) AS total
         FROM ranked WHERE n <= $3 ORDER BY line, path, message`,
      [orgId, projectId, maxLines],
    );
    if (rows.length === 0) return;
    run.errors.merge(
      rows.map((r) => ({ line: Number(r.line), path: r.path, message: r.message })),
      Number(rows[0]!.total),
    );
  }
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `an import body may hold at most ${maxBytes} bytes`);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function rejectionEvent(
  projectId: string,
  details: { format: ImportFormat; importId: string; rows: number; badRows: number; reason: string },
): FailureAudit {
  return { action: 'tasks.import_rejected', targetType: 'project', targetId: projectId, details };
}

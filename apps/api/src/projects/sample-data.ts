import fs from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { SAMPLE_IMAGE_DIR, SAMPLE_IMAGE_PREFIX, type LabelTemplate } from '@enclave/contracts';
import { validateResult, validateTaskData } from '@enclave/labeling';
import { Db } from '../core/db/tenant';
import type { Principal } from '../core/http/request-context';
import type { ProjectRecord } from './project-access';

/** Stores an image file of the repository as an asset of a project and returns the asset's id. */
export interface SampleImageStore {
  storeSampleImage(principal: Principal, projectId: string, filePath: string): Promise<string>;
}
export const SAMPLE_IMAGE_STORE = Symbol('SAMPLE_IMAGE_STORE');

/**
 * `libs/contracts/templates`: data files of the contracts package, found the way the web app's build
 * is (app.ts), by the workspace layout that the Docker image keeps.
 */
export const TEMPLATES_DIR = path.resolve(__dirname, '../../../../libs/contracts/templates');

interface SampleRow {
  externalId?: string;
  priority?: number;
  data: Record<string, unknown>;
  gold?: Record<string, unknown>;
}

/** Reads a template's sample file: one JSON object per line. */
export async function readSampleRows(template: LabelTemplate): Promise<SampleRow[]> {
  const text = await fs.readFile(path.join(TEMPLATES_DIR, path.basename(template.sampleFile)), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SampleRow);
}

/**
 * Loads a template's sample dataset into a new project: the rows shipped in the repository, with
 * `sample:<file>` image references replaced by assets uploaded from the repository's sample images.
 * The rows pass the same checks as an import; a sample that fails them is a bug in the repository.
 */
@Injectable()
export class SampleDataLoader {
  constructor(
    private readonly db: Db,
    @Optional() @Inject(SAMPLE_IMAGE_STORE) private readonly images?: SampleImageStore,
  ) {}

  async load(principal: Principal, project: ProjectRecord, template: LabelTemplate): Promise<number> {
    const rows = await readSampleRows(template);
    const assetIds = new Map<string, string>();
    for (const row of rows) {
      for (const [key, value] of Object.entries(row.data)) {
        if (typeof value !== 'string' || !value.startsWith(SAMPLE_IMAGE_PREFIX)) continue;
        const file = path.basename(value.slice(SAMPLE_IMAGE_PREFIX.length));
        let id = assetIds.get(file);
        if (!id) {
          if (!this.images) throw new Error('sample data with images needs an image store');
          id = await this.images.storeSampleImage(principal, project.id, path.join(TEMPLATES_DIR, SAMPLE_IMAGE_DIR, file));
          assetIds.set(file, id);
        }
        row.data[key] = id;
      }
      const problems = [
        ...validateTaskData(project.labelConfig, row.data),
        ...(row.gold ? validateResult(project.labelConfig, row.data, row.gold) : []),
      ];
      if (problems.length > 0) {
        throw new Error(`sample ${template.id} row ${row.externalId ?? '?'}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
      }
    }
    return this.db.exec(
      `INSERT INTO tasks (org_id, project_id, external_id, data, priority, gold_answer)
       SELECT $1, $2, r.value->>'externalId', r.value->'data', coalesce((r.value->>'priority')::int, 0),
              nullif(r.value->'gold', 'null'::jsonb)
         FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS r(value, n)
        ORDER BY r.n`,
      [principal.orgId, project.id, JSON.stringify(rows)],
    );
  }
}

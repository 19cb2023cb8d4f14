import type { ExportStatus } from '@enclave/contracts';

/**
 * The one statement an export streams from. PostgreSQL builds each task's record as JSON text
 * (`row_to_json`, compact and in a fixed key order), so Node mostly passes text along. One row per task
 * in import order, the task's annotations aggregated into it:
 *
 *   {"id", "externalId", "data", "priority", "gold", "annotations": [{"id", "annotator", ["annotatorIdentity"],
 *    "status", "result", "configVersion", "leadTimeMs", "createdAt", "submittedAt",
 *    "review": null | {"verdict", "comment", "reviewer", ["reviewerIdentity"], "reviewedAt"}}]}
 *
 * Annotators and reviewers are named by a pseudonym computed here, `annotator-` and the first 12 hex
 * digits of sha256(project salt ‖ user id): stable within a project, unrelated across projects (each has
 * its own secret salt), and the user id never leaves the database. With identities, `{id, email, name}`
 * is added beside the pseudonym.
 *
 * The statuses: `submitted` exports submitted and accepted annotations, `accepted` only accepted ones,
 * and both leave out tasks that have none; `all` exports every task with every annotation, drafts and
 * rejected ones included, and tasks without any.
 *
 * Rows stream from the first one: an index scan of the project's tasks in `seq` order, each task's
 * annotations aggregated by a nested loop; nothing is sorted or materialised.
 *
 * A format read in two passes (COCO) gets every record twice from the same statement — all of pass 1,
 * then all of pass 2, each in import order — so that both passes see one snapshot of the data. Pass 1
 * carries only `{id, externalId, images}`.
 */
export interface ExportQueryInput {
  orgId: string;
  projectId: string;
  /** The project's pseudonym salt. */
  salt: string;
  status: ExportStatus;
  identities: boolean;
  passes: 1 | 2;
  /** Image fields whose assets (size, type) the records should carry: COCO's. */
  imageFields?: string[];
}

export interface ExportRow {
  pass: number;
  /** The task's record, as JSON text. */
  record: string;
  /** How many annotations the record holds. */
  annotations: number;
}

export const EXPORT_STATUSES_SQL: Record<ExportStatus, string[]> = {
  submitted: ['submitted', 'accepted'],
  accepted: ['accepted'],
  all: ['draft', 'submitted', 'accepted', 'rejected'],
};

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', ${ISO})`;
// $3 is the salt. convert_to, not ::bytea: a text-to-bytea cast would read backslashes as escapes.
const pseudonym = (userColumn: string) =>
  `'annotator-' || left(encode(sha256(convert_to($3 || ${userColumn}::text, 'UTF8')), 'hex'), 12)`;
const identity = (userColumn: string, alias: string) =>
  `(SELECT row_to_json(p) FROM (SELECT u.id, u.email, u.name FROM users u
                               WHERE u.org_id = t.org_id AND u.id = ${userColumn}) p) AS "${alias}"`;
const UUID_PATTERN = `'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'`;

/** The annotations of task `t` as `a.items` (a JSON array, NULL when none) and `a.n`. $4: the statuses. */
function annotationsOf(identities: boolean): string {
  return `
    SELECT count(*)::int AS n, json_agg(row_to_json(x) ORDER BY x."createdAt", x.id) AS items
      FROM (SELECT an.id,
                   ${pseudonym('an.user_id')} AS annotator,
                   ${identities ? `${identity('an.user_id', 'annotatorIdentity')},` : ''}
                   an.status, an.result, an.config_version AS "configVersion", an.lead_time_ms AS "leadTimeMs",
                   ${iso('an.created_at')} AS "createdAt",
                   ${iso('an.submitted_at')} AS "submittedAt",
                   (SELECT row_to_json(y) FROM (
                      SELECT r.verdict, r.comment, ${pseudonym('r.reviewer_id')} AS reviewer,
                             ${identities ? `${identity('r.reviewer_id', 'reviewerIdentity')},` : ''}
                             ${iso('r.created_at')} AS "reviewedAt"
                        FROM reviews r
                       WHERE r.org_id = an.org_id AND r.annotation_id = an.id
                       ORDER BY r.created_at DESC, r.id DESC
                       LIMIT 1) y) AS review
              FROM annotations an
             WHERE an.org_id = t.org_id AND an.task_id = t.id AND an.status = ANY ($4::text[])) x`;
}

/** `images`: the assets named by the task's image fields ($5), keyed by field. */
const IMAGES = `
  (SELECT json_object_agg(f.name, json_build_object('assetId', s.id, 'width', s.width, 'height', s.height,
                                                    'mediaType', s.media_type))
     FROM unnest($5::text[]) AS f(name)
     JOIN assets s ON s.org_id = t.org_id AND s.project_id = t.project_id
                  AND s.id = CASE WHEN t.data ->> f.name ~ ${UUID_PATTERN} THEN (t.data ->> f.name)::uuid END
  ) AS images`;

/**
 * One pass over the tasks. The first of two passes needs only which tasks, their ids and images: it
 * counts annotations instead of building them.
 */
function onePass(pass: number, input: ExportQueryInput, light: boolean): string {
  const withImages = (input.imageFields?.length ?? 0) > 0;
  const annotations = light
    ? `SELECT count(*)::int AS n FROM annotations an
        WHERE an.org_id = t.org_id AND an.task_id = t.id AND an.status = ANY ($4::text[])`
    : annotationsOf(input.identities);
  const columns = light
    ? `t.id, t.external_id AS "externalId"`
    : `t.id, t.external_id AS "externalId", t.data, t.priority, t.gold_answer AS gold,
       coalesce(a.items, '[]'::json) AS annotations`;
  return `
  SELECT ${pass} AS pass, j.record::text AS record, ${light ? '0' : 'a.n'} AS annotations
    FROM tasks t
   CROSS JOIN LATERAL (${annotations}) a
   CROSS JOIN LATERAL (
     SELECT row_to_json(r) AS record FROM (SELECT ${columns}${withImages ? `, ${IMAGES}` : ''}) r
   ) j
   WHERE t.org_id = $1 AND t.project_id = $2${input.status === 'all' ? '' : ' AND a.n > 0'}
   ORDER BY t.seq`;
}

export function exportQuery(input: ExportQueryInput): { text: string; values: unknown[] } {
  const values: unknown[] = [input.orgId, input.projectId, input.salt, EXPORT_STATUSES_SQL[input.status]];
  if ((input.imageFields?.length ?? 0) > 0) values.push(input.imageFields);
  // Two passes: a non-parallel Append runs its branches one after the other, each in its own order
  // (an ORDER BY pass, seq on top would make the planner sort the whole export before the first row).
  // The export runs with parallel workers off, and the stream checks that pass 2 never precedes pass 1.
  const text =
    input.passes === 1
      ? onePass(1, input, false)
      : `(${onePass(1, input, true)})\n  UNION ALL\n(${onePass(2, input, false)})`;
  return { text, values };
}

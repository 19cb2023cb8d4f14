import { PROJECT_SELECT } from '../projects/project-access';
import { ANNOTATION_COLUMNS } from './annotation-rows';

/**
 * The statements of the labelling loop (`next` and a submission), one text each. The services run
 * them; the queue benchmark's physical reference (tests/bench/harness/queue-reference.ts) loads them
 * from the built API, so that it runs the same SQL, not a copy.
 */

/**
 * The lease and its task: `queue_lease_next` runs once (a function scan is materialised), and the join
 * reads a row that existed before it. $1–$6 are the function's arguments, $7 the organization.
 */
export const LEASE_SQL = `SELECT l.task_id, l.expires_at, l.resumed, t.data
  FROM queue_lease_next($1, $2, $3, $4, $5, $6) l
  JOIN tasks t ON t.org_id = $7 AND t.id = l.task_id`;

/** The caller's draft of a task ($1 organization, $2 task, $3 user). */
export const DRAFT_SQL = `SELECT result, updated_at FROM annotations
  WHERE org_id = $1 AND task_id = $2 AND user_id = $3 AND status = 'draft'`;

/** The task, locked, with its project as the caller sees it ($1 user, $2 organization, $3 task). */
export const LOCK_TASK_SQL = `SELECT json_build_object('id', t.id, 'project_id', t.project_id, 'data', t.data, 'gold_answer', t.gold_answer,
                          'status', t.status, 'submitted_count', t.submitted_count) AS task, p.*
  FROM tasks t
  CROSS JOIN LATERAL (${PROJECT_SELECT} WHERE p.org_id = t.org_id AND p.id = t.project_id) p
 WHERE t.org_id = $2 AND t.id = $3
   FOR UPDATE OF t`;

/**
 * The caller's annotation of a task, locked, and their lease on it ($1 organization, $2 task, $3 user).
 * The locking read sits in a lateral subquery: FOR UPDATE may not reach the nullable side of an outer join.
 */
export const MINE_AND_LEASE_SQL = `SELECT a.*, l.expires_at AS lease_expires_at, l.expires_at > now() AS lease_live
  FROM (SELECT 1) AS one
  LEFT JOIN LATERAL (
    SELECT ${ANNOTATION_COLUMNS} FROM annotations WHERE org_id = $1 AND task_id = $2 AND user_id = $3 FOR UPDATE
  ) a ON true
  LEFT JOIN task_leases l ON l.org_id = $1 AND l.task_id = $2 AND l.user_id = $3`;

/** The revision row of the annotation the statement's CTE `a` wrote ($1 is the organization). */
const revisionOfA = (
  author: string,
  leadTime: string,
) => `INSERT INTO annotation_revisions (org_id, annotation_id, revision, project_id, task_id,
                                    annotator_id, author_id, kind, result, config_version, lead_time_ms)
  SELECT $1, a.id, a.revision, a.project_id, a.task_id, a.user_id, ${author}, 'submission', a.result, a.config_version, ${leadTime}
    FROM a`;

/**
 * A first submission: the annotation, the task's count (not for gold), the lease released, and the
 * revision. Data-modifying CTEs all run, exactly once, whatever the outer query reads. $1 organization,
 * $2 project, $3 task, $4 user, $5 result, $6 configuration version, $7 lead time, $8 gold, $9 needs
 * review, $10 overlap.
 */
export const SUBMIT_FIRST_SQL = `WITH a AS (
  INSERT INTO annotations (org_id, project_id, task_id, user_id, status, result, config_version, revision, lead_time_ms,
                           is_gold, needs_review, submitted_at)
  VALUES ($1, $2, $3, $4, 'submitted', $5, $6, 1, $7, $8, $9, now())
  ON CONFLICT (org_id, task_id, user_id) DO UPDATE
    SET status = 'submitted', result = EXCLUDED.result, config_version = EXCLUDED.config_version, revision = 1,
        lead_time_ms = EXCLUDED.lead_time_ms, needs_review = EXCLUDED.needs_review, submitted_at = now(), updated_at = now()
  RETURNING ${ANNOTATION_COLUMNS}
), counted AS (
  UPDATE tasks SET submitted_count = submitted_count + 1,
                   status = CASE WHEN submitted_count + 1 >= $10 THEN 'completed' ELSE 'open' END
   WHERE org_id = $1 AND id = $3 AND NOT $8
), released AS (
  -- Done with this task: the lease goes, and the queue moves on.
  DELETE FROM task_leases WHERE org_id = $1 AND task_id = $3 AND user_id = $4
), revised AS (
  ${revisionOfA('$4', 'a.lead_time_ms')}
)
SELECT * FROM a`;

/**
 * A revision of one's own submission, and its revision row. $1 organization, $2 annotation, $3 result,
 * $4 configuration version, $5 the annotation's lead time, $6 the author, $7 the revision's lead time.
 */
export const REVISE_SQL = `WITH a AS (
  UPDATE annotations SET result = $3, config_version = $4, revision = revision + 1, lead_time_ms = $5, updated_at = now()
   WHERE org_id = $1 AND id = $2 RETURNING ${ANNOTATION_COLUMNS}
), revised AS (
  ${revisionOfA('$6', '$7')}
)
SELECT * FROM a`;

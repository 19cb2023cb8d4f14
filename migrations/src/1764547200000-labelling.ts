import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The labelling engine: annotations with every submitted revision, skips, reviews, gold scores and
 * qualifications, plus the queue's own columns and indexes on tasks and the function that leases the
 * next task.
 *
 * Besides the tenant policy and the project-membership policy of the data tables, the tables that
 * hold people's work carry a third, restrictive policy: an annotator sees only their own rows; the
 * project's reviewers and managers (and owners, admins, the system) see all of the project's.
 */
export class Labelling1764547200000 implements MigrationInterface {
  name = 'Labelling1764547200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(UP_SQL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(DOWN_SQL);
  }
}

// The role and user are read through scalar subqueries: PostgreSQL evaluates those once per
// statement (an InitPlan), where a bare function call in a policy runs again for every row.
const MEMBER_OF_PROJECT = `(SELECT app_sees_all_projects())
  OR project_id IN (SELECT m.project_id FROM project_members m WHERE m.user_id = (SELECT app_current_user()))`;
const OWN_OR_OVERSEER = (userColumn: string) => `(SELECT app_sees_all_projects())
  OR ${userColumn} = (SELECT app_current_user())
  OR project_id IN (SELECT m.project_id FROM project_members m
                     WHERE m.user_id = (SELECT app_current_user()) AND m.role IN ('reviewer', 'manager'))`;

/** queue_lease_next as this migration creates it (a later migration's `down` restores it). */
export const QUEUE_LEASE_NEXT_BEFORE = /* sql */ `
CREATE FUNCTION queue_lease_next(p_project uuid, p_overlap integer, p_lease_seconds integer, p_gold boolean, p_only_gold boolean,
                                 p_holding uuid DEFAULT NULL)
  RETURNS TABLE (task_id uuid, expires_at timestamptz, resumed boolean)
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, public, pg_temp
AS $f$
DECLARE
  v_org uuid := app_current_org();
  v_user uuid := app_current_user();
  v_task uuid;
  v_expires timestamptz;
  -- p_holding: the task the caller has on screen; the answer is another one, fetched ahead.
  v_held uuid[] := CASE WHEN p_holding IS NULL THEN '{}'::uuid[] ELSE ARRAY[p_holding] END;
  v_passed uuid[];
  v_try integer;
BEGIN
  IF v_org IS NULL OR v_user IS NULL THEN RETURN; END IF;

  SELECT l.task_id, l.expires_at INTO v_task, v_expires FROM task_leases l
   WHERE l.org_id = v_org AND l.project_id = p_project AND l.user_id = v_user AND l.expires_at > now()
     AND l.task_id <> ALL (v_held)
   ORDER BY l.leased_at LIMIT 1;
  IF FOUND THEN
    RETURN QUERY SELECT v_task, v_expires, true;
    RETURN;
  END IF;

  FOR v_task IN
    SELECT a.task_id FROM annotations a
     WHERE a.org_id = v_org AND a.project_id = p_project AND a.user_id = v_user AND a.status = 'draft'
       AND a.task_id <> ALL (v_held)
     ORDER BY a.updated_at
     LIMIT 20
  LOOP
    v_expires := queue_try_lease(v_task, p_overlap, p_lease_seconds);
    IF v_expires IS NOT NULL THEN
      RETURN QUERY SELECT v_task, v_expires, true;
      RETURN;
    END IF;
  END LOOP;

  v_passed := v_held;
  IF p_gold OR p_only_gold THEN
    FOR v_try IN 1..20 LOOP
      SELECT t.id INTO v_task FROM tasks t
       WHERE t.org_id = v_org AND t.project_id = p_project AND t.gold_answer IS NOT NULL
         AND t.id <> ALL (v_passed)
         AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.org_id = v_org AND a.task_id = t.id AND a.user_id = v_user)
         AND NOT EXISTS (SELECT 1 FROM task_skips s WHERE s.org_id = v_org AND s.task_id = t.id AND s.user_id = v_user)
       ORDER BY t.seq
       LIMIT 1;
      EXIT WHEN NOT FOUND;
      v_expires := queue_try_lease(v_task, p_overlap, p_lease_seconds);
      IF v_expires IS NOT NULL THEN
        RETURN QUERY SELECT v_task, v_expires, false;
        RETURN;
      END IF;
      v_passed := v_passed || v_task;
    END LOOP;
  END IF;
  IF p_only_gold THEN RETURN; END IF;

  v_passed := v_held;
  FOR v_try IN 1..20 LOOP
    SELECT t.id INTO v_task FROM tasks t
     WHERE t.org_id = v_org AND t.project_id = p_project AND t.status = 'open' AND t.gold_answer IS NULL
       AND t.id <> ALL (v_passed)
       AND t.submitted_count < p_overlap
       AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.org_id = v_org AND a.task_id = t.id AND a.user_id = v_user)
       AND NOT EXISTS (SELECT 1 FROM task_skips s WHERE s.org_id = v_org AND s.task_id = t.id AND s.user_id = v_user)
       AND t.submitted_count + (SELECT count(*) FROM task_leases l
                                 WHERE l.org_id = v_org AND l.task_id = t.id AND l.expires_at > now()) < p_overlap
     ORDER BY t.priority DESC, t.seq
     LIMIT 1
     FOR UPDATE OF t SKIP LOCKED;
    EXIT WHEN NOT FOUND;
    v_expires := queue_try_lease(v_task, p_overlap, p_lease_seconds);
    IF v_expires IS NOT NULL THEN
      RETURN QUERY SELECT v_task, v_expires, false;
      RETURN;
    END IF;
    v_passed := v_passed || v_task;
  END LOOP;
END $f$;
`;

const UP_SQL = /* sql */ `
ALTER TABLE projects
  -- The share (percent) of the tasks handed to an annotator that are gold, while gold remains for them.
  ADD COLUMN gold_percent smallint NOT NULL DEFAULT 10 CHECK (gold_percent BETWEEN 0 AND 100),
  -- A qualification: this many gold tasks answered at this accuracy before real tasks flow.
  ADD COLUMN qualification_tasks smallint CHECK (qualification_tasks BETWEEN 1 AND 100),
  ADD COLUMN qualification_min_accuracy real CHECK (qualification_min_accuracy BETWEEN 0 AND 1),
  -- Exports name annotators by a pseudonym derived from this secret and their id.
  ADD COLUMN pseudonym_salt uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD CONSTRAINT projects_qualification_check CHECK ((qualification_tasks IS NULL) = (qualification_min_accuracy IS NULL));

-- Submitted (or accepted) annotations that count towards the overlap; a task is complete at overlap.
ALTER TABLE tasks ADD COLUMN submitted_count integer NOT NULL DEFAULT 0 CHECK (submitted_count >= 0);
-- The queue reads open, non-gold tasks by priority then import order; gold tasks in import order.
CREATE INDEX tasks_queue_idx ON tasks (org_id, project_id, priority DESC, seq) WHERE status = 'open' AND gold_answer IS NULL;
CREATE INDEX tasks_gold_idx ON tasks (org_id, project_id, seq) WHERE gold_answer IS NOT NULL;
CREATE INDEX task_leases_task_idx ON task_leases (org_id, task_id, expires_at);

CREATE TABLE annotations (
  org_id            uuid NOT NULL,
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  project_id        uuid NOT NULL,
  task_id           uuid NOT NULL,
  user_id           uuid NOT NULL,
  -- draft: saved, not submitted; submitted: counts towards the overlap; accepted or rejected by review.
  status            text NOT NULL CHECK (status IN ('draft', 'submitted', 'accepted', 'rejected')),
  result            jsonb NOT NULL,
  config_version    integer NOT NULL CHECK (config_version > 0),
  -- The number of submitted revisions (annotation_revisions); 0 while only a draft exists.
  revision          integer NOT NULL DEFAULT 0 CHECK (revision >= 0),
  lead_time_ms      integer CHECK (lead_time_ms >= 0),
  is_gold           boolean NOT NULL DEFAULT false,
  -- Picked for review (review mode all, or the sample): waits in the review queue until reviewed.
  needs_review      boolean NOT NULL DEFAULT false,
  review_holder     uuid,
  review_expires_at timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  submitted_at      timestamptz,
  reviewed_at       timestamptz,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, task_id) REFERENCES tasks (org_id, id),
  FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE UNIQUE INDEX annotations_task_user_key ON annotations (org_id, task_id, user_id);
CREATE INDEX annotations_project_idx ON annotations (org_id, project_id, status, task_id);
CREATE INDEX annotations_user_idx ON annotations (org_id, project_id, user_id, status);
CREATE INDEX annotations_review_idx ON annotations (org_id, project_id, submitted_at)
  WHERE needs_review AND status = 'submitted';

-- Every submitted version of an annotation, the annotator's and a reviewer's corrections: nothing
-- submitted is ever overwritten without a trace.
CREATE TABLE annotation_revisions (
  org_id         uuid NOT NULL,
  annotation_id  uuid NOT NULL,
  revision       integer NOT NULL CHECK (revision > 0),
  project_id     uuid NOT NULL,
  task_id        uuid NOT NULL,
  -- Whose annotation this is (the row-level policy reads it) and who wrote this revision.
  annotator_id   uuid NOT NULL,
  author_id      uuid NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('submission', 'correction')),
  result         jsonb NOT NULL,
  config_version integer NOT NULL CHECK (config_version > 0),
  lead_time_ms   integer CHECK (lead_time_ms >= 0),
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, annotation_id, revision),
  FOREIGN KEY (org_id, annotation_id) REFERENCES annotations (org_id, id),
  FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id),
  FOREIGN KEY (org_id, author_id) REFERENCES users (org_id, id)
);

CREATE TABLE task_skips (
  org_id     uuid NOT NULL,
  project_id uuid NOT NULL,
  task_id    uuid NOT NULL,
  user_id    uuid NOT NULL,
  reason     text CHECK (length(reason) <= 1000),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, task_id, user_id),
  FOREIGN KEY (org_id, task_id) REFERENCES tasks (org_id, id),
  FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX task_skips_user_idx ON task_skips (org_id, project_id, user_id);

CREATE TABLE reviews (
  org_id             uuid NOT NULL,
  id                 uuid NOT NULL DEFAULT gen_random_uuid(),
  project_id         uuid NOT NULL,
  annotation_id      uuid NOT NULL,
  task_id            uuid NOT NULL,
  annotator_id       uuid NOT NULL,
  reviewer_id        uuid NOT NULL,
  verdict            text NOT NULL CHECK (verdict IN ('accept', 'reject')),
  comment            text CHECK (length(comment) <= 5000),
  -- The reviewer's correction, when they accepted with changes.
  corrected_revision integer,
  created_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, annotation_id) REFERENCES annotations (org_id, id),
  FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id),
  FOREIGN KEY (org_id, reviewer_id) REFERENCES users (org_id, id),
  CHECK (reviewer_id <> annotator_id)
);
CREATE INDEX reviews_annotation_idx ON reviews (org_id, annotation_id, created_at);

-- An annotator's score on a gold task (the latest submitted revision), per question and overall.
CREATE TABLE gold_scores (
  org_id        uuid NOT NULL,
  project_id    uuid NOT NULL,
  task_id       uuid NOT NULL,
  user_id       uuid NOT NULL,
  annotation_id uuid NOT NULL,
  score         real CHECK (score BETWEEN 0 AND 1),
  per_question  jsonb NOT NULL DEFAULT '{}'::jsonb,
  scored_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, task_id, user_id),
  FOREIGN KEY (org_id, annotation_id) REFERENCES annotations (org_id, id),
  FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX gold_scores_user_idx ON gold_scores (org_id, project_id, user_id);

-- The outcome of a project's qualification for one annotator, decided once they answered enough gold.
CREATE TABLE qualifications (
  org_id     uuid NOT NULL,
  project_id uuid NOT NULL,
  user_id    uuid NOT NULL,
  status     text NOT NULL CHECK (status IN ('passed', 'failed')),
  answered   integer NOT NULL CHECK (answered >= 0),
  accuracy   real NOT NULL CHECK (accuracy BETWEEN 0 AND 1),
  decided_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, project_id, user_id),
  FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['annotations', 'annotation_revisions', 'task_skips', 'reviews', 'gold_scores', 'qualifications'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (org_id = (SELECT app_current_org())) WITH CHECK (org_id = (SELECT app_current_org()))', t);
    EXECUTE format(
      'CREATE POLICY project_membership ON %I AS RESTRICTIVE USING (${MEMBER_OF_PROJECT}) WITH CHECK (${MEMBER_OF_PROJECT})', t);
  END LOOP;
END $$;

-- An annotator sees (and writes) only their own work; reviewers and managers of the project see all of it.
CREATE POLICY own_work ON annotations AS RESTRICTIVE
  USING (${OWN_OR_OVERSEER('user_id')}) WITH CHECK (${OWN_OR_OVERSEER('user_id')});
CREATE POLICY own_work ON annotation_revisions AS RESTRICTIVE
  USING (${OWN_OR_OVERSEER('annotator_id')}) WITH CHECK (${OWN_OR_OVERSEER('annotator_id')});
CREATE POLICY own_work ON reviews AS RESTRICTIVE
  USING (${OWN_OR_OVERSEER('annotator_id')}) WITH CHECK (${OWN_OR_OVERSEER('annotator_id')});
CREATE POLICY own_work ON task_skips AS RESTRICTIVE
  USING (${OWN_OR_OVERSEER('user_id')}) WITH CHECK (${OWN_OR_OVERSEER('user_id')});
CREATE POLICY own_work ON gold_scores AS RESTRICTIVE
  USING (${OWN_OR_OVERSEER('user_id')}) WITH CHECK (${OWN_OR_OVERSEER('user_id')});
CREATE POLICY own_work ON qualifications AS RESTRICTIVE
  USING (${OWN_OR_OVERSEER('user_id')}) WITH CHECK (${OWN_OR_OVERSEER('user_id')});


-- The queue. SECURITY INVOKER (the default): it runs as the caller, under every row-level policy.
-- One task is leased to the calling user (app.user_id) in the calling tenant:
--   1. the lease they already hold, unchanged;
--   2. a task they left a draft on, when it still needs them;
--   3. (p_gold) a gold task they have not answered;
--   4. (unless p_only_gold) an open task with room: submitted + live leases < overlap, not annotated
--      or skipped by them, by priority then import order.
-- Candidates are locked FOR UPDATE SKIP LOCKED, so concurrent callers walk past each other; every
-- lease is written while holding the task's row lock, and the room is counted again after the lock
-- is taken (a new snapshot), so no task is ever leased beyond its overlap.
CREATE FUNCTION queue_try_lease(p_task uuid, p_overlap integer, p_lease_seconds integer)
  RETURNS timestamptz
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, public, pg_temp
AS $f$
DECLARE
  v_org uuid := app_current_org();
  v_user uuid := app_current_user();
  v_project uuid;
  v_gold boolean;
  v_room boolean;
  v_expires timestamptz := now() + make_interval(secs => p_lease_seconds);
BEGIN
  SELECT t.project_id, t.gold_answer IS NOT NULL INTO v_project, v_gold
    FROM tasks t WHERE t.org_id = v_org AND t.id = p_task
    FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN RETURN NULL; END IF;
  -- Counted after the lock: leases written by transactions that committed meanwhile are seen.
  SELECT v_gold OR (t.status = 'open' AND t.submitted_count
           + (SELECT count(*) FROM task_leases l
               WHERE l.org_id = v_org AND l.task_id = p_task AND l.user_id <> v_user AND l.expires_at > now())
           < p_overlap)
    INTO v_room
    FROM tasks t WHERE t.org_id = v_org AND t.id = p_task;
  IF NOT v_room THEN RETURN NULL; END IF;
  -- Another user's expired lease stays: it tells their late submission that they held the task.
  DELETE FROM task_leases l WHERE l.org_id = v_org AND l.task_id = p_task AND l.user_id = v_user;
  INSERT INTO task_leases (org_id, project_id, task_id, user_id, expires_at) VALUES (v_org, v_project, p_task, v_user, v_expires);
  RETURN v_expires;
END $f$;

${QUEUE_LEASE_NEXT_BEFORE}

REVOKE ALL ON FUNCTION queue_try_lease(uuid, integer, integer), queue_lease_next(uuid, integer, integer, boolean, boolean, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION queue_try_lease(uuid, integer, integer), queue_lease_next(uuid, integer, integer, boolean, boolean, uuid) TO enclave_runtime;

-- Only drafts are ever deleted (a skipped task's draft); submitted work stays, whatever the code does.
CREATE FUNCTION annotations_refuse_delete() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog
AS $f$
BEGIN
  RAISE EXCEPTION 'only draft annotations can be deleted (annotation % is %)', OLD.id, OLD.status
    USING ERRCODE = 'restrict_violation';
END $f$;
CREATE TRIGGER annotations_keep_submitted BEFORE DELETE ON annotations
  FOR EACH ROW WHEN (OLD.status <> 'draft') EXECUTE FUNCTION annotations_refuse_delete();

GRANT SELECT, INSERT, UPDATE, DELETE ON annotations TO enclave_runtime;
GRANT SELECT, INSERT ON annotation_revisions, reviews TO enclave_runtime;
GRANT SELECT, INSERT, DELETE ON task_skips TO enclave_runtime;
GRANT SELECT, INSERT, UPDATE ON gold_scores, qualifications TO enclave_runtime;
`;

const DOWN_SQL = /* sql */ `
DROP FUNCTION queue_lease_next(uuid, integer, integer, boolean, boolean, uuid);
DROP FUNCTION queue_try_lease(uuid, integer, integer);
DROP TABLE qualifications, gold_scores, reviews, task_skips, annotation_revisions, annotations;
DROP FUNCTION annotations_refuse_delete();
DROP INDEX task_leases_task_idx, tasks_gold_idx, tasks_queue_idx;
ALTER TABLE tasks DROP COLUMN submitted_count;
ALTER TABLE projects DROP CONSTRAINT projects_qualification_check,
  DROP COLUMN pseudonym_salt, DROP COLUMN qualification_min_accuracy, DROP COLUMN qualification_tasks, DROP COLUMN gold_percent;
`;

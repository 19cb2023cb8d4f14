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

const MEMBER_OF_PROJECT = `app_sees_all_projects()
  OR project_id IN (SELECT m.project_id FROM project_members m WHERE m.user_id = app_current_user())`;
const OWN_OR_OVERSEER = (userColumn: string) => `app_sees_all_projects()
  OR ${userColumn} = app_current_user()
  OR project_id IN (SELECT m.project_id FROM project_members m
                     WHERE m.user_id = app_current_user() AND m.role IN ('reviewer', 'manager'))`;

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
      'CREATE POLICY tenant_isolation ON %I USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org())', t);
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

GRANT SELECT, INSERT, UPDATE ON annotations TO enclave_runtime;
GRANT SELECT, INSERT ON annotation_revisions, reviews TO enclave_runtime;
GRANT SELECT, INSERT, DELETE ON task_skips TO enclave_runtime;
GRANT SELECT, INSERT, UPDATE ON gold_scores, qualifications TO enclave_runtime;
`;

const DOWN_SQL = /* sql */ `
DROP TABLE qualifications, gold_scores, reviews, task_skips, annotation_revisions, annotations;
DROP INDEX task_leases_task_idx, tasks_gold_idx, tasks_queue_idx;
ALTER TABLE tasks DROP COLUMN submitted_count;
ALTER TABLE projects DROP CONSTRAINT projects_qualification_check,
  DROP COLUMN pseudonym_salt, DROP COLUMN qualification_min_accuracy, DROP COLUMN qualification_tasks, DROP COLUMN gold_percent;
`;

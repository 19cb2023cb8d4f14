import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Projects and their data: projects with their label-configuration history, members, tasks, task
 * leases and image assets.
 *
 * Besides the tenant policy, the data tables (tasks, task leases, assets) carry a second, RESTRICTIVE
 * policy on project membership (SPEC §3): below admin, a user sees and writes only rows of projects
 * they are a member of. Restrictive policies are AND-ed with the tenant policy, so neither can widen
 * the other. The membership test is an uncorrelated `IN (subquery)`: PostgreSQL evaluates it once per
 * statement as a hashed subplan, not once per row, which keeps million-row imports and the queue fast.
 */
export class Projects1764460800000 implements MigrationInterface {
  name = 'Projects1764460800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(UP_SQL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(DOWN_SQL);
  }
}

const UP_SQL = /* sql */ `
-- The role of the current transaction, as set by the tenant helper. Owners, admins and the system
-- (background jobs, the seeder) see every project of their tenant; everyone else only their own.
CREATE FUNCTION app_sees_all_projects() RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $f$ SELECT coalesce(current_setting('app.role', true), '') IN ('owner', 'admin', 'system') $f$;

CREATE TABLE projects (
  org_id                uuid NOT NULL REFERENCES organizations (org_id),
  id                    uuid NOT NULL DEFAULT gen_random_uuid(),
  name                  text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description           text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
  instructions          text NOT NULL DEFAULT '' CHECK (length(instructions) <= 100000),
  label_config          jsonb NOT NULL,
  config_version        integer NOT NULL DEFAULT 1 CHECK (config_version > 0),
  overlap               integer NOT NULL DEFAULT 1 CHECK (overlap BETWEEN 1 AND 50),
  lease_seconds         integer NOT NULL DEFAULT 900 CHECK (lease_seconds BETWEEN 30 AND 86400),
  review_mode           text NOT NULL DEFAULT 'none' CHECK (review_mode IN ('none', 'all', 'sample')),
  review_sample_percent integer CHECK (review_sample_percent BETWEEN 1 AND 99),
  template_id           text,
  status                text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
  created_by            uuid NOT NULL,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  archived_at           timestamptz,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id),
  CHECK ((review_mode = 'sample') = (review_sample_percent IS NOT NULL))
);
CREATE INDEX projects_listing_idx ON projects (org_id, status, created_at DESC, id);

-- Every configuration a project ever had: annotations record the version they were made with, and
-- checking or exporting an old annotation needs the configuration of its time.
CREATE TABLE project_configs (
  org_id       uuid NOT NULL,
  project_id   uuid NOT NULL,
  version      integer NOT NULL CHECK (version > 0),
  label_config jsonb NOT NULL,
  created_by   uuid NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, project_id, version),
  FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id),
  FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id)
);

CREATE TABLE project_members (
  org_id     uuid NOT NULL,
  project_id uuid NOT NULL,
  user_id    uuid NOT NULL,
  role       text NOT NULL CHECK (role IN ('annotator', 'reviewer', 'manager')),
  added_by   uuid,
  added_at   timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, project_id, user_id),
  FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX project_members_user_idx ON project_members (org_id, user_id, project_id);

CREATE TABLE tasks (
  org_id      uuid NOT NULL,
  project_id  uuid NOT NULL,
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  -- Import order: the queue hands out tasks by priority, then seq.
  seq         bigint GENERATED ALWAYS AS IDENTITY,
  external_id text CHECK (length(external_id) BETWEEN 1 AND 500),
  data        jsonb NOT NULL,
  priority    integer NOT NULL DEFAULT 0,
  -- The known answer of a gold task; NULL for every other task.
  gold_answer jsonb,
  status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed')),
  import_id   uuid,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id)
);
-- NULL external ids are distinct, so only given ids must be unique within a project.
CREATE UNIQUE INDEX tasks_external_id_key ON tasks (org_id, project_id, external_id);
-- Listing in import order, with or without a status filter (and counts by status, index-only).
CREATE INDEX tasks_order_idx ON tasks (org_id, project_id, seq);
CREATE INDEX tasks_status_idx ON tasks (org_id, project_id, status, seq);

CREATE TABLE task_leases (
  org_id     uuid NOT NULL,
  project_id uuid NOT NULL,
  task_id    uuid NOT NULL,
  user_id    uuid NOT NULL,
  leased_at  timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, task_id, user_id),
  FOREIGN KEY (org_id, task_id) REFERENCES tasks (org_id, id),
  FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX task_leases_user_idx ON task_leases (org_id, project_id, user_id);

CREATE TABLE assets (
  org_id        uuid NOT NULL,
  project_id    uuid NOT NULL,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  media_type    text NOT NULL CHECK (media_type IN ('image/png', 'image/jpeg', 'image/webp', 'image/gif')),
  byte_size     bigint NOT NULL CHECK (byte_size > 0),
  width         integer NOT NULL CHECK (width > 0),
  height        integer NOT NULL CHECK (height > 0),
  original_name text CHECK (length(original_name) <= 255),
  created_by    uuid NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id),
  FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id)
);
-- The same bytes uploaded twice to a project are one asset.
CREATE UNIQUE INDEX assets_content_key ON assets (org_id, project_id, sha256);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['projects', 'project_configs', 'project_members', 'tasks', 'task_leases', 'assets'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (org_id = (SELECT app_current_org())) WITH CHECK (org_id = (SELECT app_current_org()))',
      t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['tasks', 'task_leases', 'assets'] LOOP
    EXECUTE format(
      'CREATE POLICY project_membership ON %I AS RESTRICTIVE
         USING ((SELECT app_sees_all_projects())
                OR project_id IN (SELECT m.project_id FROM project_members m WHERE m.user_id = (SELECT app_current_user())))
         WITH CHECK ((SELECT app_sees_all_projects())
                OR project_id IN (SELECT m.project_id FROM project_members m WHERE m.user_id = (SELECT app_current_user())))',
      t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON projects, project_members TO enclave_runtime;
GRANT DELETE ON project_members TO enclave_runtime;
GRANT SELECT, INSERT ON project_configs TO enclave_runtime;
GRANT SELECT, INSERT, UPDATE ON tasks TO enclave_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON task_leases TO enclave_runtime;
GRANT SELECT, INSERT ON assets TO enclave_runtime;
GRANT EXECUTE ON FUNCTION app_sees_all_projects() TO enclave_runtime;

-- Imports stream through a temporary staging table (COPY FROM is refused into a table with row-level
-- security): say so explicitly, so that revoking TEMP from PUBLIC later does not break them.
DO $$
BEGIN
  EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO enclave_runtime', current_database());
END $$;
`;

const DOWN_SQL = /* sql */ `
DO $$
BEGIN
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM enclave_runtime', current_database());
END $$;
DROP TABLE assets, task_leases, tasks, project_members, project_configs, projects;
DROP FUNCTION app_sees_all_projects();
`;

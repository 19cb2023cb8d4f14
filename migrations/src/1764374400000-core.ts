import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The secure core: organizations, users, sessions, API tokens and the audit chain, each tenant table
 * with forced row-level security; the platform tables of the operator; the narrow pre-tenant lookup
 * functions; and the grants of the runtime role.
 *
 * Conventions every later migration copies:
 * - a tenant table has `org_id uuid not null` first in its primary key and in every foreign key;
 * - `ENABLE` and `FORCE ROW LEVEL SECURITY` and a `tenant_isolation` policy with USING and WITH CHECK;
 * - grants go to the group role `enclave_runtime`, never TRUNCATE, never DDL.
 */
export class Core1764374400000 implements MigrationInterface {
  name = 'Core1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(UP_SQL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(DOWN_SQL);
  }
}

const UP_SQL = /* sql */ `
-- Roles are cluster-wide: create them once, tolerating a concurrent migrator on another database.
DO $$
BEGIN
  BEGIN
    CREATE ROLE enclave_runtime NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END;
  BEGIN
    CREATE ROLE enclave_auth NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END;
END $$;
-- The migrator hands the lookup functions to enclave_auth, which needs membership when it is not a superuser.
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT enclave_auth TO %I', current_user);
  END IF;
END $$;

REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO enclave_runtime, enclave_auth;

-- The tenant of the current transaction. A setting made with set_config(..., true) reads back as ''
-- after its transaction ends on a pooled connection, so '' means "no tenant" and matches nothing.
CREATE FUNCTION app_current_org() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $f$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $f$;
CREATE FUNCTION app_current_user() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $f$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $f$;

-- ---------------------------------------------------------------- tenant tables
CREATE TABLE organizations (
  org_id      uuid PRIMARY KEY,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  slug        text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
-- On Citus, organizations is a reference table, so a global unique slug stays valid.
CREATE UNIQUE INDEX organizations_slug_key ON organizations (slug);

CREATE TABLE users (
  org_id              uuid NOT NULL REFERENCES organizations (org_id),
  id                  uuid NOT NULL DEFAULT gen_random_uuid(),
  email               text NOT NULL CHECK (email = lower(email) AND length(email) <= 254),
  name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  role                text NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'reviewer', 'annotator')),
  status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  password_hash       text NOT NULL,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX users_org_email_key ON users (org_id, email);
CREATE INDEX users_email_idx ON users (email);

CREATE TABLE sessions (
  org_id       uuid NOT NULL,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL,
  token_hash   bytea NOT NULL CHECK (length(token_hash) = 32),
  csrf_hash    bytea NOT NULL CHECK (length(csrf_hash) = 32),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  ip           text,
  user_agent   text,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
-- Not unique: a unique index without org_id would not distribute; 256 random bits do not collide.
CREATE INDEX sessions_token_hash_idx ON sessions (token_hash);
CREATE INDEX sessions_user_idx ON sessions (org_id, user_id) WHERE revoked_at IS NULL;

CREATE TABLE api_tokens (
  org_id       uuid NOT NULL,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  prefix       text NOT NULL,
  token_hash   bytea NOT NULL CHECK (length(token_hash) = 32),
  scopes       text[] NOT NULL CHECK (scopes <@ ARRAY['read', 'write']::text[] AND cardinality(scopes) > 0),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  last_used_at timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX api_tokens_hash_idx ON api_tokens (token_hash);
CREATE INDEX api_tokens_user_idx ON api_tokens (org_id, user_id, created_at DESC);

CREATE TABLE audit_events (
  org_id      uuid NOT NULL REFERENCES organizations (org_id),
  seq         bigint NOT NULL CHECK (seq > 0),
  id          uuid NOT NULL,
  occurred_at timestamptz NOT NULL,
  actor_type  text NOT NULL CHECK (actor_type IN ('user', 'operator', 'system', 'anonymous')),
  actor_id    uuid,
  action      text NOT NULL,
  target_type text,
  target_id   text,
  outcome     text NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
  ip          text,
  user_agent  text,
  request_id  text,
  details     jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash   text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash        text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (org_id, seq)
);
CREATE INDEX audit_events_action_idx ON audit_events (org_id, action, seq DESC);
CREATE INDEX audit_events_actor_idx ON audit_events (org_id, actor_id, seq DESC);

-- Row-level security: forced, so even the tables' owner is subject to it.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['organizations', 'users', 'sessions', 'api_tokens', 'audit_events'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org())',
      t);
  END LOOP;
END $$;

-- The audit log is append-only for everyone, owner included.
CREATE FUNCTION audit_refuse_change() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog
  AS $f$ BEGIN RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege'; END $f$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- ---------------------------------------------------------------- platform tables (no tenant)
-- Reserves each e-mail address once in the instance. The runtime role may insert and delete, never read.
CREATE TABLE email_directory (
  email text PRIMARY KEY CHECK (email = lower(email))
);

CREATE TABLE operators (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text NOT NULL UNIQUE CHECK (email = lower(email)),
  name          text NOT NULL,
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE operator_sessions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  operator_id  uuid NOT NULL REFERENCES operators (id),
  token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  csrf_hash    bytea NOT NULL CHECK (length(csrf_hash) = 32),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  ip           text,
  user_agent   text
);

-- The operator's own chain: logins and every platform action.
CREATE TABLE platform_audit_events (
  seq         bigint PRIMARY KEY CHECK (seq > 0),
  id          uuid NOT NULL,
  occurred_at timestamptz NOT NULL,
  actor_type  text NOT NULL CHECK (actor_type IN ('user', 'operator', 'system', 'anonymous')),
  actor_id    uuid,
  action      text NOT NULL,
  target_type text,
  target_id   text,
  outcome     text NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
  ip          text,
  user_agent  text,
  request_id  text,
  details     jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash   text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash        text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);
CREATE TRIGGER platform_audit_events_append_only BEFORE UPDATE OR DELETE ON platform_audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER platform_audit_events_no_truncate BEFORE TRUNCATE ON platform_audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- Login throttling, shared by every API replica. Keys are hashes of "account:<email>" or "address:<ip>".
CREATE TABLE auth_throttle (
  key_hash          bytea PRIMARY KEY,
  failures          integer NOT NULL,
  window_started_at timestamptz NOT NULL,
  blocked_until     timestamptz
);

-- ---------------------------------------------------------------- pre-tenant lookups
-- enclave_auth reads across tenants only through these functions, which return one principal each.
CREATE POLICY auth_lookup ON organizations FOR SELECT TO enclave_auth USING (true);
CREATE POLICY auth_lookup ON users FOR SELECT TO enclave_auth USING (true);
CREATE POLICY auth_lookup ON sessions FOR SELECT TO enclave_auth USING (true);
CREATE POLICY auth_touch ON sessions FOR UPDATE TO enclave_auth USING (true) WITH CHECK (true);
CREATE POLICY auth_lookup ON api_tokens FOR SELECT TO enclave_auth USING (true);
CREATE POLICY auth_touch ON api_tokens FOR UPDATE TO enclave_auth USING (true) WITH CHECK (true);
GRANT SELECT ON organizations, users, sessions, api_tokens, operators, operator_sessions TO enclave_auth;
GRANT UPDATE (last_seen_at) ON sessions TO enclave_auth;
GRANT UPDATE (last_used_at) ON api_tokens TO enclave_auth;
GRANT UPDATE (last_seen_at) ON operator_sessions TO enclave_auth;

-- Who signs in with this e-mail? One row at most: a user (with their organization) or an operator.
CREATE FUNCTION auth_find_login(p_email text)
  RETURNS TABLE (kind text, principal_id uuid, org_id uuid, password_hash text, user_status text, org_status text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $f$
    SELECT 'user', u.id, u.org_id, u.password_hash, u.status, o.status
      FROM users u JOIN organizations o ON o.org_id = u.org_id
     WHERE u.email = lower(p_email)
    UNION ALL
    SELECT 'operator', op.id, NULL::uuid, op.password_hash, 'active', NULL::text
      FROM operators op
     WHERE op.email = lower(p_email)
    LIMIT 1
  $f$;

-- The principal behind a session cookie, if the session is live; refreshes its idle clock at most
-- once a minute so that reads do not write on every request.
CREATE FUNCTION auth_resolve_session(p_token_hash bytea, p_idle_seconds integer)
  RETURNS TABLE (kind text, session_id uuid, principal_id uuid, org_id uuid, role text, email text, name text,
                 csrf_hash bytea, org_slug text, org_name text)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $f$
  DECLARE idle interval := make_interval(secs => p_idle_seconds);
  BEGIN
    RETURN QUERY
      SELECT 'user'::text, s.id, u.id, u.org_id, u.role, u.email, u.name, s.csrf_hash, o.slug, o.name
        FROM sessions s
        JOIN users u ON u.org_id = s.org_id AND u.id = s.user_id
        JOIN organizations o ON o.org_id = s.org_id
       WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL AND s.expires_at > now()
         AND s.last_seen_at > now() - idle AND u.status = 'active' AND o.status = 'active'
      UNION ALL
      SELECT 'operator'::text, s.id, op.id, NULL::uuid, 'operator'::text, op.email, op.name, s.csrf_hash, NULL::text, NULL::text
        FROM operator_sessions s JOIN operators op ON op.id = s.operator_id
       WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL AND s.expires_at > now()
         AND s.last_seen_at > now() - idle
      LIMIT 1;
    UPDATE sessions SET last_seen_at = now()
     WHERE token_hash = p_token_hash AND last_seen_at < now() - interval '60 seconds' AND revoked_at IS NULL;
    UPDATE operator_sessions SET last_seen_at = now()
     WHERE token_hash = p_token_hash AND last_seen_at < now() - interval '60 seconds' AND revoked_at IS NULL;
  END
  $f$;

-- The principal behind an API token, if it is live.
CREATE FUNCTION auth_resolve_token(p_token_hash bytea)
  RETURNS TABLE (token_id uuid, principal_id uuid, org_id uuid, role text, email text, name text, scopes text[],
                 org_slug text, org_name text)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $f$
  BEGIN
    RETURN QUERY
      SELECT t.id, u.id, u.org_id, u.role, u.email, u.name, t.scopes, o.slug, o.name
        FROM api_tokens t
        JOIN users u ON u.org_id = t.org_id AND u.id = t.user_id
        JOIN organizations o ON o.org_id = t.org_id
       WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL AND t.expires_at > now()
         AND u.status = 'active' AND o.status = 'active'
       LIMIT 1;
    UPDATE api_tokens SET last_used_at = now()
     WHERE token_hash = p_token_hash AND (last_used_at IS NULL OR last_used_at < now() - interval '60 seconds');
  END
  $f$;

-- The operator's view of the instance: names, slugs, status and user counts, never contents.
CREATE FUNCTION platform_list_orgs(p_after_slug text, p_limit integer)
  RETURNS TABLE (org_id uuid, name text, slug text, status text, user_count bigint, created_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $f$
    SELECT o.org_id, o.name, o.slug, o.status,
           (SELECT count(*) FROM users u WHERE u.org_id = o.org_id), o.created_at
      FROM organizations o
     WHERE p_after_slug IS NULL OR o.slug > p_after_slug
     ORDER BY o.slug
     LIMIT least(greatest(p_limit, 1), 501)
  $f$;

CREATE FUNCTION platform_find_org(p_org_id uuid)
  RETURNS TABLE (org_id uuid, name text, slug text, status text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $f$ SELECT o.org_id, o.name, o.slug, o.status FROM organizations o WHERE o.org_id = p_org_id $f$;

-- Resolve an organization's id from its slug (the CLI's audit:verify --org <slug>).
CREATE FUNCTION platform_org_id_by_slug(p_slug text) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $f$ SELECT o.org_id FROM organizations o WHERE o.slug = p_slug $f$;

DO $$
DECLARE f text;
BEGIN
  FOREACH f IN ARRAY ARRAY[
    'auth_find_login(text)', 'auth_resolve_session(bytea, integer)', 'auth_resolve_token(bytea)',
    'platform_list_orgs(text, integer)', 'platform_find_org(uuid)', 'platform_org_id_by_slug(text)'] LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO enclave_auth', f);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO enclave_runtime', f);
  END LOOP;
END $$;

-- ---------------------------------------------------------------- runtime grants
GRANT SELECT, INSERT, UPDATE ON organizations, users, sessions, api_tokens TO enclave_runtime;
GRANT SELECT, INSERT ON audit_events, platform_audit_events TO enclave_runtime;
GRANT INSERT, DELETE ON email_directory TO enclave_runtime;
GRANT SELECT, INSERT, UPDATE ON operator_sessions TO enclave_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON auth_throttle TO enclave_runtime;
GRANT EXECUTE ON FUNCTION app_current_org(), app_current_user() TO enclave_runtime, enclave_auth;
`;

const DOWN_SQL = /* sql */ `
DROP FUNCTION IF EXISTS platform_org_id_by_slug(text);
DROP FUNCTION IF EXISTS platform_find_org(uuid);
DROP FUNCTION IF EXISTS platform_list_orgs(text, integer);
DROP FUNCTION IF EXISTS auth_resolve_token(bytea);
DROP FUNCTION IF EXISTS auth_resolve_session(bytea, integer);
DROP FUNCTION IF EXISTS auth_find_login(text);
DROP TABLE IF EXISTS auth_throttle;
DROP TABLE IF EXISTS platform_audit_events;
DROP TABLE IF EXISTS operator_sessions;
DROP TABLE IF EXISTS operators;
DROP TABLE IF EXISTS email_directory;
DROP TABLE IF EXISTS audit_events;
DROP TABLE IF EXISTS api_tokens;
DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS users;
DROP TABLE IF EXISTS organizations;
DROP FUNCTION IF EXISTS audit_refuse_change();
DROP FUNCTION IF EXISTS app_current_user();
DROP FUNCTION IF EXISTS app_current_org();
`;

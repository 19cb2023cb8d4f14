import type { MigrationInterface, QueryRunner } from 'typeorm';
import { QUEUE_LEASE_NEXT_BEFORE } from './1764547200000-labelling';

/**
 * The request path without a tenant-wide lock, and with fewer round trips.
 *
 * **The audit log in lanes** (docs/security.md, "The audit log"). An organization's audit log was one hash chain:
 * every append of the organization took one advisory lock and held it to its commit, so under load the
 * lock, not the work, set the organization's request rate (docs/benchmarks.md, `queue`). The log is now
 * 16 chains, its lanes: each event belongs to one lane, where it is numbered (`seq`) and linked to the
 * event before it, and appends to different lanes never wait for each other. `pos` orders the whole
 * log for reading. Events written before this migration are lane 0, which continues from them.
 *
 * `audit_append` picks a lane and appends in one statement: it tries the lane of the event's actor
 * first (so one person's events mostly form one chain), then the next lanes, without waiting; only when
 * every lane is held does it wait for the first. It takes the lane's lock, reads its head and inserts,
 * so the lock is held for that call and the commit. Node still hashes the event's content (canonical
 * JSON, which it alone defines); the function links it: `hash = sha256(prev_hash ':' lane ':' seq ':'
 * content_hash)` (chain version 2). Older events keep their version-1 hash, `sha256(prev_hash ||
 * canonical(event))`, and the verifier checks each event by its own `chain_version`. The platform's
 * chain stays one chain (lane 0), and its appends go through the same function.
 *
 * SECURITY INVOKER: the caller's row-level security applies to the head it reads and the row it
 * inserts, exactly as to the statements it replaces.
 *
 * **The lease** (`queue_lease_next`) returns at most one row, and the API now joins the task to it in
 * the same statement. Declared with the default estimate of 1,000 rows, the
 * function made the planner hash-join it against a sequential scan of `tasks`; `ROWS 1` keeps the
 * joins on the primary keys.
 *
 * **The lease summary.** The tasks at the head of a busy queue are full: every slot leased to someone
 * who is still working. Each `next` walked past them, counting every one's live leases (measured with
 * pg_stat_statements: the candidate query was the costliest statement of the labelling loop). Each task
 * now carries `lease_count` and `lease_first_expiry`, the number of its lease rows and the earliest
 * expiry among them, kept exact by a trigger on `task_leases` that recounts the task's leases on every
 * change. The candidate query skips a task whose count leaves no room and none of whose leases can
 * have expired, and counts the live leases exactly as before for the rest: the summary only ever
 * spares work, it never decides. `tasks` gets a fill factor of 85 so that these updates stay HOT
 * (no new index entries) on the pages written from now on. The function's statements are planned
 * once per connection (`plan_cache_mode`), see there.
 */
export class RequestPath1764720000000 implements MigrationInterface {
  name = 'RequestPath1764720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(UP_SQL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(DOWN_SQL);
  }
}

/** queue_lease_next as of this migration: the candidate query reads the lease summary first. */
const QUEUE_LEASE_NEXT = /* sql */ `
CREATE OR REPLACE FUNCTION queue_lease_next(p_project uuid, p_overlap integer, p_lease_seconds integer, p_gold boolean, p_only_gold boolean,
                                 p_holding uuid DEFAULT NULL)
  RETURNS TABLE (task_id uuid, expires_at timestamptz, resumed boolean)
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, public, pg_temp
  -- Its statements keep one plan per connection: PostgreSQL's own choice re-planned the candidate
  -- query on every call (a custom plan), and under the row-level policies planning cost twice what
  -- running it did (pg_stat_statements, docs/benchmarks.md, rls). Every parameter here has the same
  -- shape of plan: the queue index in order, LIMIT 1.
  SET plan_cache_mode = force_generic_plan
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
       -- The lease summary passes over full tasks without counting their leases: only a task with room
       -- by its count, or with a lease that may have expired, is counted exactly below.
       AND (t.submitted_count + t.lease_count < p_overlap OR t.lease_first_expiry <= now())
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
-- Constant defaults: every existing event reads as version 1 in lane 0. The identity column rewrites the
-- table once (no trigger fires), numbering the existing events in the order they were written.
ALTER TABLE audit_events
  ADD COLUMN chain_version smallint NOT NULL DEFAULT 1 CHECK (chain_version IN (1, 2)),
  ADD COLUMN lane smallint NOT NULL DEFAULT 0 CHECK (lane BETWEEN 0 AND 15),
  ADD COLUMN pos bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE platform_audit_events
  ADD COLUMN chain_version smallint NOT NULL DEFAULT 1 CHECK (chain_version IN (1, 2));
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey, ADD PRIMARY KEY (org_id, lane, seq);
DROP INDEX audit_events_action_idx, audit_events_actor_idx;
CREATE UNIQUE INDEX audit_events_pos_idx ON audit_events (org_id, pos DESC);
CREATE INDEX audit_events_action_idx ON audit_events (org_id, action, pos DESC);
CREATE INDEX audit_events_actor_idx ON audit_events (org_id, actor_id, pos DESC);

CREATE FUNCTION audit_append(
  p_org uuid, p_id uuid, p_occurred_at timestamptz, p_actor_type text, p_actor_id uuid, p_action text,
  p_target_type text, p_target_id text, p_outcome text, p_ip text, p_user_agent text, p_request_id text,
  p_details jsonb, p_content_hash text)
  RETURNS TABLE (lane smallint, seq bigint, hash text)
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, public, pg_temp
AS $f$
DECLARE
  c_lanes CONSTANT integer := 16;
  v_start integer;
  v_lane integer;
  v_seq bigint;
  v_prev text;
  v_hash text;
BEGIN
  IF p_content_hash IS NULL OR p_content_hash !~ '^[0-9a-f]{64}$' THEN
    RAISE EXCEPTION 'audit_append: the content hash must be 64 hex digits' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_org IS NULL THEN
    v_lane := 0;
    PERFORM pg_advisory_xact_lock(7077101, 0);
    SELECT e.seq, e.hash INTO v_seq, v_prev FROM platform_audit_events e ORDER BY e.seq DESC LIMIT 1;
  ELSE
    v_start := abs(hashtext(coalesce(p_actor_id::text, p_actor_type)) % c_lanes);
    FOR i IN 0 .. c_lanes - 1 LOOP
      IF pg_try_advisory_xact_lock(7077100, hashtext(p_org::text || '/' || ((v_start + i) % c_lanes)::text)) THEN
        v_lane := (v_start + i) % c_lanes;
        EXIT;
      END IF;
    END LOOP;
    IF v_lane IS NULL THEN
      v_lane := v_start;
      PERFORM pg_advisory_xact_lock(7077100, hashtext(p_org::text || '/' || v_lane::text));
    END IF;
    SELECT e.seq, e.hash INTO v_seq, v_prev FROM audit_events e
     WHERE e.org_id = p_org AND e.lane = v_lane ORDER BY e.seq DESC LIMIT 1;
  END IF;
  v_seq := coalesce(v_seq, 0) + 1;
  v_prev := coalesce(v_prev, repeat('0', 64));
  v_hash := encode(sha256(convert_to(v_prev || ':' || v_lane::text || ':' || v_seq::text || ':' || p_content_hash, 'UTF8')), 'hex');
  IF p_org IS NULL THEN
    INSERT INTO platform_audit_events (seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id, outcome,
                                       ip, user_agent, request_id, details, prev_hash, hash, chain_version)
    VALUES (v_seq, p_id, p_occurred_at, p_actor_type, p_actor_id, p_action, p_target_type, p_target_id, p_outcome,
            p_ip, p_user_agent, p_request_id, p_details, v_prev, v_hash, 2);
  ELSE
    INSERT INTO audit_events (org_id, lane, seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id,
                              outcome, ip, user_agent, request_id, details, prev_hash, hash, chain_version)
    VALUES (p_org, v_lane, v_seq, p_id, p_occurred_at, p_actor_type, p_actor_id, p_action, p_target_type, p_target_id,
            p_outcome, p_ip, p_user_agent, p_request_id, p_details, v_prev, v_hash, 2);
  END IF;
  RETURN QUERY SELECT v_lane::smallint, v_seq, v_hash;
END $f$;

REVOKE ALL ON FUNCTION audit_append(uuid, uuid, timestamptz, text, uuid, text, text, text, text, text, text, text, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_append(uuid, uuid, timestamptz, text, uuid, text, text, text, text, text, text, text, jsonb, text)
  TO enclave_runtime;

-- The lease summary: the rows of task_leases per task and their earliest expiry, recounted on every change.
ALTER TABLE tasks
  ADD COLUMN lease_count integer NOT NULL DEFAULT 0,
  ADD COLUMN lease_first_expiry timestamptz;
ALTER TABLE tasks SET (fillfactor = 85);
UPDATE tasks t SET lease_count = s.n, lease_first_expiry = s.first_expiry
  FROM (SELECT org_id, task_id, count(*)::integer AS n, min(expires_at) AS first_expiry FROM task_leases GROUP BY org_id, task_id) s
 WHERE t.org_id = s.org_id AND t.id = s.task_id;

-- SECURITY INVOKER: it runs as whoever changed the lease, under their row-level security, and every
-- writer of task_leases may see the task's leases and update the task (the membership policies).
CREATE FUNCTION task_leases_summarise() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, public, pg_temp
AS $f$
DECLARE
  r record;
BEGIN
  r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  UPDATE tasks t
     SET (lease_count, lease_first_expiry) =
         (SELECT count(*)::integer, min(l.expires_at) FROM task_leases l WHERE l.org_id = r.org_id AND l.task_id = r.task_id)
   WHERE t.org_id = r.org_id AND t.id = r.task_id;
  IF TG_OP = 'UPDATE' AND (OLD.org_id, OLD.task_id) IS DISTINCT FROM (NEW.org_id, NEW.task_id) THEN
    UPDATE tasks t
       SET (lease_count, lease_first_expiry) =
           (SELECT count(*)::integer, min(l.expires_at) FROM task_leases l WHERE l.org_id = OLD.org_id AND l.task_id = OLD.task_id)
     WHERE t.org_id = OLD.org_id AND t.id = OLD.task_id;
  END IF;
  RETURN NULL;
END $f$;
CREATE TRIGGER task_leases_summary AFTER INSERT OR UPDATE OR DELETE ON task_leases
  FOR EACH ROW EXECUTE FUNCTION task_leases_summarise();

${QUEUE_LEASE_NEXT}

ALTER FUNCTION queue_lease_next(uuid, integer, integer, boolean, boolean, uuid) ROWS 1;
`;

const DOWN_SQL = /* sql */ `
${QUEUE_LEASE_NEXT_BEFORE}
ALTER FUNCTION queue_lease_next(uuid, integer, integer, boolean, boolean, uuid) ROWS 1000;
DROP TRIGGER task_leases_summary ON task_leases;
DROP FUNCTION task_leases_summarise();
ALTER TABLE tasks RESET (fillfactor);
ALTER TABLE tasks DROP COLUMN lease_first_expiry, DROP COLUMN lease_count;
DROP FUNCTION audit_append(uuid, uuid, timestamptz, text, uuid, text, text, text, text, text, text, text, jsonb, text);
DROP INDEX audit_events_actor_idx, audit_events_action_idx, audit_events_pos_idx;
CREATE INDEX audit_events_action_idx ON audit_events (org_id, action, seq DESC);
CREATE INDEX audit_events_actor_idx ON audit_events (org_id, actor_id, seq DESC);
-- Fails, as it should, once a lane other than 0 holds events: one chain cannot hold them.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey, ADD PRIMARY KEY (org_id, seq);
ALTER TABLE platform_audit_events DROP COLUMN chain_version;
ALTER TABLE audit_events DROP COLUMN pos, DROP COLUMN lane, DROP COLUMN chain_version;
`;

import type { MigrationInterface, QueryRunner } from 'typeorm';

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
 * **The lease** (`queue_lease_next`) returns at most one row, and the API now joins the task and the
 * caller's draft to it in the same statement. Declared with the default estimate of 1,000 rows, the
 * function made the planner hash-join it against a sequential scan of `tasks`; `ROWS 1` keeps the
 * joins on the primary keys.
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

ALTER FUNCTION queue_lease_next(uuid, integer, integer, boolean, boolean, uuid) ROWS 1;
`;

const DOWN_SQL = /* sql */ `
ALTER FUNCTION queue_lease_next(uuid, integer, integer, boolean, boolean, uuid) ROWS 1000;
DROP FUNCTION audit_append(uuid, uuid, timestamptz, text, uuid, text, text, text, text, text, text, text, jsonb, text);
DROP INDEX audit_events_actor_idx, audit_events_action_idx, audit_events_pos_idx;
CREATE INDEX audit_events_action_idx ON audit_events (org_id, action, seq DESC);
CREATE INDEX audit_events_actor_idx ON audit_events (org_id, actor_id, seq DESC);
-- Fails, as it should, once a lane other than 0 holds events: one chain cannot hold them.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey, ADD PRIMARY KEY (org_id, seq);
ALTER TABLE platform_audit_events DROP COLUMN chain_version;
ALTER TABLE audit_events DROP COLUMN pos, DROP COLUMN lane, DROP COLUMN chain_version;
`;

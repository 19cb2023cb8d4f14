import type { QuestionType } from './label-config';
import type { AnnotationStatus, AnnotatorStats } from './labelling';

/**
 * `GET /api/v1/projects/:id/stats`: progress, agreement per question and each annotator's work, for the
 * project's managers (and owners, admins). docs/stats.md defines every member and how it is computed.
 *
 * Only annotations that count are measured (status submitted or accepted: not drafts, not rejected).
 * Gold tasks are left out of progress, the timeline and agreement; they score the annotators.
 */
export interface ProjectStatsView {
  projectId: string;
  /** The label configuration version whose questions are measured. */
  configVersion: number;
  /** When the figures were read (ISO 8601). */
  computedAt: string;
  progress: ProjectProgress;
  /** The last 30 UTC days, oldest first, today last; days without work are there with zeros. */
  timeline: TimelineDay[];
  /** One entry per question of the current configuration, in its order. */
  questions: QuestionAgreement[];
  /** Members who label (annotators, reviewers) and anyone else with work in the project. */
  annotators: AnnotatorStats[];
  /** At most this many items are compared for span, box and ranking questions (see `sampled`). */
  sampleLimit: number;
}

export interface ProjectProgress {
  /** Real tasks (not gold). */
  tasks: number;
  /** Real tasks with `overlap` counted annotations. */
  completed: number;
  open: number;
  /** Gold tasks, outside progress. */
  gold: number;
  /** Annotators wanted per task. */
  overlap: number;
  /** Annotations of real tasks, by status. */
  annotations: Record<AnnotationStatus, number>;
  /** Skips of real tasks (one per task and annotator). */
  skipped: number;
  /** `completed / tasks × 100`; null for a project without tasks. */
  percentComplete: number | null;
}

export interface TimelineDay {
  /** `YYYY-MM-DD`, a UTC day. */
  day: string;
  /** Counted annotations of real tasks first submitted that day. */
  submitted: number;
  /** Real tasks completed that day: the day of the last counted annotation of each completed task. */
  completedTasks: number;
}

/**
 * Agreement between annotators on one question, over real tasks answered by two or more of them. A
 * metric that does not apply to the question's type is null; so is one that is undefined on the data
 * (no items compared, or every answer the same label), and the page then says "not enough data".
 *
 * - single_choice, pairwise: `fleissKappa`, `krippendorffAlpha` (nominal), `cohensKappa`.
 * - multi_choice: the same, with each option of each item a yes/no decision (per-option binary).
 * - rating: `krippendorffAlpha` (interval).
 * - spans: `spanF1`; bboxes: `boxF1`; ranking: `kendallTau` — pairwise between annotators.
 * - text: nothing.
 */
export interface QuestionAgreement {
  name: string;
  type: QuestionType;
  /** Items compared: real tasks with two or more answers to this question. */
  items: number;
  /** The answers on those items. */
  answers: number;
  /** The distinct annotators who gave them. */
  annotators: number;
  /** Only when exactly two annotators gave every answer compared; null otherwise. */
  cohensKappa: number | null;
  fleissKappa: number | null;
  krippendorffAlpha: number | null;
  /** The level `krippendorffAlpha` is computed at; null when it does not apply. */
  alphaLevel: 'nominal' | 'interval' | null;
  /** Micro-averaged F1 over every pair of annotators of every item (exact spans). */
  spanF1: number | null;
  /** Micro-averaged F1 over every pair of annotators of every item (same label, IoU ≥ 0.5). */
  boxF1: number | null;
  /** Mean Kendall's tau over every pair of annotators of every item. */
  kendallTau: number | null;
  /** True when only the `sampleLimit` most recently imported items were compared (spans, bboxes, ranking). */
  sampled: boolean;
}

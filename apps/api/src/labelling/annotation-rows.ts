import type { AnnotationStatus, AnnotationView, ReviewView, RevisionView, ReviewVerdict } from '@enclave/contracts';

/** Row shapes of the labelling tables and their API views, shared by the queue, annotation and review services. */
export interface AnnotationRow {
  id: string;
  project_id: string;
  task_id: string;
  user_id: string;
  status: AnnotationStatus;
  result: Record<string, unknown>;
  config_version: number;
  revision: number;
  lead_time_ms: number | null;
  is_gold: boolean;
  needs_review: boolean;
  review_holder: string | null;
  review_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
  submitted_at: Date | null;
}

export const ANNOTATION_COLUMNS = `id, project_id, task_id, user_id, status, result, config_version, revision, lead_time_ms,
  is_gold, needs_review, review_holder, review_expires_at, created_at, updated_at, submitted_at`;

export function annotationView(r: AnnotationRow): AnnotationView {
  return {
    id: r.id,
    taskId: r.task_id,
    projectId: r.project_id,
    userId: r.user_id,
    status: r.status,
    result: r.result,
    revision: r.revision,
    configVersion: r.config_version,
    leadTimeMs: r.lead_time_ms,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    submittedAt: r.submitted_at?.toISOString() ?? null,
  };
}

export interface RevisionRow {
  annotation_id: string;
  revision: number;
  kind: 'submission' | 'correction';
  author_id: string;
  result: Record<string, unknown>;
  config_version: number;
  lead_time_ms: number | null;
  created_at: Date;
}

export function revisionView(r: RevisionRow): RevisionView {
  return {
    revision: r.revision,
    kind: r.kind,
    authorId: r.author_id,
    result: r.result,
    configVersion: r.config_version,
    leadTimeMs: r.lead_time_ms,
    createdAt: r.created_at.toISOString(),
  };
}

export interface ReviewRow {
  id: string;
  annotation_id: string;
  reviewer_id: string;
  verdict: ReviewVerdict;
  comment: string | null;
  corrected_revision: number | null;
  created_at: Date;
}

export function reviewView(r: ReviewRow): ReviewView {
  return {
    id: r.id,
    reviewerId: r.reviewer_id,
    verdict: r.verdict,
    comment: r.comment,
    correctedRevision: r.corrected_revision,
    createdAt: r.created_at.toISOString(),
  };
}

/** The task columns the labelling services read, locked or not. */
export interface TaskRow {
  id: string;
  project_id: string;
  data: Record<string, unknown>;
  gold_answer: Record<string, unknown> | null;
  status: 'open' | 'completed';
  submitted_count: number;
}

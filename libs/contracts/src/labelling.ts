import { z } from 'zod';
import type { OrgRole } from './roles';
import type { ProjectRole } from './projects';

/** States of one annotator's annotation of one task. */
export const ANNOTATION_STATUSES = ['draft', 'submitted', 'accepted', 'rejected'] as const;
export type AnnotationStatus = (typeof ANNOTATION_STATUSES)[number];

export const REVIEW_VERDICTS = ['accept', 'reject'] as const;
export type ReviewVerdict = (typeof REVIEW_VERDICTS)[number];

/** What the queue hands an annotator: the task's id and data only, the same for gold and real tasks. */
export interface QueueTask {
  id: string;
  data: Record<string, unknown>;
}

export interface LeaseView {
  expiresAt: string;
}

export interface DraftView {
  result: Record<string, unknown>;
  updatedAt: string;
}

/** `POST /projects/:id/queue/next` → 200; 204 when nothing is left for the caller. */
export interface QueueNextResponse {
  task: QueueTask;
  lease: LeaseView;
  draft: DraftView | null;
}

/**
 * `next` takes an optional `holding`: the task the caller has on screen. The answer is then another
 * task, leased as well, to show the moment the current one is submitted (at most two per person).
 */
export const queueNextSchema = z.strictObject({
  holding: z.uuid({ message: 'must be a task id' }).optional(),
});
export type QueueNextInput = z.infer<typeof queueNextSchema>;

export const saveAnnotationSchema = z.strictObject({
  result: z.record(z.string(), z.unknown()),
  status: z.enum(['draft', 'submitted']),
  leadTimeMs: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600 * 1000)
    .optional(),
});
export type SaveAnnotationInput = z.infer<typeof saveAnnotationSchema>;

export const skipTaskSchema = z.strictObject({
  reason: z.string().trim().max(1000).optional(),
});
export type SkipTaskInput = z.infer<typeof skipTaskSchema>;

export interface RevisionView {
  revision: number;
  kind: 'submission' | 'correction';
  authorId: string;
  result: Record<string, unknown>;
  configVersion: number;
  leadTimeMs: number | null;
  createdAt: string;
}

export interface ReviewView {
  id: string;
  reviewerId: string;
  verdict: ReviewVerdict;
  comment: string | null;
  correctedRevision: number | null;
  createdAt: string;
}

export interface AnnotationView {
  id: string;
  taskId: string;
  projectId: string;
  userId: string;
  status: AnnotationStatus;
  result: Record<string, unknown>;
  /** The number of submitted revisions; 0 for a draft never submitted. */
  revision: number;
  configVersion: number;
  leadTimeMs: number | null;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  /** On `GET /tasks/:id/annotations` only. */
  revisions?: RevisionView[];
  reviews?: ReviewView[];
}

export const reviewSchema = z
  .strictObject({
    verdict: z.enum(REVIEW_VERDICTS),
    comment: z.string().trim().max(5000).optional(),
    correctedResult: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.verdict === 'reject' && !b.comment) {
      ctx.addIssue({ code: 'custom', path: ['comment'], message: 'a rejection needs a comment for the annotator' });
    }
    if (b.verdict === 'reject' && b.correctedResult !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['correctedResult'], message: 'a correction accepts the annotation: use verdict "accept"' });
    }
  });
export type ReviewInput = z.infer<typeof reviewSchema>;

/** `POST /projects/:id/review/next` → 200; 204 when nothing waits for the caller. */
export interface ReviewNextResponse {
  annotation: AnnotationView;
  task: QueueTask;
  review: { expiresAt: string };
}

export const EXPORT_FORMATS = ['jsonl', 'json', 'csv', 'coco', 'conll', 'preference'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const EXPORT_STATUSES = ['submitted', 'accepted', 'all'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

export const exportQuerySchema = z.strictObject({
  format: z.enum(EXPORT_FORMATS).default('jsonl'),
  status: z.enum(EXPORT_STATUSES).default('submitted'),
  /** Real annotator identities instead of per-project pseudonyms: admins and owners only, audited. */
  identities: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});
export type ExportQuery = z.infer<typeof exportQuerySchema>;

/**
 * Where an annotator stands with a project's qualification (null on the statistics page when the project
 * requires none): `qualifying` until they have answered the required number of gold tasks, then the
 * recorded decision. `answered` and `accuracy` are the gold tasks scored so far and their mean score
 * (0..1), or, once decided, the figures the decision was taken on.
 */
export interface QualificationView {
  status: 'qualifying' | 'passed' | 'failed';
  answered: number;
  accuracy: number | null;
}

/**
 * One person's work in a project (`GET /projects/:id/stats`). Everything but the gold figures counts
 * real tasks only; docs/stats.md defines each member.
 */
export interface AnnotatorStats {
  userId: string;
  name: string;
  orgRole: OrgRole;
  /** Their role in the project now; null when they are no longer a member. */
  projectRole: ProjectRole | null;
  /** Annotations that count: submitted and not rejected (status submitted or accepted). */
  submitted: number;
  /** Of those, accepted by a reviewer. */
  accepted: number;
  /** Rejected by a reviewer (not in `submitted`). */
  rejected: number;
  /** Saved, not yet submitted. */
  drafts: number;
  skipped: number;
  /** Median of the lead times reported with the counted annotations; null when none reported one. */
  medianLeadTimeMs: number | null;
  lastSubmittedAt: string | null;
  /** Gold tasks answered and scored, and the mean score (0..1). */
  goldAnswered: number;
  goldAccuracy: number | null;
  /**
   * Share of their single-choice and pairwise answers that equal the majority of the other annotators of
   * the same item (leave-one-out); null when none could be compared.
   */
  agreementWithMajority: number | null;
  /** The answers that share is taken over: those on items where the others had a strict majority. */
  comparedWithMajority: number;
  qualification: QualificationView | null;
}

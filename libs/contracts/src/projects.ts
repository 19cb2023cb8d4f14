import { z } from 'zod';
import { labelConfigSchema, type LabelConfig } from './label-config';
import { listQuerySchema } from './schemas';
import type { OrgRole } from './roles';

/** A member's role inside one project. It never exceeds their role in the organization. */
export const PROJECT_ROLES = ['annotator', 'reviewer', 'manager'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

export const REVIEW_MODES = ['none', 'all', 'sample'] as const;
export type ReviewMode = (typeof REVIEW_MODES)[number];

export const PROJECT_STATUSES = ['active', 'archived'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

/** Task states a manager can filter on. */
export const TASK_STATUSES = ['open', 'completed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const DEFAULT_LEASE_SECONDS = 900;
export const DEFAULT_OVERLAP = 1;

/** The highest project role a user of an organization role may hold. */
export function maxProjectRole(orgRole: OrgRole): ProjectRole {
  if (orgRole === 'annotator') return 'annotator';
  if (orgRole === 'reviewer') return 'reviewer';
  return 'manager';
}

const PROJECT_ROLE_RANK: Record<ProjectRole, number> = { annotator: 1, reviewer: 2, manager: 3 };
export function projectRoleAllowed(orgRole: OrgRole, role: ProjectRole): boolean {
  return PROJECT_ROLE_RANK[role] <= PROJECT_ROLE_RANK[maxProjectRole(orgRole)];
}

const nameSchema = z.string().trim().min(1, { message: 'must not be empty' }).max(200);
const settingsShape = {
  name: nameSchema,
  description: z.string().max(5000),
  instructions: z.string().max(100_000),
  overlap: z.number().int().min(1).max(50),
  leaseSeconds: z.number().int().min(30).max(86_400),
  reviewMode: z.enum(REVIEW_MODES),
  reviewSamplePercent: z.number().int().min(1).max(99).nullable(),
  goldPercent: z.number().int().min(0).max(100),
  qualification: z
    .strictObject({
      tasks: z.number().int().min(1).max(100),
      minAccuracy: z.number().min(0).max(1),
    })
    .nullable(),
};

/** `reviewSamplePercent` belongs to the `sample` mode and to no other. */
function checkReviewSample(b: { reviewMode?: ReviewMode; reviewSamplePercent?: number | null }, ctx: z.RefinementCtx) {
  if (b.reviewMode === 'sample' && (b.reviewSamplePercent === undefined || b.reviewSamplePercent === null)) {
    ctx.addIssue({ code: 'custom', path: ['reviewSamplePercent'], message: 'required when reviewMode is "sample"' });
  }
  if (b.reviewMode !== undefined && b.reviewMode !== 'sample' && typeof b.reviewSamplePercent === 'number') {
    ctx.addIssue({ code: 'custom', path: ['reviewSamplePercent'], message: 'only allowed when reviewMode is "sample"' });
  }
}

/**
 * A new project: a label configuration written out, or the id of a template (with its sample data if
 * asked). Everything else has a default.
 */
export const createProjectSchema = z
  .strictObject({
    name: settingsShape.name,
    description: settingsShape.description.optional(),
    instructions: settingsShape.instructions.optional(),
    labelConfig: labelConfigSchema.optional(),
    template: z.string().regex(/^[a-z0-9-]{1,64}$/, { message: 'must be a template id such as "named-entities"' }).optional(),
    includeSampleData: z.boolean().optional(),
    overlap: settingsShape.overlap.optional(),
    leaseSeconds: settingsShape.leaseSeconds.optional(),
    reviewMode: settingsShape.reviewMode.optional(),
    reviewSamplePercent: settingsShape.reviewSamplePercent.optional(),
    goldPercent: settingsShape.goldPercent.optional(),
    qualification: settingsShape.qualification.optional(),
  })
  .superRefine((b, ctx) => {
    if ((b.labelConfig === undefined) === (b.template === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['labelConfig'], message: 'give either labelConfig or template, not both or neither' });
    }
    if (b.includeSampleData && b.template === undefined) {
      ctx.addIssue({ code: 'custom', path: ['includeSampleData'], message: 'sample data comes with a template' });
    }
    checkReviewSample(b, ctx);
  });
export type CreateProjectInput = z.infer<typeof createProjectSchema>;

/**
 * Settings changes. A label configuration change that could invalidate existing annotations (a
 * removed option or question, a narrowed range) is refused with 409 unless `confirmBreakingChanges`.
 */
export const updateProjectSchema = z
  .strictObject({
    name: settingsShape.name.optional(),
    description: settingsShape.description.optional(),
    instructions: settingsShape.instructions.optional(),
    labelConfig: labelConfigSchema.optional(),
    confirmBreakingChanges: z.boolean().optional(),
    overlap: settingsShape.overlap.optional(),
    leaseSeconds: settingsShape.leaseSeconds.optional(),
    reviewMode: settingsShape.reviewMode.optional(),
    reviewSamplePercent: settingsShape.reviewSamplePercent.optional(),
    goldPercent: settingsShape.goldPercent.optional(),
    qualification: settingsShape.qualification.optional(),
  })
  .superRefine((b, ctx) => {
    const changes = Object.keys(b).filter((k) => k !== 'confirmBreakingChanges');
    if (changes.length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'give at least one setting to change' });
    checkReviewSample(b, ctx);
  });
export type UpdateProjectInput = z.infer<typeof updateProjectSchema>;

export const listProjectsQuerySchema = listQuerySchema.extend({
  status: z.enum([...PROJECT_STATUSES, 'all']).default('active'),
});
export type ListProjectsQuery = z.infer<typeof listProjectsQuerySchema>;

export const putMemberSchema = z.strictObject({ role: z.enum(PROJECT_ROLES) });
export type PutMemberInput = z.infer<typeof putMemberSchema>;

export const listTasksQuerySchema = listQuerySchema.extend({
  status: z.enum(TASK_STATUSES).optional(),
});
export type ListTasksQuery = z.infer<typeof listTasksQuerySchema>;

export interface TaskCounts {
  total: number;
  open: number;
  completed: number;
}

export interface ProjectView {
  id: string;
  name: string;
  description: string;
  instructions: string;
  /** The instructions rendered from markdown, safe to insert as HTML (no raw HTML, no script URLs). */
  instructionsHtml: string;
  labelConfig: LabelConfig;
  configVersion: number;
  overlap: number;
  leaseSeconds: number;
  reviewMode: ReviewMode;
  reviewSamplePercent: number | null;
  /** The share (percent) of an annotator's tasks that are gold, while gold remains for them. */
  goldPercent: number;
  /** Gold tasks an annotator must answer, at this accuracy, before real tasks flow; null: none. */
  qualification: { tasks: number; minAccuracy: number } | null;
  templateId: string | null;
  status: ProjectStatus;
  /** The caller's role in the project; null for an owner or admin who is not a member. */
  myRole: ProjectRole | null;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
  /** On single reads only. */
  taskCounts?: TaskCounts;
}

export interface ProjectMemberView {
  userId: string;
  name: string;
  email: string;
  orgRole: OrgRole;
  role: ProjectRole;
  addedAt: string;
}

export interface TaskView {
  id: string;
  externalId: string | null;
  data: Record<string, unknown>;
  priority: number;
  gold: boolean;
  goldAnswer: Record<string, unknown> | null;
  status: TaskStatus;
  createdAt: string;
}

export interface TaskPage {
  items: TaskView[];
  nextCursor: string | null;
  counts: TaskCounts;
}

export interface ImportResult {
  imported: number;
}

export interface AssetView {
  id: string;
  mediaType: string;
  width: number;
  height: number;
  byteSize: number;
  sha256: string;
}

export interface TemplateView {
  id: string;
  name: string;
  description: string;
  labelConfig: LabelConfig;
  sampleSize: number;
}

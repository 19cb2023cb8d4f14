import type { AnnotationStatus, LabelConfig, LabelQuestion, ReviewVerdict } from '@enclave/contracts';

/**
 * One exported task with its annotations: the shape of a line of the `jsonl` export and of an element
 * of the `json` export. The server builds it in SQL (docs/export.md) and every other format is derived
 * from it by the writers of this folder.
 */
export interface ExportRecord {
  id: string;
  externalId: string | null;
  data: Record<string, unknown>;
  priority: number;
  /** The known answer of a gold task; null for every other task. */
  gold: unknown;
  annotations: ExportAnnotation[];
  /** COCO only: the image assets of the task's image fields, keyed by field name. */
  images?: Record<string, ExportImage>;
}

/** A person, when an admin asked for real identities. */
export interface ExportPerson {
  id: string;
  email: string;
  name: string;
}

export interface ExportAnnotation {
  id: string;
  /** The annotator's pseudonym in this project (`annotator-` and 12 hex digits). */
  annotator: string;
  /** Present only in an export with identities. */
  annotatorIdentity?: ExportPerson;
  status: AnnotationStatus;
  /** The latest result: the annotator's last submission, or a reviewer's correction of it. */
  result: Record<string, unknown>;
  configVersion: number;
  leadTimeMs: number | null;
  createdAt: string;
  submittedAt: string | null;
  /** The latest review, if any. */
  review: ExportReview | null;
}

export interface ExportReview {
  verdict: ReviewVerdict;
  comment: string | null;
  /** The reviewer's pseudonym in this project (the same one they have as an annotator). */
  reviewer: string;
  reviewerIdentity?: ExportPerson;
  reviewedAt: string;
}

export interface ExportImage {
  assetId: string;
  width: number;
  height: number;
  mediaType: string;
}

/** What every writer needs besides the records. */
export interface ExportContext {
  /**
   * Every configuration the project had, newest first (the current one first). Annotations made under
   * an older version may answer questions, or use labels, that the current one no longer has.
   */
  configs: LabelConfig[];
  /** Whether the records carry real identities (`annotatorIdentity`, `reviewerIdentity`). */
  identities: boolean;
}

/** How an annotator is named in the formats that have one place for it: e-mail with identities, else the pseudonym. */
export function annotatorName(a: ExportAnnotation): string {
  return a.annotatorIdentity?.email ?? a.annotator;
}

/**
 * The questions of every configuration version, the current version's first and in its order, then
 * the ones only older versions had (newest first). A question that kept its name but changed its type
 * is taken as the newest version has it.
 */
export function exportQuestions(configs: readonly LabelConfig[]): LabelQuestion[] {
  const byName = new Map<string, LabelQuestion>();
  for (const config of configs) {
    for (const q of config.questions) if (!byName.has(q.name)) byName.set(q.name, q);
  }
  return [...byName.values()];
}

/**
 * The labels of each question of a given type across every version, current order first, then the
 * labels that only older versions had: old annotations may use a label since removed.
 */
export function labelsAcrossVersions(
  configs: readonly LabelConfig[],
  type: 'spans' | 'bboxes',
): Map<string, { field: string; labels: string[] }> {
  const out = new Map<string, { field: string; labels: string[] }>();
  for (const config of configs) {
    for (const q of config.questions) {
      if (q.type !== type) continue;
      const entry = out.get(q.name);
      if (!entry) out.set(q.name, { field: q.field, labels: [...q.labels] });
      else for (const l of q.labels) if (!entry.labels.includes(l)) entry.labels.push(l);
    }
  }
  return out;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own property only: data and results come from users, and `constructor` is not theirs. */
export function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

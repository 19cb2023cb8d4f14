import {
  DEFAULT_LEASE_SECONDS,
  DEFAULT_OVERLAP,
  type ProjectView,
  type ReviewMode,
  type UpdateProjectInput,
} from '@enclave/contracts';

/**
 * The work-flow settings as the form holds them (text, as typed) and as the API takes them. Numbers are
 * checked here with messages in the form's own units (minutes, percent); the API checks them again.
 */
export interface SettingsDraft {
  name: string;
  description: string;
  instructions: string;
  overlap: string;
  leaseMinutes: string;
  reviewMode: ReviewMode;
  reviewSamplePercent: string;
  goldPercent: string;
  qualification: boolean;
  qualificationTasks: string;
  qualificationAccuracyPercent: string;
}

export interface SettingsValues {
  name: string;
  description: string;
  instructions: string;
  overlap: number;
  leaseSeconds: number;
  reviewMode: ReviewMode;
  reviewSamplePercent: number | null;
  goldPercent: number;
  qualification: { tasks: number; minAccuracy: number } | null;
}

export type SettingsErrors = Partial<Record<keyof SettingsDraft, string>>;

const DEFAULT_GOLD_PERCENT = 10;

function round(n: number, digits = 0): string {
  const f = 10 ** digits;
  return String(Math.round(n * f) / f);
}

export function draftFromProject(p: ProjectView | null): SettingsDraft {
  return {
    name: p?.name ?? '',
    description: p?.description ?? '',
    instructions: p?.instructions ?? '',
    overlap: String(p?.overlap ?? DEFAULT_OVERLAP),
    leaseMinutes: round((p?.leaseSeconds ?? DEFAULT_LEASE_SECONDS) / 60, 1),
    reviewMode: p?.reviewMode ?? 'none',
    reviewSamplePercent: String(p?.reviewSamplePercent ?? 20),
    goldPercent: String(p?.goldPercent ?? DEFAULT_GOLD_PERCENT),
    qualification: Boolean(p?.qualification),
    qualificationTasks: String(p?.qualification?.tasks ?? 5),
    qualificationAccuracyPercent: round((p?.qualification?.minAccuracy ?? 0.8) * 100, 1),
  };
}

function number(
  text: string,
  { min, max, integer, what }: { min: number; max: number; integer: boolean; what: string },
): number | string {
  const t = text.trim();
  if (t === '') return `Enter ${what}.`;
  const n = Number(t);
  if (!Number.isFinite(n)) return `Enter ${what} as a number.`;
  if (integer && !Number.isInteger(n)) return `Enter ${what} as a whole number.`;
  if (n < min || n > max) return `Enter ${what} from ${min} to ${max}.`;
  return n;
}

/** The values to send, or a message per field. */
export function settingsValues(
  draft: SettingsDraft,
): { ok: true; values: SettingsValues } | { ok: false; errors: SettingsErrors } {
  const errors: SettingsErrors = {};
  const take = (key: keyof SettingsDraft, r: number | string): number => {
    if (typeof r === 'string') {
      errors[key] = r;
      return 0;
    }
    return r;
  };
  const name = draft.name.trim();
  if (!name) errors.name = 'Give the project a name.';
  else if (name.length > 200) errors.name = 'Keep the name to 200 characters.';
  if (draft.description.length > 5000) errors.description = 'Keep the description to 5,000 characters.';
  if (draft.instructions.length > 100_000)
    errors.instructions = 'Keep the instructions to 100,000 characters.';
  const overlap = take(
    'overlap',
    number(draft.overlap, { min: 1, max: 50, integer: true, what: 'the annotators per task' }),
  );
  const leaseMinutes = take(
    'leaseMinutes',
    number(draft.leaseMinutes, { min: 0.5, max: 1440, integer: false, what: 'the lease length in minutes' }),
  );
  const sample =
    draft.reviewMode === 'sample'
      ? take(
          'reviewSamplePercent',
          number(draft.reviewSamplePercent, { min: 1, max: 99, integer: true, what: 'the share to review' }),
        )
      : null;
  const goldPercent = take(
    'goldPercent',
    number(draft.goldPercent, { min: 0, max: 100, integer: true, what: 'the share of gold tasks' }),
  );
  let qualification: SettingsValues['qualification'] = null;
  if (draft.qualification) {
    const tasks = take(
      'qualificationTasks',
      number(draft.qualificationTasks, { min: 1, max: 100, integer: true, what: 'the number of gold tasks' }),
    );
    const accuracy = take(
      'qualificationAccuracyPercent',
      number(draft.qualificationAccuracyPercent, { min: 0, max: 100, integer: false, what: 'the accuracy' }),
    );
    qualification = { tasks, minAccuracy: Math.round(accuracy * 10) / 1000 };
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    values: {
      name,
      description: draft.description,
      instructions: draft.instructions,
      overlap,
      leaseSeconds: Math.round(leaseMinutes * 60),
      reviewMode: draft.reviewMode,
      reviewSamplePercent: sample,
      goldPercent,
      qualification,
    },
  };
}

/** Only what changed, so a save never rewrites a setting someone else changed meanwhile. */
export function settingsPatch(values: SettingsValues, project: ProjectView): UpdateProjectInput {
  const patch: UpdateProjectInput = {};
  if (values.name !== project.name) patch.name = values.name;
  if (values.description !== project.description) patch.description = values.description;
  if (values.instructions !== project.instructions) patch.instructions = values.instructions;
  if (values.overlap !== project.overlap) patch.overlap = values.overlap;
  if (values.leaseSeconds !== project.leaseSeconds) patch.leaseSeconds = values.leaseSeconds;
  if (
    values.reviewMode !== project.reviewMode ||
    values.reviewSamplePercent !== project.reviewSamplePercent
  ) {
    patch.reviewMode = values.reviewMode;
    if (values.reviewMode === 'sample') patch.reviewSamplePercent = values.reviewSamplePercent;
  }
  if (values.goldPercent !== project.goldPercent) patch.goldPercent = values.goldPercent;
  if (JSON.stringify(values.qualification) !== JSON.stringify(project.qualification)) {
    patch.qualification = values.qualification;
  }
  return patch;
}

/** Where the API's field paths show up in this form. */
export const API_FIELD_TO_DRAFT: Record<string, keyof SettingsDraft> = {
  name: 'name',
  description: 'description',
  instructions: 'instructions',
  overlap: 'overlap',
  leaseSeconds: 'leaseMinutes',
  reviewMode: 'reviewMode',
  reviewSamplePercent: 'reviewSamplePercent',
  goldPercent: 'goldPercent',
  qualification: 'qualification',
  'qualification.tasks': 'qualificationTasks',
  'qualification.minAccuracy': 'qualificationAccuracyPercent',
};

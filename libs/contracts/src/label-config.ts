import { z } from 'zod';

/**
 * The label configuration language (SPEC §4): the fields an annotator sees, read from `task.data[name]`,
 * and the questions they answer, written to `result[name]`. The schema refuses unknown keys everywhere,
 * so a typo (`"option"` for `"options"`) is an error rather than a silently ignored setting. Defaults
 * (`required: true`, `allowTie: false`, text length bounds) are written into the parsed config, so code
 * that reads a stored config never has to remember them.
 */

export const FIELD_TYPES = ['text', 'markdown', 'image', 'chat', 'responses'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const QUESTION_TYPES = [
  'single_choice',
  'multi_choice',
  'spans',
  'bboxes',
  'rating',
  'pairwise',
  'ranking',
  'text',
] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** The field type each field-reading question needs. Questions not listed here read no field. */
export const QUESTION_FIELD_TYPES = {
  spans: 'text',
  bboxes: 'image',
  pairwise: 'responses',
  ranking: 'responses',
} as const satisfies Partial<Record<QuestionType, FieldType>>;
export type FieldQuestionType = keyof typeof QUESTION_FIELD_TYPES;

export const CHAT_ROLES = ['user', 'assistant', 'system'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

export const LABEL_CONFIG_LIMITS = {
  maxFields: 50,
  maxQuestions: 50,
  maxOptions: 200,
  maxOptionLength: 200,
  maxDescriptionLength: 2000,
  ratingBound: 1000,
  maxRatingSteps: 100,
  maxTextAnswerLength: 100_000,
  defaultTextMinLength: 0,
  defaultTextMaxLength: 20_000,
  /** Longest text, markdown or chat content a task's data may carry, in code points. */
  maxTextFieldLength: 1_000_000,
  maxResponseIdLength: 200,
} as const;

const L = LABEL_CONFIG_LIMITS;

/** One problem, its place rendered like `questions[2].field` (empty for the whole value). */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** Renders a zod path as `questions[2].field`: names joined by dots, indexes in brackets. */
export function formatZodPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const name = typeof key === 'symbol' ? (key.description ?? 'symbol') : key;
      out += out === '' ? name : `.${name}`;
    }
  }
  return out;
}

/**
 * Zod issues as `{ path, message }` pairs. An unknown-keys issue becomes one issue per key, placed at the
 * key itself, so `questions[0].colour` rather than `questions[0]` names what to remove.
 */
export function formatZodIssues(issues: z.ZodError['issues']): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({ path: formatZodPath([...issue.path, key]), message: 'unknown key' });
    } else {
      out.push({ path: formatZodPath(issue.path), message: issue.message });
    }
  }
  return out;
}

function unknownKeysMessage(keys: readonly string[]): string {
  return keys.length === 1
    ? `unknown key "${keys[0]}"`
    : `unknown keys ${keys.map((k) => `"${k}"`).join(', ')}`;
}

/** A strict object whose unknown-key message names the keys, for callers that render zod issues as they are. */
function strictShape<S extends z.core.$ZodLooseShape>(shape: S) {
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') return unknownKeysMessage(iss.keys);
      if (iss.code === 'invalid_type') return 'must be an object';
      return undefined;
    },
  });
}

/** The message of a discriminated union over `type`: an object of one of `types`. */
function unionError(types: readonly string[]) {
  return (iss: z.core.$ZodRawIssue) => {
    if (iss.code === 'invalid_union') return `type must be one of ${types.join(', ')}`;
    if (iss.code === 'invalid_type') return 'must be an object with a name and a type';
    return undefined;
  };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const identifierSchema = z
  .string({ error: 'must be a string' })
  .regex(IDENTIFIER, {
    message:
      'must be an identifier: a letter or underscore, then letters, digits or underscores (at most 64)',
  })
  // result and data objects are keyed by these names; this one would reach an object's prototype
  .refine((n) => n !== '__proto__', { message: '"__proto__" is reserved' });

const descriptionSchema = z.string({ error: 'must be a string' }).max(L.maxDescriptionLength, {
  message: `must be at most ${L.maxDescriptionLength} characters`,
});

/** Options or labels: a non-empty list of distinct, non-empty strings, trimmed. */
function choiceListSchema(what: 'option' | 'label') {
  const article = what === 'option' ? 'an option' : 'a label';
  return z
    .array(
      z
        .string({ error: `each ${what} must be a string` })
        .trim()
        .min(1, { message: `${article} must not be empty` })
        .max(L.maxOptionLength, { message: `${article} must be at most ${L.maxOptionLength} characters` }),
      { error: `must be a list of ${what}s` },
    )
    .min(1, { message: `give at least one ${what}` })
    .max(L.maxOptions, { message: `at most ${L.maxOptions} ${what}s` })
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((item, i) => {
        if (seen.has(item))
          ctx.addIssue({ code: 'custom', path: [i], message: `duplicate ${what} "${item}"` });
        seen.add(item);
      });
    });
}

function fieldSchema<T extends FieldType>(type: T) {
  return strictShape({ name: identifierSchema, type: z.literal(type) });
}

export const textFieldSchema = fieldSchema('text');
export const markdownFieldSchema = fieldSchema('markdown');
export const imageFieldSchema = fieldSchema('image');
export const chatFieldSchema = fieldSchema('chat');
export const responsesFieldSchema = fieldSchema('responses');

/** A field: what the annotator sees. */
export const labelFieldSchema = z.discriminatedUnion(
  'type',
  [textFieldSchema, markdownFieldSchema, imageFieldSchema, chatFieldSchema, responsesFieldSchema],
  { error: unionError(FIELD_TYPES) },
);
export type LabelField = z.infer<typeof labelFieldSchema>;

const commonQuestionShape = {
  name: identifierSchema,
  required: z.boolean({ error: 'must be true or false' }).default(true),
  /** The question as put to the annotator; the name is shown when it is absent. */
  description: descriptionSchema.optional(),
};

/** Questions that read no field say so when given one, at the key's own path. */
function questionWithoutField<T extends QuestionType, S extends z.core.$ZodLooseShape>(type: T, shape: S) {
  return strictShape({
    ...commonQuestionShape,
    type: z.literal(type),
    field: z.never({ error: `${type} questions read no field` }).optional(),
    ...shape,
  });
}
function questionWithField<T extends FieldQuestionType, S extends z.core.$ZodLooseShape>(type: T, shape: S) {
  return strictShape({ ...commonQuestionShape, type: z.literal(type), field: identifierSchema, ...shape });
}

export const singleChoiceQuestionSchema = questionWithoutField('single_choice', {
  options: choiceListSchema('option'),
});
export const multiChoiceQuestionSchema = questionWithoutField('multi_choice', {
  options: choiceListSchema('option'),
});
export const spansQuestionSchema = questionWithField('spans', { labels: choiceListSchema('label') });
export const bboxesQuestionSchema = questionWithField('bboxes', { labels: choiceListSchema('label') });

const ratingBound = z
  .number({ error: 'must be a number' })
  .int({ message: 'must be an integer' })
  .min(-L.ratingBound, { message: `must be at least ${-L.ratingBound}` })
  .max(L.ratingBound, { message: `must be at most ${L.ratingBound}` });
export const ratingQuestionSchema = questionWithoutField('rating', {
  min: ratingBound,
  max: ratingBound,
}).superRefine((q, ctx) => {
  if (q.min >= q.max)
    ctx.addIssue({ code: 'custom', path: ['max'], message: `must be greater than min (${q.min})` });
  else if (
    q.max - q.min > L.maxRatingSteps &&
    Math.abs(q.min) <= L.ratingBound &&
    Math.abs(q.max) <= L.ratingBound
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['max'],
      message: `a rating scale has at most ${L.maxRatingSteps} steps (max - min)`,
    });
  }
});

export const pairwiseQuestionSchema = questionWithField('pairwise', {
  allowTie: z.boolean({ error: 'must be true or false' }).default(false),
});
export const rankingQuestionSchema = questionWithField('ranking', {});

const lengthBound = z
  .number({ error: 'must be a number' })
  .int({ message: 'must be an integer' })
  .min(0, { message: 'must be at least 0' })
  .max(L.maxTextAnswerLength, { message: `must be at most ${L.maxTextAnswerLength}` });
export const textQuestionSchema = questionWithoutField('text', {
  minLength: lengthBound.default(L.defaultTextMinLength),
  maxLength: lengthBound.default(L.defaultTextMaxLength),
}).superRefine((q, ctx) => {
  if (q.minLength > q.maxLength) {
    ctx.addIssue({
      code: 'custom',
      path: ['maxLength'],
      message: `must be at least minLength (${q.minLength})`,
    });
  }
});

export const labelQuestionSchema = z.discriminatedUnion(
  'type',
  [
    singleChoiceQuestionSchema,
    multiChoiceQuestionSchema,
    spansQuestionSchema,
    bboxesQuestionSchema,
    ratingQuestionSchema,
    pairwiseQuestionSchema,
    rankingQuestionSchema,
    textQuestionSchema,
  ],
  { error: unionError(QUESTION_TYPES) },
);

export type SingleChoiceQuestion = z.infer<typeof singleChoiceQuestionSchema>;
export type MultiChoiceQuestion = z.infer<typeof multiChoiceQuestionSchema>;
export type SpansQuestion = z.infer<typeof spansQuestionSchema>;
export type BboxesQuestion = z.infer<typeof bboxesQuestionSchema>;
export type RatingQuestion = z.infer<typeof ratingQuestionSchema>;
export type PairwiseQuestion = z.infer<typeof pairwiseQuestionSchema>;
export type RankingQuestion = z.infer<typeof rankingQuestionSchema>;
export type TextQuestion = z.infer<typeof textQuestionSchema>;
export type LabelQuestion = z.infer<typeof labelQuestionSchema>;
/** A question that reads one of the task's fields. */
export type FieldQuestion = Extract<LabelQuestion, { type: FieldQuestionType }>;

export function questionReadsField(q: LabelQuestion): q is FieldQuestion {
  return Object.hasOwn(QUESTION_FIELD_TYPES, q.type);
}

export const labelConfigSchema = strictShape({
  fields: z
    .array(labelFieldSchema, { error: 'must be a list of fields' })
    .min(1, { message: 'give at least one field' })
    .max(L.maxFields, { message: `at most ${L.maxFields} fields` }),
  questions: z
    .array(labelQuestionSchema, { error: 'must be a list of questions' })
    .min(1, { message: 'give at least one question' })
    .max(L.maxQuestions, { message: `at most ${L.maxQuestions} questions` }),
}).superRefine((config, ctx) => {
  const fields = new Map<string, FieldType>();
  config.fields.forEach((f, i) => {
    if (fields.has(f.name))
      ctx.addIssue({
        code: 'custom',
        path: ['fields', i, 'name'],
        message: `duplicate field name "${f.name}"`,
      });
    else fields.set(f.name, f.type);
  });
  const questions = new Set<string>();
  config.questions.forEach((q, i) => {
    if (questions.has(q.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['questions', i, 'name'],
        message: `duplicate question name "${q.name}"`,
      });
    }
    questions.add(q.name);
    if (!questionReadsField(q)) return;
    const fieldType = fields.get(q.field);
    const needed = QUESTION_FIELD_TYPES[q.type];
    if (fieldType === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['questions', i, 'field'],
        message: `no field named "${q.field}"`,
      });
    } else if (fieldType !== needed) {
      ctx.addIssue({
        code: 'custom',
        path: ['questions', i, 'field'],
        message: `question "${q.name}" needs a field of type ${needed}, "${q.field}" is ${fieldType}`,
      });
    }
  });
});

export type LabelConfig = z.infer<typeof labelConfigSchema>;
/** A config as written, before defaults are filled in. */
export type LabelConfigInput = z.input<typeof labelConfigSchema>;

export type ParseLabelConfigResult =
  { ok: true; config: LabelConfig } | { ok: false; issues: ValidationIssue[] };

export function parseLabelConfig(input: unknown): ParseLabelConfigResult {
  const r = labelConfigSchema.safeParse(input);
  return r.success ? { ok: true, config: r.data } : { ok: false, issues: formatZodIssues(r.error.issues) };
}

/* ---------- Task data ---------- */

export const chatTurnSchema = strictShape({
  role: z.enum(CHAT_ROLES, { error: `must be one of ${CHAT_ROLES.join(', ')}` }),
  content: z.string({ error: 'must be a string' }),
});
export type ChatTurn = z.infer<typeof chatTurnSchema>;

export const responseCandidateSchema = strictShape({
  id: z
    .string({ error: 'must be a string' })
    .min(1, { message: 'must not be empty' })
    .max(L.maxResponseIdLength, { message: `must be at most ${L.maxResponseIdLength} characters` }),
  text: z.string({ error: 'must be a string' }),
});
export type ResponseCandidate = z.infer<typeof responseCandidateSchema>;

/**
 * A task's data: one value per field, keyed by field name. Keys beyond the fields are allowed (labs keep
 * their own metadata there); `validateTaskData` in `@enclave/labeling` checks the fields.
 */
export type TaskData = Record<string, unknown>;

/* ---------- Results ---------- */

/** A span of a text field, in Unicode code points: `0 ≤ start < end ≤ length`. */
export interface SpanValue {
  start: number;
  end: number;
  label: string;
}

/** A box in fractions of the image's width and height, inside [0, 1]. */
export interface BoxValue {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
}

export const PAIRWISE_CHOICES = ['a', 'b', 'tie'] as const;
export type PairwiseChoice = (typeof PAIRWISE_CHOICES)[number];

/**
 * One answer: an option or pairwise choice or text (string), options or a ranking of response ids
 * (string[]), a rating (number), spans or boxes.
 */
export type ResultValue = string | string[] | number | SpanValue[] | BoxValue[];

/** An annotation's answers keyed by question name; an optional question left unanswered is absent or null. */
export type AnnotationResult = Record<string, ResultValue | null>;

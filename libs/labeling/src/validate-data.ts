import { CHAT_ROLES, LABEL_CONFIG_LIMITS, type LabelConfig, type LabelField } from '@enclave/contracts';
import { describeType, isPlainObject, ownValue, plural, type Issue } from './issues';
import { codePointLength } from './text';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHAT_TURN_KEYS = ['role', 'content'];
const CANDIDATE_KEYS = ['id', 'text'];

/**
 * Checks a task's data against the config's fields: every field present with a value of its type.
 * Keys beyond the fields are allowed and kept: labs carry their own metadata (source, split, model
 * name) in a task's data, and an export hands it back to them.
 *
 * Image fields must hold an asset id (a UUID); whether that asset exists in the same project is for the
 * server to check, with the ids from `imageAssetIds`.
 */
export function validateTaskData(config: LabelConfig, data: unknown): Issue[] {
  if (!isPlainObject(data))
    return [{ path: 'data', message: `must be an object, not ${describeType(data)}` }];
  const issues: Issue[] = [];
  const comparedFields = fieldsComparingResponses(config);
  for (const field of config.fields) {
    const path = `data.${field.name}`;
    if (!Object.hasOwn(data, field.name)) {
      issues.push({ path, message: 'required' });
      continue;
    }
    checkFieldValue(field, ownValue(data, field.name), path, comparedFields.has(field.name), issues);
  }
  return issues;
}

/** The distinct asset ids that the task's image fields hold (well-formed ones only). */
export function imageAssetIds(config: LabelConfig, data: unknown): string[] {
  if (!isPlainObject(data)) return [];
  const ids = new Set<string>();
  for (const field of config.fields) {
    const value = ownValue(data, field.name);
    if (field.type === 'image' && typeof value === 'string' && UUID.test(value)) ids.add(value.toLowerCase());
  }
  return [...ids];
}

/** Responses fields that a pairwise or ranking question compares: they need two candidates at least. */
function fieldsComparingResponses(config: LabelConfig): Set<string> {
  const names = new Set<string>();
  for (const q of config.questions) if (q.type === 'pairwise' || q.type === 'ranking') names.add(q.field);
  return names;
}

function checkFieldValue(
  field: LabelField,
  value: unknown,
  path: string,
  compared: boolean,
  issues: Issue[],
): void {
  switch (field.type) {
    case 'text':
    case 'markdown':
      checkLongString(value, path, issues);
      return;
    case 'image':
      if (typeof value !== 'string' || !UUID.test(value)) {
        issues.push({
          path,
          message: `must be an image asset id (a UUID), not ${typeof value === 'string' ? JSON.stringify(value) : describeType(value)}`,
        });
      }
      return;
    case 'chat':
      checkChat(value, path, issues);
      return;
    case 'responses':
      checkResponses(value, path, compared, issues);
      return;
  }
}

function checkLongString(value: unknown, path: string, issues: Issue[]): void {
  if (typeof value !== 'string') {
    issues.push({ path, message: `must be a string, not ${describeType(value)}` });
    return;
  }
  const max = LABEL_CONFIG_LIMITS.maxTextFieldLength;
  // two UTF-16 units at most per code point: only a long string needs counting
  if (value.length > max && codePointLength(value) > max)
    issues.push({ path, message: `must be at most ${max} characters` });
}

function checkExactKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  issues: Issue[],
): void {
  for (const key of allowed)
    if (!Object.hasOwn(obj, key)) issues.push({ path: `${path}.${key}`, message: 'required' });
  for (const key of Object.keys(obj))
    if (!allowed.includes(key)) issues.push({ path: `${path}.${key}`, message: 'unknown key' });
}

function checkChat(value: unknown, path: string, issues: Issue[]): void {
  if (!Array.isArray(value)) {
    issues.push({ path, message: `must be a list of chat turns, not ${describeType(value)}` });
    return;
  }
  if (value.length === 0) issues.push({ path, message: 'must have at least one turn' });
  value.forEach((turn: unknown, i) => {
    const at = `${path}[${i}]`;
    if (!isPlainObject(turn)) {
      issues.push({
        path: at,
        message: `must be an object with role and content, not ${describeType(turn)}`,
      });
      return;
    }
    checkExactKeys(turn, CHAT_TURN_KEYS, at, issues);
    const role = ownValue(turn, 'role');
    if (role !== undefined && !(CHAT_ROLES as readonly unknown[]).includes(role)) {
      issues.push({ path: `${at}.role`, message: `must be one of ${CHAT_ROLES.join(', ')}` });
    }
    if (Object.hasOwn(turn, 'content')) checkLongString(turn.content, `${at}.content`, issues);
  });
}

function checkResponses(value: unknown, path: string, compared: boolean, issues: Issue[]): void {
  if (!Array.isArray(value)) {
    issues.push({ path, message: `must be a list of responses ({ id, text }), not ${describeType(value)}` });
    return;
  }
  if (compared && value.length < 2) {
    issues.push({
      path,
      message: `must have at least 2 responses to compare, has ${plural(value.length, 'response')}`,
    });
  }
  const firstIndex = new Map<string, number>();
  value.forEach((candidate: unknown, i) => {
    const at = `${path}[${i}]`;
    if (!isPlainObject(candidate)) {
      issues.push({
        path: at,
        message: `must be an object with id and text, not ${describeType(candidate)}`,
      });
      return;
    }
    checkExactKeys(candidate, CANDIDATE_KEYS, at, issues);
    const id = ownValue(candidate, 'id');
    if (Object.hasOwn(candidate, 'id')) {
      const maxId = LABEL_CONFIG_LIMITS.maxResponseIdLength;
      if (typeof id !== 'string')
        issues.push({ path: `${at}.id`, message: `must be a string, not ${describeType(id)}` });
      else if (id.length === 0) issues.push({ path: `${at}.id`, message: 'must not be empty' });
      else if (id.length > maxId)
        issues.push({ path: `${at}.id`, message: `must be at most ${maxId} characters` });
      else if (firstIndex.has(id)) {
        issues.push({
          path: `${at}.id`,
          message: `duplicate id ${JSON.stringify(id)} (also ${path}[${firstIndex.get(id)}])`,
        });
      } else firstIndex.set(id, i);
    }
    if (Object.hasOwn(candidate, 'text')) checkLongString(candidate.text, `${at}.text`, issues);
  });
}

import type { ErrorDetail } from '@enclave/contracts';
import type { z } from 'zod';
import { isApiError } from '../api/client';

function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/** One human sentence for any failure, for an alert next to what failed. */
export function describeError(error: unknown): string {
  if (isApiError(error)) {
    if (error.status === 429) {
      const wait = error.retryAfterSeconds;
      return wait !== null && wait > 0
        ? `Too many attempts. Try again in ${wait} second${wait === 1 ? '' : 's'}.`
        : 'Too many attempts. Try again later.';
    }
    if (error.code === 'CSRF_TOKEN_INVALID') {
      return 'Your session’s security token is missing or out of date. Sign out and sign in again.';
    }
    return sentence(error.message);
  }
  if (error instanceof Error && error.message) return sentence(`Something went wrong: ${error.message}`);
  return 'Something went wrong.';
}

/** `owner.email`, `/owner/email` and `owner/email` all name the same form field. */
export function normalizePath(path: string): string {
  return path.replace(/^\/+/, '').replace(/\//g, '.');
}

export interface FormErrors {
  /** Messages by field path (`email`, `owner.password`), shown under their inputs. */
  fields: Record<string, string>;
  /** What belongs to no single field, shown above the form's button. */
  general: string | null;
}

export const NO_ERRORS: FormErrors = { fields: {}, general: null };

function fromDetails(details: ErrorDetail[]): { fields: Record<string, string>; rest: string[] } {
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  for (const d of details) {
    if (d.path) {
      const key = normalizePath(d.path);
      fields[key] ??= sentence(d.message);
    } else {
      rest.push(sentence(d.line !== undefined ? `line ${d.line}: ${d.message}` : d.message));
    }
  }
  return { fields, rest };
}

/**
 * Splits an API failure into messages per field. `codeFields` places errors whose body names no path
 * (EMAIL_TAKEN, SLUG_TAKEN, WEAK_PASSWORD) under the input they are about.
 */
export function formErrorsFrom(error: unknown, codeFields: Record<string, string> = {}): FormErrors {
  if (!isApiError(error)) return { fields: {}, general: describeError(error) };
  const { fields, rest } = fromDetails(error.details);
  const field = codeFields[error.code];
  if (field && !fields[field]) fields[field] = sentence(error.message);
  if (Object.keys(fields).length === 0) {
    return { fields, general: [describeError(error), ...rest].join(' ') };
  }
  return { fields, general: rest.length > 0 ? rest.join(' ') : null };
}

/** The same shape from a client-side check with the shared schema, before anything is sent. */
export function formErrorsFromIssues(issues: z.ZodError['issues']): FormErrors {
  const details = issues.map((i) => ({
    path: i.path.map(String).join('.') || undefined,
    message: i.message,
  }));
  const { fields, rest } = fromDetails(details);
  return { fields, general: rest.length > 0 ? rest.join(' ') : null };
}

/** Validates with a shared schema: the parsed body, or the errors to show. */
export function validateWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
): { ok: true; data: z.output<S> } | { ok: false; errors: FormErrors } {
  const r = schema.safeParse(input);
  return r.success ? { ok: true, data: r.data } : { ok: false, errors: formErrorsFromIssues(r.error.issues) };
}

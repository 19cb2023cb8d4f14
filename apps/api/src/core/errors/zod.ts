import type { z } from 'zod';
import { formatZodPath, type ErrorDetail } from '@enclave/contracts';
import { AppError } from './app-error';

export function zodDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((i) => {
    const path = formatZodPath(i.path);
    if (i.code === 'unrecognized_keys') {
      return { path: path || undefined, message: `unknown field(s): ${i.keys.join(', ')}` };
    }
    return { path: path || undefined, message: i.message };
  });
}

/** Parses input with a strict schema or throws a 400 that names each bad path. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, where: 'body' | 'query' | 'params'): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const details = zodDetails(r.error);
  const first = details[0];
  throw new AppError(
    where === 'body' ? 'VALIDATION_FAILED' : 'INVALID_PARAMETER',
    `invalid ${where}: ${first?.path ? first.path + ': ' : ''}${first?.message ?? 'invalid'}`,
    details,
  );
}

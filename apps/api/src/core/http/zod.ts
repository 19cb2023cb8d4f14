import { applyDecorators, ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import { z } from 'zod';
import { AppError } from '../errors/app-error';
import { parseOrThrow } from '../errors/zod';

/** Validates a body, query or params object with a strict zod schema from libs/contracts. */
@Injectable()
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown, meta: ArgumentMetadata): z.infer<S> {
    const where = meta.type === 'body' ? 'body' : meta.type === 'query' ? 'query' : 'params';
    return parseOrThrow(this.schema, value, where);
  }
}

/** 400 for an id that is not a UUID (never a 500 from the database's cast). */
@Injectable()
export class UuidPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, meta: ArgumentMetadata): string {
    const ok = typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
    if (!ok) {
      const name = meta.data ?? 'id';
      throw new AppError('INVALID_PARAMETER', `${name}: must be a UUID`, [{ path: name, message: 'must be a UUID' }]);
    }
    return value.toLowerCase();
  }
}

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  // OpenAPI 3.0 embeds plain schemas: no `$schema` dialect marker.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** Documents a zod-validated body in the OpenAPI document. */
export const ApiZodBody = (schema: z.ZodType) => applyDecorators(ApiBody({ schema: jsonSchema(schema) as object }));

/** Documents each field of a zod-validated query object. */
export function ApiZodQuery(schema: z.ZodObject): MethodDecorator {
  const decorators = Object.keys(schema.shape).map((name) => ApiQuery({ name, required: false }));
  return applyDecorators(...decorators);
}

import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Injectable, Logger } from '@nestjs/common';
import { ForbiddenError } from '@casl/ability';
import type { Response } from 'express';
import { ZodError } from 'zod';
import type { ErrorBody, ErrorCode, ErrorDetail } from '@enclave/contracts';
import { AuditService } from '../audit/audit.service';
import { Db } from '../db/tenant';
import { requestStorage, type EnclaveRequest } from '../http/request-context';
import { AppError, type FailureAudit } from './app-error';
import { zodDetails } from './zod';

interface Mapped {
  status: number;
  code: ErrorCode;
  message: string;
  details: ErrorDetail[];
  headers?: Record<string, string>;
  auditDenial?: boolean;
  auditFailure?: FailureAudit;
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
};

interface BodyParserError {
  type?: string;
  status?: number;
  message?: string;
  limit?: number;
}

interface PgError {
  code?: string;
  constraint?: string;
  routine?: string;
}

/** Turns every failure into `{ error: { code, message, details } }` with the fitting status. */
export function mapError(err: unknown, req?: EnclaveRequest): Mapped {
  if (err instanceof AppError) {
    return {
      status: err.status,
      code: err.code,
      message: err.message,
      details: err.details,
      headers: err.options.headers,
      auditDenial: err.options.auditDenial,
      auditFailure: err.options.auditFailure,
    };
  }
  if (err instanceof ZodError) {
    return { status: 400, code: 'VALIDATION_FAILED', message: 'the request is invalid', details: zodDetails(err) };
  }
  if (err instanceof ForbiddenError) {
    return { status: 403, code: 'FORBIDDEN', message: err.message || 'you may not do this', details: [], auditDenial: true };
  }
  const bp = err as BodyParserError;
  if (bp && typeof bp === 'object' && typeof bp.type === 'string') {
    switch (bp.type) {
      case 'entity.too.large':
        return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `the body is larger than ${bp.limit ?? 'the limit of'} bytes`, details: [] };
      case 'entity.parse.failed':
        return { status: 400, code: 'MALFORMED_JSON', message: `the body is not valid JSON: ${bp.message ?? ''}`.trim(), details: [] };
      case 'entity.verify.failed':
        return { status: 400, code: 'MALFORMED_JSON', message: bp.message ?? 'the body was refused', details: [] };
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: bp.message ?? 'unsupported encoding', details: [] };
      case 'request.aborted':
        return { status: 400, code: 'VALIDATION_FAILED', message: 'the request was aborted', details: [] };
      case 'request.size.invalid':
        return { status: 400, code: 'VALIDATION_FAILED', message: 'the body length does not match Content-Length', details: [] };
    }
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const code = STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');
    const message =
      status === 404 && req ? `no route ${req.method} ${req.path}` : err.message || 'request failed';
    return { status, code, message, details: [] };
  }
  const pgErr = err as PgError;
  if (pgErr && typeof pgErr === 'object' && typeof pgErr.code === 'string' && /^[0-9A-Z]{5}$/.test(pgErr.code)) {
    switch (pgErr.code) {
      case '23505':
        return { status: 409, code: 'CONFLICT', message: 'this conflicts with an existing record', details: [] };
      case '23503':
        return { status: 409, code: 'CONFLICT', message: 'this refers to a record that does not exist', details: [] };
      case '22P02':
      case '22007':
      case '22008':
      case '22003':
      case '22001':
      case '22021': // a NUL character (or a bad byte) in text: PostgreSQL cannot store it
        return { status: 400, code: 'INVALID_PARAMETER', message: 'a value has the wrong type or is out of range', details: [] };
      case '42501':
        // Row-level security refused a write: the row belongs to another tenant or is not visible.
        return { status: 404, code: 'NOT_FOUND', message: 'not found', details: [], auditDenial: true };
      case '57014':
      case '40001':
      case '40P01':
      case '55P03':
      case '53300':
        return { status: 503, code: 'UNAVAILABLE', message: 'the database is busy; try again', details: [], headers: { 'Retry-After': '1' } };
    }
  }
  return { status: 500, code: 'INTERNAL', message: 'internal error', details: [] };
}

@Catch()
@Injectable()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
  ) {}

  async catch(err: unknown, host: ArgumentsHost): Promise<void> {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<EnclaveRequest>();
    const res = ctx.getResponse<Response>();
    const mapped = mapError(err, req);
    if (mapped.status >= 500 && mapped.code !== 'UNAVAILABLE') {
      this.logger.error({ err, requestId: req.id }, 'request failed');
    }
    if (mapped.auditDenial && req.principal) await this.auditDenial(req, mapped).catch((e: unknown) => this.logger.error({ err: e }, 'could not audit a denial'));
    if (mapped.auditFailure && req.principal) {
      await this.auditFailure(req, mapped, mapped.auditFailure).catch((e: unknown) => this.logger.error({ err: e }, 'could not audit a failure'));
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body: ErrorBody = { error: { code: mapped.code, message: mapped.message, details: mapped.details, requestId: req.id } };
    for (const [k, v] of Object.entries(mapped.headers ?? {})) res.setHeader(k, v);
    res.status(mapped.status).json(body);
  }

  /** A refusal worth recording (a refused configuration change, a rejected import), in its own transaction. */
  private async auditFailure(req: EnclaveRequest, mapped: Mapped, event: FailureAudit): Promise<void> {
    const p = req.principal!;
    await requestStorage.run(req, () =>
      this.db.inTenant({ orgId: p.orgId, userId: p.id, role: p.role }, () =>
        this.audit.append({
          action: event.action,
          outcome: 'failure',
          targetType: event.targetType,
          targetId: event.targetId,
          details: { ...event.details, status: mapped.status, code: mapped.code },
        }),
      ),
    );
  }

  /** Denials land in the audit log in a transaction of their own: the request's rolled back. */
  private async auditDenial(req: EnclaveRequest, mapped: Mapped): Promise<void> {
    const p = req.principal!;
    await requestStorage.run(req, () =>
      this.db.inTenant({ orgId: p.orgId, userId: p.id, role: p.role }, () =>
        this.audit.append({
          action: 'access.denied',
          outcome: 'denied',
          targetType: 'route',
          targetId: `${req.method} ${req.route?.path ?? req.path}`.slice(0, 300),
          details: { status: mapped.status, code: mapped.code, message: mapped.message, path: req.originalUrl.slice(0, 300) },
        }),
      ),
    );
  }
}

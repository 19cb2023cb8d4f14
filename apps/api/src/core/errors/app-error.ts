import { ERROR_CODES, type ErrorCode, type ErrorDetail } from '@enclave/contracts';

/** An event to record for a refused request, written after its transaction rolled back. */
export interface FailureAudit {
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

/**
 * A failure with a status the client should see. `auditDenial` marks the 403/404 answers that are
 * access denials and must land in the audit log; `auditFailure` records a refusal that is not a
 * denial (a refused configuration change, a rejected import) under its own action.
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly options: { auditDenial?: boolean; auditFailure?: FailureAudit; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = ERROR_CODES[code];
  }

  static notFound(what: string, opts: { auditDenial?: boolean } = { auditDenial: true }): AppError {
    return new AppError('NOT_FOUND', `${what} not found`, [], opts);
  }

  static forbidden(message = 'you may not do this'): AppError {
    return new AppError('FORBIDDEN', message, [], { auditDenial: true });
  }
}

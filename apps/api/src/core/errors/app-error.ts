import { ERROR_CODES, type ErrorCode, type ErrorDetail } from '@enclave/contracts';

/**
 * A failure with a status the client should see. `auditDenial` marks the 403/404 answers that are
 * access denials and must land in the audit log.
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly options: { auditDenial?: boolean; headers?: Record<string, string> } = {},
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

/** The uniform error body of every failure: `{ error: { code, message, details } }`. */
export interface ErrorDetail {
  path?: string;
  line?: number;
  message: string;
}
export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[]; requestId?: string };
}

export const ERROR_CODES = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  INVALID_PARAMETER: 400,
  WEAK_PASSWORD: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  CSRF_TOKEN_INVALID: 403,
  FORBIDDEN: 403,
  TOKEN_SCOPE: 403,
  QUALIFICATION_FAILED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  EMAIL_TAKEN: 409,
  SLUG_TAKEN: 409,
  LAST_OWNER: 409,
  CONFIG_BREAKING_CHANGE: 409,
  PROJECT_ARCHIVED: 409,
  LEASE_LOST: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

import type { ErrorBody, ErrorDetail } from '@enclave/contracts';
import type { Endpoints } from './endpoints';

/** The readable half of the double-submit pair: the API sets it at sign-in, the page echoes it. */
export const CSRF_COOKIE = 'enclave_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
export const API_BASE = '/api/v1';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Every failure of a request, from the uniform `{ error: { code, message, details } }` body or the transport. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** From `Retry-After` on 429 and 503, in seconds. */
    readonly retryAfterSeconds: number | null = null,
    readonly requestId: string | null = null,
  ) {
    super(message);
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** A cookie's value from a `document.cookie` string, or undefined. */
export function readCookie(name: string, cookieString: string): string | undefined {
  for (const part of cookieString.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

/** `Retry-After` as seconds: either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

function sanitizeDetails(details: unknown): ErrorDetail[] {
  if (!Array.isArray(details)) return [];
  return details.flatMap((d): ErrorDetail[] => {
    if (typeof d !== 'object' || d === null || typeof (d as { message?: unknown }).message !== 'string')
      return [];
    const { path, line, message } = d as { path?: unknown; line?: unknown; message: string };
    return [
      {
        message,
        ...(typeof path === 'string' && path ? { path } : {}),
        ...(typeof line === 'number' ? { line } : {}),
      },
    ];
  });
}

/** Turns a failed response into an ApiError, whatever its body (a proxy's HTML page included). */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(res.headers.get('Retry-After'));
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON: fall through to a generic error for the status.
  }
  if (isErrorBody(body)) {
    return new ApiError(
      res.status,
      body.error.code,
      body.error.message,
      sanitizeDetails(body.error.details),
      retryAfter,
      body.error.requestId ?? res.headers.get('X-Request-Id'),
    );
  }
  return new ApiError(
    res.status,
    `HTTP_${res.status}`,
    res.status >= 500 ? 'the server failed to answer; try again' : `the request failed (${res.status})`,
    [],
    retryAfter,
    res.headers.get('X-Request-Id'),
  );
}

type QueryValue = string | number | boolean | null | undefined;

export function buildUrl(path: string, query?: Record<string, QueryValue>, base = API_BASE): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return `${base}${path}${qs ? `?${qs}` : ''}`;
}

/** `/users/:id` with `{ id }` → `/users/<encoded id>`; a missing parameter is a programming error. */
export function fillPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/:([A-Za-z]\w*)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${template}`);
    return encodeURIComponent(value);
  });
}

// ----- types derived from the endpoint table -----

type EndpointKey = keyof Endpoints & string;
type PathOf<K extends string> = K extends `${string} ${infer P}` ? P : never;
type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;
type ParamsPart<K extends string> = [ParamNames<PathOf<K>>] extends [never]
  ? { params?: undefined }
  : { params: Record<ParamNames<PathOf<K>>, string> };
type BodyPart<E> = E extends { body: infer B } ? { body: B } : { body?: undefined };
type QueryPart<E> = E extends { query: infer Q } ? { query?: Q } : { query?: undefined };

export type RequestOptions<K extends EndpointKey> = ParamsPart<K> &
  BodyPart<Endpoints[K]> &
  QueryPart<Endpoints[K]> & { signal?: AbortSignal };
export type ResponseOf<K extends EndpointKey> = Endpoints[K]['response'];
type OptionsArg<K extends EndpointKey> =
  object extends RequestOptions<K> ? [options?: RequestOptions<K>] : [options: RequestOptions<K>];

export interface ApiClientDeps {
  fetch?: typeof fetch;
  /** The current `document.cookie`; read on every request, because sign-in replaces the CSRF cookie. */
  cookies?: () => string;
  base?: string;
}

export interface ApiClient {
  call<K extends EndpointKey>(endpoint: K, ...args: OptionsArg<K>): Promise<ResponseOf<K>>;
}

/** The one client for the API: typed by the endpoint table, same-origin cookies, CSRF header on every change. */
export function createApiClient(deps: ApiClientDeps = {}): ApiClient {
  const doFetch =
    deps.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const cookies = deps.cookies ?? (() => (typeof document === 'undefined' ? '' : document.cookie));
  const base = deps.base ?? API_BASE;

  async function call<K extends EndpointKey>(endpoint: K, ...args: OptionsArg<K>): Promise<ResponseOf<K>> {
    const options = (args[0] ?? {}) as {
      params?: Record<string, string>;
      body?: unknown;
      query?: Record<string, QueryValue>;
      signal?: AbortSignal;
    };
    const space = endpoint.indexOf(' ');
    const method = endpoint.slice(0, space);
    const url = buildUrl(fillPath(endpoint.slice(space + 1), options.params), options.query, base);

    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (!SAFE_METHODS.has(method)) {
      const csrf = readCookie(CSRF_COOKIE, cookies());
      if (csrf) headers[CSRF_HEADER] = csrf;
    }

    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        headers,
        credentials: 'same-origin',
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      throw new ApiError(
        0,
        'NETWORK_ERROR',
        'the server could not be reached; check the connection and try again',
      );
    }
    if (!res.ok) throw await errorFromResponse(res);
    if (res.status === 204 || res.headers.get('Content-Length') === '0') return undefined as ResponseOf<K>;
    return (await res.json()) as ResponseOf<K>;
  }

  return { call };
}

/** The app's instance. */
export const api = createApiClient();

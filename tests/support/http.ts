import http, { type IncomingHttpHeaders } from 'node:http';
import type { ErrorBody } from '@enclave/contracts';

export const SESSION_COOKIE = 'enclave_session';
export const CSRF_COOKIE = 'enclave_csrf';

/** What came back, kept raw: tests look at status, headers and bytes, and parse JSON when they expect it. */
export class HttpResponse {
  constructor(
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
    readonly text: string,
    /** Round-trip time as the client saw it. */
    readonly ms: number,
  ) {}

  json<T = unknown>(): T {
    try {
      return JSON.parse(this.text) as T;
    } catch {
      throw new Error(`expected a JSON answer, got ${this.status}: ${this.text.slice(0, 500)}`);
    }
  }

  /** The uniform error body's `error` member. */
  get error(): ErrorBody['error'] {
    return this.json<ErrorBody>().error;
  }

  header(name: string): string | undefined {
    const v = this.headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(', ') : v;
  }

  get requestId(): string {
    const id = this.header('x-request-id');
    if (!id) throw new Error(`no X-Request-Id on ${this.status}`);
    return id;
  }

  get setCookies(): string[] {
    return this.headers['set-cookie'] ?? [];
  }

  /** For failure messages: status and the start of the body. */
  toString(): string {
    return `${this.status} ${this.text.slice(0, 300)}`;
  }
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string | string[]>;
  /** Serialised as JSON with `content-type: application/json`. */
  json?: unknown;
  /** Sent as is; give the content type in `headers`. */
  raw?: string | Buffer;
  /** Bind the client side of the connection to this address (127.0.0.x), as a distinct client. */
  localAddress?: string;
}

/**
 * One HTTP request on its own connection, through node:http so that the source address, raw bodies and
 * exact headers are under the test's control.
 */
export function request(baseUrl: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
  const url = new URL(baseUrl);
  const headers: Record<string, string | string[]> = { ...(opts.headers ?? {}) };
  let body: Buffer | undefined;
  if (opts.json !== undefined) {
    body = Buffer.from(JSON.stringify(opts.json));
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json';
  } else if (opts.raw !== undefined) {
    body = Buffer.isBuffer(opts.raw) ? opts.raw : Buffer.from(opts.raw);
  }
  if (body) headers['content-length'] = String(body.length);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: opts.method ?? 'GET',
        path,
        headers,
        localAddress: opts.localAddress,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve(
            new HttpResponse(
              res.statusCode ?? 0,
              res.headers,
              Buffer.concat(chunks).toString('utf8'),
              performance.now() - started,
            ),
          ),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface SendOptions {
  headers?: Record<string, string>;
  /** The X-CSRF-Token to send: the session's own by default; `false` sends none. */
  csrf?: string | false;
  /** A raw body instead of JSON. */
  raw?: string | Buffer;
  /** Leave the cookies out (for bearer-only requests). */
  noCookies?: boolean;
}

/**
 * A client with a cookie jar, as a browser holds it: the session and CSRF cookies from Set-Cookie, and
 * the CSRF cookie echoed in X-CSRF-Token on state-changing requests. With `bearer`, an API client.
 */
export class Client {
  readonly cookies = new Map<string, string>();
  bearer: string | undefined;

  constructor(
    readonly baseUrl: string,
    readonly opts: { localAddress?: string; userAgent?: string } = {},
  ) {}

  get csrf(): string | undefined {
    return this.cookies.get(CSRF_COOKIE);
  }

  get sessionCookie(): string | undefined {
    return this.cookies.get(SESSION_COOKIE);
  }

  /** Another client holding the same cookies (a stolen or replayed cookie). */
  clone(): Client {
    const c = new Client(this.baseUrl, this.opts);
    for (const [k, v] of this.cookies) c.cookies.set(k, v);
    c.bearer = this.bearer;
    return c;
  }

  static withToken(baseUrl: string, token: string): Client {
    const c = new Client(baseUrl);
    c.bearer = token;
    return c;
  }

  async send(method: string, path: string, json?: unknown, o: SendOptions = {}): Promise<HttpResponse> {
    const headers: Record<string, string> = {};
    if (this.opts.userAgent) headers['user-agent'] = this.opts.userAgent;
    if (this.cookies.size > 0 && !o.noCookies) {
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    const safe = method === 'GET' || method === 'HEAD';
    const csrf = o.csrf === undefined ? this.csrf : o.csrf;
    if (!safe && csrf !== false && csrf !== undefined) headers['x-csrf-token'] = csrf;
    Object.assign(headers, o.headers ?? {});
    const res = await request(this.baseUrl, path, {
      method,
      headers,
      json,
      raw: o.raw,
      localAddress: this.opts.localAddress,
    });
    this.store(res.setCookies);
    return res;
  }

  get(path: string, o?: SendOptions): Promise<HttpResponse> {
    return this.send('GET', path, undefined, o);
  }
  post(path: string, json?: unknown, o?: SendOptions): Promise<HttpResponse> {
    return this.send('POST', path, json, o);
  }
  patch(path: string, json?: unknown, o?: SendOptions): Promise<HttpResponse> {
    return this.send('PATCH', path, json, o);
  }
  put(path: string, json?: unknown, o?: SendOptions): Promise<HttpResponse> {
    return this.send('PUT', path, json, o);
  }
  delete(path: string, o?: SendOptions): Promise<HttpResponse> {
    return this.send('DELETE', path, undefined, o);
  }

  private store(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = decodeURIComponent(pair!.slice(eq + 1).trim());
      const expired = attrs.some((a) => {
        const [k, v] = a.trim().split('=');
        if (k?.toLowerCase() === 'max-age') return Number(v) <= 0;
        if (k?.toLowerCase() === 'expires') return new Date(v ?? '').getTime() <= Date.now();
        return false;
      });
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** Parsed attributes of one Set-Cookie line, names lower-cased. */
export function cookieAttributes(
  setCookies: string[],
  name: string,
): Record<string, string | true> | undefined {
  const line = setCookies.find((l) => l.startsWith(`${name}=`));
  if (!line) return undefined;
  const [pair, ...attrs] = line.split(';');
  const out: Record<string, string | true> = { value: decodeURIComponent(pair!.slice(name.length + 1)) };
  for (const a of attrs) {
    const [k, ...v] = a.trim().split('=');
    out[k!.toLowerCase()] = v.length > 0 ? v.join('=') : true;
  }
  return out;
}

export interface StreamRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** The body, sent chunk by chunk as the connection takes it (chunked transfer encoding unless a length is given). */
  body: AsyncIterable<Buffer | string> | Iterable<Buffer | string>;
  /** Destroy the connection once this many body bytes were written: a client that goes away mid-upload. */
  abortAfterBytes?: number;
}

export interface StreamRequestResult {
  /** The answer, or null when the client aborted (or the connection failed) before one arrived. */
  response: HttpResponse | null;
  /** Body bytes written before the answer came, the abort, or the end. */
  sentBytes: number;
  /** True when the answer arrived before the whole body was sent. */
  answeredEarly: boolean;
  error?: Error;
}

/**
 * A request whose body is streamed with backpressure, for uploads too large to hold (or endless): it
 * stops sending as soon as the server answers, as an HTTP client should, and can walk away mid-upload.
 */
export function streamRequest(
  baseUrl: string,
  path: string,
  opts: StreamRequestOptions,
): Promise<StreamRequestResult> {
  const url = new URL(baseUrl);
  const started = performance.now();
  return new Promise((resolve) => {
    let sentBytes = 0;
    let answered = false;
    let bodyDone = false;
    let settled = false;
    let onAnswer: () => void = () => undefined;
    const answer = new Promise<void>((r) => (onAnswer = r));
    const finish = (result: Omit<StreamRequestResult, 'sentBytes'>) => {
      if (settled) return;
      settled = true;
      onAnswer();
      resolve({ ...result, sentBytes });
    };
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: opts.method ?? 'POST',
        path,
        headers: opts.headers ?? {},
        agent: false,
      },
      (res) => {
        answered = true;
        const early = !bodyDone;
        onAnswer();
        const chunks: Buffer[] = [];
        const done = () =>
          finish({
            response: new HttpResponse(
              res.statusCode ?? 0,
              res.headers,
              Buffer.concat(chunks).toString('utf8'),
              performance.now() - started,
            ),
            answeredEarly: early,
          });
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', done);
        res.on('error', done);
        res.on('close', done);
      },
    );
    req.on('error', (error) => {
      // writing after the server answered and closed fails (EPIPE, ECONNRESET): the answer still counts
      if (!answered) finish({ response: null, answeredEarly: false, error });
    });
    void (async () => {
      try {
        for await (const chunk of opts.body) {
          if (answered || settled) return;
          if (opts.abortAfterBytes !== undefined && sentBytes >= opts.abortAfterBytes) {
            req.destroy();
            finish({ response: null, answeredEarly: false });
            return;
          }
          const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          sentBytes += buf.length;
          if (!req.write(buf)) {
            await Promise.race([
              new Promise((r) => req.once('drain', r)),
              new Promise((r) => req.once('close', r)),
              answer,
            ]);
          }
        }
        bodyDone = true;
        if (!answered && !settled) req.end();
      } catch (error) {
        req.destroy();
        finish({ response: null, answeredEarly: false, error: error as Error });
      }
    })();
  });
}

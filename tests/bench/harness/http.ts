import fs from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * A small client of the API under test: JSON calls with a session (cookie + X-CSRF-Token, as the web
 * app does) or a bearer token, and streamed uploads timed from the first byte to the answer.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: ${status} ${body.slice(0, 500)}`);
  }
}

export interface Upload {
  status: number;
  body: string;
  /** From the request's start to the last byte of the answer. */
  seconds: number;
}

export class ApiClient {
  private cookies = new Map<string, string>();
  private bearer: string | undefined;

  constructor(readonly baseUrl: string) {}

  /** A client of the same server that authenticates with an API token. */
  withToken(token: string): ApiClient {
    const c = new ApiClient(this.baseUrl);
    c.bearer = token;
    return c;
  }

  async login(email: string, password: string): Promise<void> {
    await this.call('POST', '/api/v1/auth/login', { email, password });
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    Object.assign(headers, this.authHeaders(method));
    const res = await fetch(this.baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    const text = await res.text();
    if (!res.ok) throw new ApiError(res.status, text, `${method} ${path}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * POST a file as the request body, streamed from disk (never read whole), with its length known as
   * `curl --data-binary @file` would send it.
   */
  upload(path: string, file: string, contentType: string): Promise<Upload> {
    const url = new URL(this.baseUrl + path);
    const size = fs.statSync(file).size;
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: 'POST',
          agent: false,
          headers: {
            'content-type': contentType,
            'content-length': String(size),
            ...this.authHeaders('POST'),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              seconds: (performance.now() - started) / 1000,
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      const stream = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
      stream.on('error', (err) => req.destroy(err));
      stream.pipe(req);
    });
  }

  private authHeaders(method: string): Record<string, string> {
    if (this.bearer) return { authorization: `Bearer ${this.bearer}` };
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const csrf = this.cookies.get('enclave_csrf');
    if (csrf && !['GET', 'HEAD', 'OPTIONS'].includes(method))
      headers['x-csrf-token'] = decodeURIComponent(csrf);
    return headers;
  }
}

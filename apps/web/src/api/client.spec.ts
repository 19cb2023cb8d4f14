import { describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  buildUrl,
  createApiClient,
  errorFromResponse,
  fillPath,
  parseRetryAfter,
  readCookie,
} from './client';

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

function clientWith(response: Response | (() => Promise<Response>), cookie = '') {
  const fetch = vi.fn<typeof globalThis.fetch>(() =>
    typeof response === 'function' ? response() : Promise.resolve(response),
  );
  return { fetch, client: createApiClient({ fetch, cookies: () => cookie }) };
}

function sent(fetch: ReturnType<typeof clientWith>['fetch']) {
  const [url, init] = fetch.mock.calls[0]!;
  return { url: String(url), init: init!, headers: init!.headers as Record<string, string> };
}

describe('readCookie', () => {
  it('finds a cookie among others and decodes it', () => {
    expect(readCookie('enclave_csrf', 'a=1; enclave_csrf=abc%2Fdef; b=2')).toBe('abc/def');
    expect(readCookie('enclave_csrf', 'enclave_csrf=x')).toBe('x');
  });

  it('does not confuse a cookie whose name merely ends the same', () => {
    expect(readCookie('enclave_csrf', 'not_enclave_csrf=evil')).toBeUndefined();
    expect(readCookie('enclave_csrf', '')).toBeUndefined();
  });

  it('keeps a value that is not valid percent-encoding as it is', () => {
    expect(readCookie('c', 'c=100%')).toBe('100%');
  });
});

describe('CSRF header', () => {
  it('echoes the enclave_csrf cookie on every state-changing request', async () => {
    for (const [endpoint, options] of [
      ['POST /auth/logout', undefined],
      ['DELETE /auth/tokens/:id', { params: { id: 't1' } }],
      ['PATCH /users/:id', { params: { id: 'u1' }, body: { status: 'disabled' } }],
    ] as const) {
      const { fetch, client } = clientWith(
        new Response(null, { status: 204 }),
        'other=1; enclave_csrf=tok123',
      );
      // @ts-expect-error the tuple above mixes endpoints; each pair is valid on its own
      await client.call(endpoint, options);
      expect(sent(fetch).headers['X-CSRF-Token']).toBe('tok123');
    }
  });

  it('reads the cookie at request time, so a new sign-in is picked up', async () => {
    let cookie = 'enclave_csrf=first';
    const fetch = vi.fn<typeof globalThis.fetch>(() => Promise.resolve(new Response(null, { status: 204 })));
    const client = createApiClient({ fetch, cookies: () => cookie });
    await client.call('POST /auth/logout');
    cookie = 'enclave_csrf=second';
    await client.call('POST /auth/logout');
    expect((fetch.mock.calls[1]![1]!.headers as Record<string, string>)['X-CSRF-Token']).toBe('second');
  });

  it('sends no CSRF header on GET', async () => {
    const { fetch, client } = clientWith(json(200, { items: [], nextCursor: null }), 'enclave_csrf=tok123');
    await client.call('GET /users');
    expect(sent(fetch).headers['X-CSRF-Token']).toBeUndefined();
  });

  it('omits the header when there is no cookie yet (sign-in)', async () => {
    const { fetch, client } = clientWith(json(200, { user: { id: 'u' } }));
    await client.call('POST /auth/login', { body: { email: 'a@b.co', password: 'x' } });
    const { headers, init } = sent(fetch);
    expect(headers).not.toHaveProperty('X-CSRF-Token');
    expect(headers['Content-Type']).toBe('application/json');
    expect(init.body).toBe('{"email":"a@b.co","password":"x"}');
  });
});

describe('requests', () => {
  it('sends same-origin credentials to /api/v1 with path parameters encoded and empty query values dropped', async () => {
    const { fetch, client } = clientWith(json(200, { items: [], nextCursor: null }));
    await client.call('GET /audit', { query: { action: 'auth.login', cursor: undefined, limit: 50 } });
    expect(sent(fetch).url).toBe('/api/v1/audit?action=auth.login&limit=50');
    expect(sent(fetch).init.credentials).toBe('same-origin');
    expect(fillPath('/users/:id', { id: '../x?y' })).toBe('/users/..%2Fx%3Fy');
    expect(() => fillPath('/users/:id', {})).toThrow(/missing path parameter id/);
    expect(buildUrl('/x', { a: '', b: null, c: false })).toBe('/api/v1/x?c=false');
  });

  it('answers undefined for 204 and the parsed body otherwise', async () => {
    expect(
      await clientWith(new Response(null, { status: 204 })).client.call('POST /auth/logout'),
    ).toBeUndefined();
    const me = { id: 'u', email: 'a@b.co', name: 'A', role: 'owner', orgId: 'o' };
    expect(await clientWith(json(200, me)).client.call('GET /auth/me')).toEqual(me);
  });
});

describe('errors', () => {
  it('parses the uniform error body with its details', async () => {
    const { client } = clientWith(
      json(400, {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'invalid body: email: must be an e-mail address',
          details: [
            { path: 'email', message: 'must be an e-mail address' },
            { line: 3, message: 'bad line' },
            'junk',
          ],
        },
      }),
    );
    const error = await client.call('GET /users').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'invalid body: email: must be an e-mail address',
      details: [
        { path: 'email', message: 'must be an e-mail address' },
        { line: 3, message: 'bad line' },
      ],
    });
  });

  it('keeps Retry-After of a throttled sign-in', async () => {
    const { client } = clientWith(
      json(
        429,
        { error: { code: 'TOO_MANY_REQUESTS', message: 'too many failed sign-ins', details: [] } },
        { 'Retry-After': '42' },
      ),
    );
    const error = await client
      .call('POST /auth/login', { body: { email: 'a@b.co', password: 'x' } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS', retryAfterSeconds: 42 });
  });

  it('turns a body that is not the error shape (a proxy page) into a generic error', async () => {
    const error = await errorFromResponse(new Response('<html>Bad gateway</html>', { status: 502 }));
    expect(error).toMatchObject({ status: 502, code: 'HTTP_502', details: [] });
    expect(error.message).toMatch(/server/);
  });

  it('reports a network failure as status 0 and lets an abort through untouched', async () => {
    const failed = clientWith(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(await failed.client.call('GET /auth/me').catch((e: unknown) => e)).toMatchObject({
      status: 0,
      code: 'NETWORK_ERROR',
    });
    const aborted = clientWith(() => Promise.reject(new DOMException('aborted', 'AbortError')));
    expect(await aborted.client.call('GET /auth/me').catch((e: unknown) => e)).toMatchObject({
      name: 'AbortError',
    });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOperator,
  createOrg,
  expectErrorShape,
  signIn,
  startApp,
  type RunningApp,
  type TestOrg,
} from '../support/app';
import { Client, request, type HttpResponse } from '../support/http';

/** Hostile input: oversized, malformed, mistyped, deeply nested, prototype-polluting, fuzzed. */
let api: RunningApp;
let org: TestOrg;
let owner: Client;
let operator: Client;

beforeAll(async () => {
  api = await startApp();
  org = await createOrg(api);
  [owner, operator] = await Promise.all([
    signIn(api.url, org.users.owner),
    createOperator(api.migratorUrl).then((o) => signIn(api.url, o)),
  ]);
});
afterAll(async () => {
  await api?.close();
});

const LOGIN = '/api/v1/auth/login';
const userPath = () => `/api/v1/users/${org.users.annotator.id}`;

function raw(
  path: string,
  body: string | Buffer,
  headers: Record<string, string>,
  client?: Client,
  method = 'POST',
): Promise<HttpResponse> {
  return client
    ? client.send(method, path, undefined, { raw: body, headers })
    : request(api.url, path, { method, raw: body, headers });
}
const JSON_TYPE = { 'content-type': 'application/json' };

describe('body size', () => {
  it('refuses a body over 1 MB with 413, signed in or not', async () => {
    const big = JSON.stringify({ email: 'a@example.test', password: 'x'.repeat(1_100_000) });
    expectErrorShape(await raw(LOGIN, big, JSON_TYPE), 413, 'PAYLOAD_TOO_LARGE');
    expectErrorShape(
      await raw(userPath(), JSON.stringify({ name: 'y'.repeat(1_100_000) }), JSON_TYPE, owner, 'PATCH'),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    // Just under the limit is parsed (and then refused by the schema, not by size).
    const under = await raw(
      LOGIN,
      JSON.stringify({ email: 'a@example.test', password: 'x'.repeat(1_000_000) }),
      JSON_TYPE,
    );
    expectErrorShape(under, 400, 'VALIDATION_FAILED');
  });

  it('measures the limit after decompression (no gzip bomb)', async () => {
    const inflated = JSON.stringify({ email: 'a@example.test', password: ' '.repeat(5_000_000) });
    const bomb = gzipSync(inflated);
    expect(bomb.length).toBeLessThan(100_000);
    const res = await raw(LOGIN, bomb, { ...JSON_TYPE, 'content-encoding': 'gzip' });
    expectErrorShape(res, 413, 'PAYLOAD_TOO_LARGE');
    const unknownEncoding = await raw(LOGIN, '{}', { ...JSON_TYPE, 'content-encoding': 'x-compress-9000' });
    expectErrorShape(unknownEncoding, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('body syntax', () => {
  it('answers 400 MALFORMED_JSON to text that is not JSON', async () => {
    for (const text of [
      '{"email":',
      "{'email':'a'}",
      '{"a":1,}',
      'NaN',
      '{"a":01}',
      '\u0000',
      '"just a string"',
      '42',
      'null',
    ]) {
      const res = await raw(LOGIN, text, JSON_TYPE);
      expectErrorShape(res, 400, 'MALFORMED_JSON');
    }
  });

  it('answers 415 to a body that is not declared as JSON', async () => {
    const body = JSON.stringify({ email: 'a@example.test', password: 'x' });
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/json; charset=latin1',
    ]) {
      expectErrorShape(await raw(LOGIN, body, { 'content-type': type }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    expectErrorShape(await raw(LOGIN, body, {}), 415, 'UNSUPPORTED_MEDIA_TYPE');
    // A form post from another site cannot change anything even with the victim's cookies.
    const form = await raw(
      userPath(),
      'name=owned',
      { 'content-type': 'application/x-www-form-urlencoded' },
      owner,
      'PATCH',
    );
    expect([403, 415]).toContain(form.status);
    // JSON with a +json suffix type is JSON.
    const vendor = await raw(LOGIN, JSON.stringify({ email: 'x' }), {
      'content-type': 'application/vnd.enclave+json',
    });
    expectErrorShape(vendor, 400, 'VALIDATION_FAILED');
  });

  it('refuses nesting deeper than 32 levels before parsing it', async () => {
    const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const at = await raw(LOGIN, nested(32), JSON_TYPE);
    expectErrorShape(at, 400, 'VALIDATION_FAILED');
    const over = await raw(LOGIN, nested(33), JSON_TYPE);
    expectErrorShape(over, 400);
    expect(over.error.message).toMatch(/deeper than 32/);
    const huge = await raw(LOGIN, '['.repeat(200_000) + ']'.repeat(200_000), JSON_TYPE);
    expectErrorShape(huge, 400);
    expect(huge.error.message).toMatch(/deeper than 32/);
    // Brackets inside strings do not count.
    const inString = await raw(
      LOGIN,
      JSON.stringify({ email: '['.repeat(100), password: '{'.repeat(100) }),
      JSON_TYPE,
    );
    expectErrorShape(inString, 401, 'INVALID_CREDENTIALS');
  });

  it('refuses __proto__, constructor and prototype keys at any depth, and nothing gets polluted', async () => {
    for (const text of [
      '{"__proto__":{"polluted":"yes"},"email":"a","password":"b"}',
      '{"email":"a","password":"b","constructor":{"prototype":{"polluted":"yes"}}}',
      '{"name":{"x":{"__proto__":{"polluted":"yes"}}}}',
      '{"a":[{"prototype":1}]}',
      '{"\\u005f_proto__":{"polluted":"yes"}}',
    ]) {
      expectErrorShape(await raw(LOGIN, text, JSON_TYPE), 400, 'MALFORMED_JSON');
      expectErrorShape(await raw(userPath(), text, JSON_TYPE, owner, 'PATCH'), 400, 'MALFORMED_JSON');
    }
    // The server runs in this process: its prototypes are ours.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('query parameters', () => {
  it('answers 400 to a bad limit, a bad cursor or an unknown parameter on every list', async () => {
    const lists: [Client, string][] = [
      [owner, '/api/v1/users'],
      [owner, '/api/v1/audit'],
      [operator, '/api/v1/platform/orgs'],
    ];
    for (const [client, path] of lists) {
      for (const q of [
        'limit=abc',
        'limit=100000',
        'limit=0',
        'limit=-1',
        'limit=',
        'limit=1.5',
        'limit=1&limit=2',
        'cursor=%00%01',
        'sort=email',
        'limit[]=1',
      ]) {
        const res = await client.get(`${path}?${q}`);
        expectErrorShape(res, 400);
        expect(['INVALID_PARAMETER', 'VALIDATION_FAILED'], `${path}?${q}`).toContain(res.error.code);
      }
      expect((await client.get(`${path}?limit=500`)).status).toBe(200);
    }
  });
});

describe('strings the database cannot store', () => {
  it('answers 400, not 500, to NUL characters in any text field', async () => {
    const nul = 'a\u0000b';
    const cases: [Client | null, string, string, unknown][] = [
      [null, 'POST', LOGIN, { email: `x${nul}@example.test`, password: 'whatever it is' }],
      [
        owner,
        'POST',
        '/api/v1/users',
        {
          email: `nul.${org.slug}@example.test`,
          name: nul,
          role: 'annotator',
          password: 'nul byte passphrase',
        },
      ],
      [owner, 'PATCH', userPath(), { name: nul }],
      [owner, 'POST', '/api/v1/auth/tokens', { name: nul }],
      [
        owner,
        'POST',
        '/api/v1/auth/password',
        { currentPassword: nul, newPassword: `long enough ${nul} passphrase` },
      ],
      [owner, 'GET', `/api/v1/users?cursor=${Buffer.from(`email:${nul}`).toString('base64url')}`, undefined],
      [
        operator,
        'POST',
        '/api/v1/platform/orgs',
        {
          name: nul,
          slug: `nul-${org.slug}`,
          owner: { email: `nulowner.${org.slug}@example.test`, name: 'x', password: 'nul byte passphrase' },
        },
      ],
    ];
    const failures: string[] = [];
    for (const [client, method, path, body] of cases) {
      const res = client
        ? await client.send(method, path, body)
        : await request(api.url, path, { method, json: body });
      if (res.status >= 500 || res.status < 400) failures.push(`${method} ${path}: ${res.toString()}`);
      else expectErrorShape(res, res.status);
    }
    expect(failures).toEqual([]);
  });
});

describe('fuzzing', () => {
  /** Every answer is below 500, and every error answer has the uniform shape. */
  function expectSane(res: HttpResponse, what: string): void {
    expect(res.status, `${what}: ${res.toString()}`).toBeLessThan(500);
    expect(res.header('x-request-id'), what).toBeTruthy();
    if (res.status >= 400 && res.text.length > 0) {
      const body = res.json<{ error?: { code?: unknown; message?: unknown; details?: unknown } }>();
      expect(typeof body.error?.code, `${what}: ${res.toString()}`).toBe('string');
      expect(Array.isArray(body.error?.details), what).toBe(true);
    }
  }

  const text = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(
      '',
      ' ',
      'a@b.c',
      'owner',
      'admin',
      'operator',
      'disabled',
      'active',
      "' OR 1=1 --",
      '${7*7}',
      '../../etc/passwd',
      '\u202e',
      'x'.repeat(300),
    ),
  );
  const value = fc.oneof(
    text,
    fc.jsonValue({ maxDepth: 3 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
  );
  const shaped = (keys: string[]) =>
    fc.dictionary(fc.constantFrom(...keys, 'orgId', 'id', 'extra'), value, { maxKeys: keys.length + 1 });
  const body = (keys: string[]) =>
    fc.oneof({ weight: 3, arbitrary: shaped(keys) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) });
  const id = fc.oneof(
    fc.uuid(),
    fc.uuid().map((u) => u.toUpperCase()),
    fc.string({ maxLength: 40 }).map((s) => encodeURIComponent(s)),
    fc.constantFrom(
      '00000000-0000-0000-0000-000000000000',
      'null',
      'undefined',
      '%00',
      '..%2f..%2f',
      '%E0%A4%A',
      '%',
      '1;DROP%20TABLE%20users',
      'a'.repeat(2000),
    ),
  );

  const endpoints: {
    method: string;
    path: (id: string) => string;
    keys: string[];
    as: () => Client | null;
  }[] = [
    { method: 'POST', path: () => LOGIN, keys: ['email', 'password'], as: () => null },
    {
      method: 'POST',
      path: () => '/api/v1/auth/tokens',
      keys: ['name', 'expiresInDays', 'scopes'],
      as: () => owner,
    },
    { method: 'DELETE', path: (i) => `/api/v1/auth/tokens/${i}`, keys: [], as: () => owner },
    {
      method: 'POST',
      path: () => '/api/v1/auth/password',
      keys: ['currentPassword', 'newPassword'],
      as: () => owner,
    },
    { method: 'GET', path: (i) => `/api/v1/users/${i}`, keys: [], as: () => owner },
    {
      method: 'POST',
      path: () => '/api/v1/users',
      keys: ['email', 'name', 'role', 'password'],
      as: () => owner,
    },
    { method: 'PATCH', path: (i) => `/api/v1/users/${i}`, keys: ['name', 'role', 'status'], as: () => owner },
    {
      method: 'POST',
      path: () => '/api/v1/platform/orgs',
      keys: ['name', 'slug', 'owner'],
      as: () => operator,
    },
    { method: 'PATCH', path: (i) => `/api/v1/platform/orgs/${i}`, keys: ['status'], as: () => operator },
  ];

  it('survives random bodies and ids at every endpoint', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...endpoints).chain((e) => fc.tuple(fc.constant(e), body(e.keys))),
        fc.boolean(),
        id,
        async ([e, b], realId, randomId) => {
          const target = realId ? org.users.annotator.id : randomId;
          const client = e.as();
          const path = e.path(target);
          const res = client
            ? await client.send(e.method, path, e.method === 'GET' || e.method === 'DELETE' ? undefined : b)
            : await request(api.url, path, { method: e.method, json: b });
          expectSane(res, `${e.method} ${path} ${JSON.stringify(b)?.slice(0, 200)}`);
        },
      ),
      { numRuns: 150, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31), verbose: 1 },
    );
    // The fuzzing session is still signed in and the organization still has its owner.
    expect((await owner.get('/api/v1/auth/me')).status).toBe(200);
  });

  it('survives random paths, methods and headers', async () => {
    const methods = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD');
    const segment = fc.oneof(
      fc.constantFrom(
        'api',
        'v1',
        'users',
        'auth',
        'tokens',
        'audit',
        'verify',
        'platform',
        'orgs',
        'me',
        'health',
        '..',
        '.',
        '',
        '%2e%2e',
        '%2F',
        'openapi.json',
        'docs',
      ),
      fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s)),
      fc.uuid(),
    );
    const path = fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => `/api/v1/${s.join('/')}`);
    const header = fc.oneof(
      fc.constant(undefined),
      fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
    );
    await fc.assert(
      fc.asyncProperty(
        methods,
        path,
        header,
        header,
        header,
        fc.option(fc.jsonValue({ maxDepth: 3 })),
        async (method, p, cookie, authorization, csrf, b) => {
          const headers: Record<string, string> = {};
          if (cookie !== undefined) headers.cookie = cookie;
          if (authorization !== undefined) headers.authorization = authorization;
          if (csrf !== undefined) headers['x-csrf-token'] = csrf;
          const withBody = b !== null && method !== 'GET' && method !== 'HEAD';
          const res = await request(api.url, p, { method, headers, json: withBody ? b : undefined });
          expectSane(res, `${method} ${p} ${JSON.stringify(headers)}`);
        },
      ),
      { numRuns: 150, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31), verbose: 1 },
    );
  });

  it('survives hand-picked hostile paths and ids', async () => {
    const paths = [
      '/api/v1/users/%E0%A4%A',
      '/api/v1/users/%',
      '/api/v1/users/%00',
      `/api/v1/users/${randomUUID()}%00`,
      '/api/v1/users/..%2f..%2fplatform%2forgs',
      '/api/v1//users',
      '/api/v1/users/' + 'a'.repeat(8000),
      '/api/v1/audit?cursor=' + '%ff'.repeat(50),
      '/api/v1/audit?actorId[$ne]=x',
      '/api/v1/users?limit=1e3',
      '/api/v1/users?__proto__[x]=1',
      '/api/v1/users?constructor=1',
    ];
    for (const p of paths) {
      for (const client of [owner, new Client(api.url)]) expectSane(await client.get(p), `GET ${p}`);
      expectSane(await owner.patch(p, { name: 'x' }), `PATCH ${p}`);
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

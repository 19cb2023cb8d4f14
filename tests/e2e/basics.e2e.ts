import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectErrorShape, startApp, type RunningApp } from '../support/app';
import { request } from '../support/http';

/** What every caller sees before signing in: health, the error shape, headers, the API's own description. */
let api: RunningApp;

beforeAll(async () => {
  api = await startApp();
});
afterAll(async () => {
  await api?.close();
});

describe('health', () => {
  it('answers ok with the database reachable, to anyone', async () => {
    const res = await request(api.url, '/api/v1/health');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', db: 'ok' });
  });
});

describe('unknown routes and the error shape', () => {
  it('answers 404 with { error: { code, message, details } } and a request id', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/nothing-here'],
      ['POST', '/api/v1/health'],
      ['DELETE', '/api/v1/users'],
      ['GET', '/api/v2/users'],
    ] as const) {
      const res = await request(api.url, path, { method });
      expectErrorShape(res, 404, 'NOT_FOUND');
      expect(res.header('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('puts an X-Request-Id on every answer, echoing a sane one the caller sent and replacing an unsafe one', async () => {
    const answers = await Promise.all([
      request(api.url, '/api/v1/health'),
      request(api.url, '/api/v1/auth/me'),
      request(api.url, '/api/v1/users', { method: 'POST', json: {} }),
      request(api.url, '/api/v1/auth/login', { method: 'POST', json: { nope: 1 } }),
      request(api.url, '/api/v1/openapi.json'),
      request(api.url, '/api/docs'),
      request(api.url, '/not-the-api'),
      request(api.url, '/api/v1/users/%E0%A4%A'),
      request(api.url, '/api/v1/auth/login', {
        method: 'POST',
        raw: 'x',
        headers: { 'content-type': 'text/plain' },
      }),
    ]);
    const ids = answers.map((r) => r.requestId);
    expect(new Set(ids).size).toBe(ids.length);
    // An error names the same id in its body, for support requests.
    for (const res of answers.filter((r) => r.status >= 400)) expect(res.error.requestId).toBe(res.requestId);

    const echoed = await request(api.url, '/api/v1/health', {
      headers: { 'x-request-id': 'trace-e2e.42_A' },
    });
    expect(echoed.header('x-request-id')).toBe('trace-e2e.42_A');
    for (const unsafe of ['has space', 'x'.repeat(65), 'evil\u00e9', 'a;b']) {
      const res = await request(api.url, '/api/v1/health', {
        headers: { 'x-request-id': Buffer.from(unsafe).toString('latin1') },
      });
      expect(res.header('x-request-id')).not.toBe(unsafe);
      expect(res.header('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('answers 401 UNAUTHENTICATED in the same shape when nobody is signed in', async () => {
    for (const path of [
      '/api/v1/auth/me',
      '/api/v1/users',
      '/api/v1/audit',
      '/api/v1/platform/orgs',
      '/api/v1/auth/tokens',
    ]) {
      const res = await request(api.url, path);
      expectErrorShape(res, 401, 'UNAUTHENTICATED');
    }
  });
});

describe('security headers', () => {
  it('sends a strict Content-Security-Policy and the usual hardening headers on answers and errors', async () => {
    for (const path of ['/api/v1/health', '/api/v1/nothing-here', '/api/v1/auth/me']) {
      const res = await request(api.url, path);
      const csp = res.header('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(res.header('x-content-type-options')).toBe('nosniff');
      expect(res.header('x-frame-options')).toMatch(/^(DENY|SAMEORIGIN)$/);
      expect(res.header('referrer-policy')).toBe('no-referrer');
      expect(res.header('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(res.header('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.header('x-powered-by')).toBeUndefined();
    }
  });
});

describe('OpenAPI', () => {
  it('describes every endpoint of the API at /api/v1/openapi.json', async () => {
    const res = await request(api.url, '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    expect(doc.openapi).toMatch(/^3\./);
    const expected: Record<string, string[]> = {
      '/api/v1/health': ['get'],
      '/api/v1/auth/login': ['post'],
      '/api/v1/auth/logout': ['post'],
      '/api/v1/auth/me': ['get'],
      '/api/v1/auth/password': ['post'],
      '/api/v1/auth/tokens': ['get', 'post'],
      '/api/v1/auth/tokens/{id}': ['delete'],
      '/api/v1/platform/orgs': ['get', 'post'],
      '/api/v1/platform/orgs/{id}': ['patch'],
      '/api/v1/users': ['get', 'post'],
      '/api/v1/users/{id}': ['get', 'patch'],
      '/api/v1/audit': ['get'],
      '/api/v1/audit/verify': ['get'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      expect(doc.paths, path).toHaveProperty([path]);
      for (const m of methods) expect(doc.paths[path], `${m} ${path}`).toHaveProperty([m]);
    }
  });

  it('serves the browsable docs from the instance, with nothing fetched from another origin', async () => {
    const page = await request(api.url, '/api/docs');
    expect(page.status).toBe(200);
    expect(page.header('content-type')).toMatch(/^text\/html/);
    expect(page.text).toMatch(/swagger/i);
    // Every script, stylesheet and image the page loads is a relative (same-origin) reference.
    const refs = [...page.text.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ref, ref).not.toMatch(/^(?:[a-z][a-z0-9+.-]*:)?\/\//i);
    expect(page.text).not.toMatch(
      /https?:\/\/(?!localhost|127\.0\.0\.1)[^\s"'<>]*\.(?:js|css|png|svg|woff2?)/i,
    );
    expect(page.header('content-security-policy')).toContain("default-src 'self'");

    // The assets it names are served by the instance, and the initialiser points at the local document.
    for (const ref of refs.filter((r) => /\.(js|css)$/.test(r))) {
      const asset = await request(api.url, new URL(ref, `${api.url}/api/docs/`).pathname);
      expect(asset.status, ref).toBe(200);
    }
    const init = await request(api.url, '/api/docs/swagger-ui-init.js');
    expect(init.status).toBe(200);
    expect(init.text).not.toContain('validator.swagger.io');
    expect(init.text).not.toContain('petstore');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeResponse } from '@enclave/contracts';
import {
  auditEvents,
  createOperator,
  createOrg,
  expectDenialAudited,
  expectErrorShape,
  me,
  signIn,
  startApp,
  TEST_PASSWORD,
  type Operator,
  type RunningApp,
  type TestOrg,
} from '../support/app';
import {
  Client,
  cookieAttributes,
  CSRF_COOKIE,
  request,
  SESSION_COOKIE,
  type HttpResponse,
} from '../support/http';

/** Sign-in, sessions, sign-out, CSRF and password changes, over HTTP as a browser does them. */
let api: RunningApp;
let org: TestOrg;
let operator: Operator;

beforeAll(async () => {
  api = await startApp();
  [org, operator] = await Promise.all([createOrg(api), createOperator(api.migratorUrl)]);
});
afterAll(async () => {
  await api?.close();
});

function login(email: string, password: string, client = new Client(api.url)): Promise<HttpResponse> {
  return client.post('/api/v1/auth/login', { email, password });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe('login', () => {
  it('answers 200 with the user, an HttpOnly SameSite=Strict session cookie and a readable CSRF cookie', async () => {
    const client = new Client(api.url);
    const res = await login(org.users.manager.email, TEST_PASSWORD, client);
    expect(res.status, res.toString()).toBe(200);
    const { user } = res.json<{ user: MeResponse }>();
    expect(user).toMatchObject({
      id: org.users.manager.id,
      email: org.users.manager.email,
      role: 'manager',
      orgId: org.orgId,
    });

    const session = cookieAttributes(res.setCookies, SESSION_COOKIE);
    expect(session, res.setCookies.join('\n')).toBeDefined();
    expect(session!.value).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(session!.httponly).toBe(true);
    expect(String(session!.samesite).toLowerCase()).toBe('strict');
    expect(session!.path).toBe('/');

    const csrf = cookieAttributes(res.setCookies, CSRF_COOKIE);
    expect(csrf).toBeDefined();
    expect(csrf!.value).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(csrf!.value).not.toBe(session!.value);
    expect(csrf!.httponly).toBeUndefined();
    expect(String(csrf!.samesite).toLowerCase()).toBe('strict');

    // The cookie is the credential: /me answers for it.
    expect(await me(client)).toMatchObject({ id: org.users.manager.id, role: 'manager', orgId: org.orgId });
    // Nothing secret comes back in the body.
    expect(res.text).not.toContain('password');
    expect(res.text).not.toContain(session!.value as string);
  });

  it('accepts the e-mail address in any case and with surrounding spaces', async () => {
    const res = await login(`  ${org.users.reviewer.email.toUpperCase()} `, TEST_PASSWORD);
    expect(res.status, res.toString()).toBe(200);
  });

  it('answers an unknown e-mail and a wrong password identically, in comparable time', async () => {
    const wrong: HttpResponse[] = [];
    const unknown: HttpResponse[] = [];
    // Interleaved, so that load from other test files weighs on both paths alike.
    for (let i = 0; i < 4; i++) {
      wrong.push(await login(org.users.annotator.email, `not the password ${i}`));
      unknown.push(await login(`nobody-${i}.${org.slug}@example.test`, `not the password ${i}`));
    }
    for (const res of [...wrong, ...unknown]) expectErrorShape(res, 401, 'INVALID_CREDENTIALS');
    const strip = (r: HttpResponse) => {
      const { requestId: _id, ...rest } = r.error;
      return rest;
    };
    expect(strip(unknown[0]!)).toEqual(strip(wrong[0]!));
    expect(unknown[0]!.error.message).toBe(wrong[0]!.error.message);
    expect(unknown[0]!.setCookies).toEqual([]);
    expect(wrong[0]!.setCookies).toEqual([]);
    // An unknown address still costs a password hash check: without it, the answer would come back in a
    // fraction of the time and tell which addresses have an account.
    const wrongMs = median(wrong.map((r) => r.ms));
    const unknownMs = median(unknown.map((r) => r.ms));
    expect(
      unknownMs,
      `unknown ${unknownMs.toFixed(1)} ms vs wrong password ${wrongMs.toFixed(1)} ms`,
    ).toBeGreaterThan(0.3 * wrongMs);
  });

  it('refuses a login body that is not {email, password}', async () => {
    for (const body of [
      {},
      { email: org.users.owner.email },
      { email: org.users.owner.email, password: 1 },
      { email: 'a', password: 'b', remember: true },
    ]) {
      const res = await new Client(api.url).post('/api/v1/auth/login', body);
      expectErrorShape(res, 400);
    }
  });

  it('gives a new session id at every sign-in; both sessions work until each signs out', async () => {
    const first = await signIn(api.url, org.users.admin);
    const second = await signIn(api.url, org.users.admin);
    expect(second.sessionCookie).not.toBe(first.sessionCookie);
    expect(second.csrf).not.toBe(first.csrf);
    expect((await first.get('/api/v1/auth/me')).status).toBe(200);
    expect((await second.get('/api/v1/auth/me')).status).toBe(200);

    // A session id the visitor held before signing in is not kept (no session fixation).
    const fixated = first.clone();
    const relogin = await fixated.post('/api/v1/auth/login', {
      email: org.users.admin.email,
      password: TEST_PASSWORD,
    });
    expect(relogin.status).toBe(200);
    expect(fixated.sessionCookie).not.toBe(first.sessionCookie);

    const stolen = first.clone();
    const out = await first.post('/api/v1/auth/logout');
    expect(out.status, out.toString()).toBe(204);
    expect(out.text).toBe('');
    // The answer clears both cookies in the browser...
    expect(cookieAttributes(out.setCookies, SESSION_COOKIE)?.value).toBe('');
    expect(cookieAttributes(out.setCookies, CSRF_COOKIE)?.value).toBe('');
    // ...and the server forgets the session: a replayed cookie is refused.
    const replay = await stolen.get('/api/v1/auth/me');
    expectErrorShape(replay, 401, 'UNAUTHENTICATED');
    expect((await stolen.post('/api/v1/auth/logout')).status).toBe(401);
    // The other session is untouched.
    expect((await second.get('/api/v1/auth/me')).status).toBe(200);
    expect((await fixated.get('/api/v1/auth/me')).status).toBe(200);

    const events = await auditEvents(second, { actorId: org.users.admin.id });
    expect(events.filter((e) => e.action === 'auth.login').length).toBeGreaterThanOrEqual(3);
    expect(events.some((e) => e.action === 'auth.logout')).toBe(true);
  });

  it('refuses made-up and oversized session cookies', async () => {
    for (const cookie of [
      `${SESSION_COOKIE}=forged`,
      `${SESSION_COOKIE}=${'A'.repeat(43)}`,
      `${SESSION_COOKIE}=${'x'.repeat(5000)}`,
      `${SESSION_COOKIE}=`,
    ]) {
      const res = await request(api.url, '/api/v1/auth/me', { headers: { cookie } });
      expectErrorShape(res, 401, 'UNAUTHENTICATED');
    }
  });
});

describe('me', () => {
  it('describes a user of an organization', async () => {
    const client = await signIn(api.url, org.users.reviewer);
    const body = await me(client);
    expect(body).toMatchObject({
      id: org.users.reviewer.id,
      email: org.users.reviewer.email,
      role: 'reviewer',
      orgId: org.orgId,
    });
    expect(typeof body.name).toBe('string');
  });

  it('describes the operator as role "operator" with no organization', async () => {
    const client = await signIn(api.url, operator);
    const body = await me(client);
    expect(body).toMatchObject({ id: operator.id, email: operator.email, role: 'operator', orgId: null });
    const out = await client.post('/api/v1/auth/logout');
    expect(out.status).toBe(204);
  });

  it('signs the operator out for good', async () => {
    const client = await signIn(api.url, operator);
    const stolen = client.clone();
    expect((await client.post('/api/v1/auth/logout')).status).toBe(204);
    expectErrorShape(await stolen.get('/api/v1/auth/me'), 401, 'UNAUTHENTICATED');
  });
});

describe('CSRF (double submit)', () => {
  let admin: Client;
  let victim: Client;

  beforeAll(async () => {
    [admin, victim] = await Promise.all([signIn(api.url, org.users.admin), signIn(api.url, org.users.owner)]);
  });

  const target = () => `/api/v1/users/${org.users.annotator.id}`;
  const attempts: [string, (c: Client, csrf: string | false) => Promise<HttpResponse>][] = [
    ['POST', (c, csrf) => c.post('/api/v1/auth/tokens', { name: 'csrf' }, { csrf })],
    ['PATCH', (c, csrf) => c.patch(target(), { name: 'Renamed by CSRF' }, { csrf })],
    ['DELETE', (c, csrf) => c.delete('/api/v1/auth/tokens/00000000-0000-4000-8000-000000000000', { csrf })],
    ['POST logout', (c, csrf) => c.post('/api/v1/auth/logout', undefined, { csrf })],
  ];

  it.each(attempts)(
    'refuses a cookie-authenticated %s without the X-CSRF-Token header, and audits it',
    async (_m, attempt) => {
      const res = await attempt(victim, false);
      expectErrorShape(res, 403, 'CSRF_TOKEN_INVALID');
      await expectDenialAudited(admin, res.requestId, 403);
    },
  );

  it.each(attempts)('refuses a cookie-authenticated %s with a wrong X-CSRF-Token', async (_m, attempt) => {
    const res = await attempt(victim, 'not-the-token');
    expectErrorShape(res, 403, 'CSRF_TOKEN_INVALID');
    await expectDenialAudited(admin, res.requestId, 403);
  });

  it("refuses another session's CSRF token, and a forged cookie matching a forged header", async () => {
    const other = await victim.patch(target(), { name: 'x' }, { csrf: admin.csrf! });
    expectErrorShape(other, 403, 'CSRF_TOKEN_INVALID');
    // An attacker able to plant a cookie (sibling subdomain) sets both to the same value: still refused.
    const planted = victim.clone();
    planted.cookies.set(CSRF_COOKIE, 'planted-value');
    const res = await planted.patch(target(), { name: 'x' }, { csrf: 'planted-value' });
    expectErrorShape(res, 403, 'CSRF_TOKEN_INVALID');
    // The header without its cookie is refused too.
    const noCookie = victim.clone();
    noCookie.cookies.delete(CSRF_COOKIE);
    expectErrorShape(
      await noCookie.patch(target(), { name: 'x' }, { csrf: victim.csrf! }),
      403,
      'CSRF_TOKEN_INVALID',
    );

    // Nothing was changed by any refused attempt.
    const user = await admin.get(target());
    expect(user.json<{ name: string }>().name).toBe(`annotator of ${org.slug}`);
    // And the session is still signed in: the refused logout did not sign it out.
    expect((await victim.get('/api/v1/auth/me')).status).toBe(200);
  });

  it('accepts the same requests with the right token, and safe methods without one', async () => {
    expect((await victim.get('/api/v1/users', { csrf: false })).status).toBe(200);
    const res = await victim.patch(target(), { name: 'Renamed with CSRF' });
    expect(res.status, res.toString()).toBe(200);
    expect(res.json<{ name: string }>().name).toBe('Renamed with CSRF');
    const back = await victim.patch(target(), { name: `annotator of ${org.slug}` });
    expect(back.status).toBe(200);
  });

  it('needs no CSRF token for a bearer-token request', async () => {
    const created = await admin.post('/api/v1/auth/tokens', { name: 'no csrf needed' });
    expect(created.status, created.toString()).toBe(201);
    const api2 = Client.withToken(api.url, created.json<{ token: string }>().token);
    const res = await api2.patch(`/api/v1/users/${org.users.reviewer.id}`, { name: 'Renamed by token' });
    expect(res.status, res.toString()).toBe(200);
    expect(res.json<{ name: string }>().name).toBe('Renamed by token');
  });
});

describe('password change', () => {
  it('ends every other session and token of the user, keeps the caller signed in, and swaps the password', async () => {
    const who = org.users.manager;
    const a = await signIn(api.url, who);
    const b = await signIn(api.url, who);
    const tokenRes = await a.post('/api/v1/auth/tokens', { name: 'before the change' });
    expect(tokenRes.status).toBe(201);
    const token = Client.withToken(api.url, tokenRes.json<{ token: string }>().token);
    expect((await token.get('/api/v1/auth/me')).status).toBe(200);
    const oldCookie = a.clone();
    const colleague = await signIn(api.url, org.users.reviewer);

    const newPassword = 'a brand new manager passphrase';
    const res = await a.post('/api/v1/auth/password', { currentPassword: TEST_PASSWORD, newPassword });
    expect(res.status, res.toString()).toBe(204);
    // The caller gets a fresh session in the answer.
    expect(a.sessionCookie).not.toBe(oldCookie.sessionCookie);
    expect((await a.get('/api/v1/auth/me')).status).toBe(200);

    expectErrorShape(await b.get('/api/v1/auth/me'), 401, 'UNAUTHENTICATED');
    expectErrorShape(await token.get('/api/v1/auth/me'), 401, 'UNAUTHENTICATED');
    expectErrorShape(await oldCookie.get('/api/v1/auth/me'), 401, 'UNAUTHENTICATED');
    // Other users are not affected.
    expect((await colleague.get('/api/v1/auth/me')).status).toBe(200);

    expectErrorShape(await login(who.email, TEST_PASSWORD), 401, 'INVALID_CREDENTIALS');
    expect((await login(who.email, newPassword)).status).toBe(200);

    const events = await auditEvents(await signIn(api.url, org.users.owner), {
      action: 'auth.password_changed',
    });
    expect(events.some((e) => e.targetId === who.id && e.actorId === who.id)).toBe(true);
  });

  it('refuses a weak or common new password with 400 WEAK_PASSWORD and keeps the old one', async () => {
    const who = org.users.annotator;
    const client = await signIn(api.url, who);
    for (const weak of [
      'password123456',
      'qwertyuiop123',
      'aaaaaaaaaaaaaaaa',
      `${who.email.split('@')[0]}`,
    ]) {
      const res = await client.post('/api/v1/auth/password', {
        currentPassword: TEST_PASSWORD,
        newPassword: weak,
      });
      expectErrorShape(res, 400, 'WEAK_PASSWORD');
      expect(res.error.details[0]?.path).toBe('newPassword');
    }
    const short = await client.post('/api/v1/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'short pw',
    });
    expectErrorShape(short, 400);
    expect(short.error.details.map((d) => d.path)).toContain('newPassword');
    // The session survives refused attempts, and the old password still signs in.
    expect((await client.get('/api/v1/auth/me')).status).toBe(200);
    expect((await login(who.email, TEST_PASSWORD)).status).toBe(200);
  });

  it('refuses a wrong current password and a change made with an API token', async () => {
    const who = org.users.reviewer;
    const client = await signIn(api.url, who);
    const wrong = await client.post('/api/v1/auth/password', {
      currentPassword: 'not my password',
      newPassword: 'another fine passphrase',
    });
    expectErrorShape(wrong, 401, 'INVALID_CREDENTIALS');

    const tokenRes = await client.post('/api/v1/auth/tokens', { name: 'pw' });
    const token = Client.withToken(api.url, tokenRes.json<{ token: string }>().token);
    const viaToken = await token.post('/api/v1/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'another fine passphrase',
    });
    expectErrorShape(viaToken, 403, 'FORBIDDEN');
    expect((await login(who.email, TEST_PASSWORD)).status).toBe(200);
  });

  it('refuses unknown fields in the body', async () => {
    const client = await signIn(api.url, org.users.owner);
    const res = await client.post('/api/v1/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'x'.repeat(20),
      userId: org.users.admin.id,
    });
    expectErrorShape(res, 400, 'VALIDATION_FAILED');
    expect(JSON.stringify(res.error.details)).toContain('userId');
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEvents,
  createOrg,
  expectErrorShape,
  signIn,
  startApp,
  TEST_PASSWORD,
  type RunningApp,
  type TestOrg,
} from '../support/app';
import { Client, type HttpResponse } from '../support/http';

/**
 * Sign-in throttling per account and per client address. The counters live in the database, which
 * every test file shares, and every other file signs in from 127.0.0.1 with the per-address limit
 * lifted; so each test here speaks from loopback addresses of its own (127.0.0.x, bound on the client
 * side) and never fails a sign-in from 127.0.0.1.
 */
const PER_ACCOUNT = 3;
const PER_ADDRESS = 4;
const WINDOW_SECONDS = 600;
const limits = {
  ENCLAVE_LOGIN_MAX_FAILURES_PER_ACCOUNT: String(PER_ACCOUNT),
  ENCLAVE_LOGIN_MAX_FAILURES_PER_ADDRESS: String(PER_ADDRESS),
  ENCLAVE_LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS),
};

let direct: RunningApp;
let proxied: RunningApp;
let org: TestOrg;

beforeAll(async () => {
  [direct, proxied] = await Promise.all([
    startApp(limits),
    startApp({ ...limits, ENCLAVE_TRUST_PROXY: 'loopback' }),
  ]);
  org = await createOrg(direct);
});
afterAll(async () => {
  await Promise.all([direct?.close(), proxied?.close()]);
});

function attempt(
  app: RunningApp,
  from: string,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<HttpResponse> {
  return new Client(app.url, { localAddress: from }).post(
    '/api/v1/auth/login',
    { email, password },
    { headers },
  );
}

const nobody = () => `nobody.${randomBytes(5).toString('hex')}@example.test`;

function expectThrottled(res: HttpResponse): void {
  expectErrorShape(res, 429, 'TOO_MANY_REQUESTS');
  const retryAfter = Number(res.header('retry-after'));
  expect(Number.isInteger(retryAfter), `Retry-After: ${res.header('retry-after')}`).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
  expect(res.setCookies).toEqual([]);
}

describe('per account', () => {
  it(`answers 429 with Retry-After after ${PER_ACCOUNT} failures, even to the right password, from anywhere`, async () => {
    const victim = org.users.annotator;
    // Each failure from a different address, so that only the account's count can trip.
    for (let i = 0; i < PER_ACCOUNT; i++) {
      expectErrorShape(
        await attempt(direct, `127.0.0.${11 + i}`, victim.email, `wrong guess ${i}`),
        401,
        'INVALID_CREDENTIALS',
      );
    }
    expectThrottled(await attempt(direct, '127.0.0.15', victim.email, TEST_PASSWORD));
    expectThrottled(await attempt(direct, '127.0.0.16', victim.email.toUpperCase(), TEST_PASSWORD));
    // The address is not blocked: another account signs in from it.
    expect((await attempt(direct, '127.0.0.15', org.users.reviewer.email, TEST_PASSWORD)).status).toBe(200);
  });

  it("counts failures for unknown e-mail addresses too, and a success clears the account's count", async () => {
    const who = org.users.manager;
    for (let i = 0; i < PER_ACCOUNT - 1; i++) {
      expectErrorShape(
        await attempt(direct, `127.0.0.${21 + i}`, who.email, `wrong ${i}`),
        401,
        'INVALID_CREDENTIALS',
      );
    }
    expect((await attempt(direct, '127.0.0.24', who.email, TEST_PASSWORD)).status).toBe(200);
    // The count started over: two more failures are still below the limit.
    for (let i = 0; i < PER_ACCOUNT - 1; i++) {
      expectErrorShape(
        await attempt(direct, `127.0.0.${25 + i}`, who.email, `wrong again ${i}`),
        401,
        'INVALID_CREDENTIALS',
      );
    }
    expect((await attempt(direct, '127.0.0.28', who.email, TEST_PASSWORD)).status).toBe(200);

    const ghost = nobody();
    for (let i = 0; i < PER_ACCOUNT; i++)
      expect((await attempt(direct, `127.0.0.${31 + i}`, ghost, 'whatever it is')).status).toBe(401);
    expectThrottled(await attempt(direct, '127.0.0.35', ghost, 'whatever it is'));
  });
});

describe('per address', () => {
  it(`answers 429 after ${PER_ADDRESS} failures from one address across different accounts`, async () => {
    const from = '127.0.0.41';
    for (let i = 0; i < PER_ADDRESS; i++)
      expectErrorShape(await attempt(direct, from, nobody(), 'guessing'), 401, 'INVALID_CREDENTIALS');
    // A real account with its right password, never failed before: refused from this address...
    expectThrottled(await attempt(direct, from, org.users.admin.email, TEST_PASSWORD));
    // ...and welcome from another.
    expect((await attempt(direct, '127.0.0.42', org.users.admin.email, TEST_PASSWORD)).status).toBe(200);
  });

  it('is not reset by a successful sign-in from the address', async () => {
    const from = '127.0.0.51';
    for (let i = 0; i < PER_ADDRESS - 1; i++)
      expect((await attempt(direct, from, nobody(), 'guessing')).status).toBe(401);
    expect((await attempt(direct, from, org.users.owner.email, TEST_PASSWORD)).status).toBe(200);
    expect((await attempt(direct, from, nobody(), 'guessing')).status).toBe(401);
    expectThrottled(await attempt(direct, from, org.users.owner.email, TEST_PASSWORD));
  });

  it('is neither dodged nor reset by a forged X-Forwarded-For when no proxy is trusted', async () => {
    const from = '127.0.0.61';
    for (let i = 0; i < PER_ADDRESS; i++) {
      const res = await attempt(direct, from, nobody(), 'guessing', {
        'x-forwarded-for': `203.0.113.${i + 1}`,
      });
      expectErrorShape(res, 401, 'INVALID_CREDENTIALS');
    }
    for (const xff of ['203.0.113.99', '198.51.100.7, 203.0.113.100', '127.0.0.1', '::1']) {
      expectThrottled(
        await attempt(direct, from, org.users.admin.email, TEST_PASSWORD, {
          'x-forwarded-for': xff,
          'x-real-ip': '192.0.2.1',
        }),
      );
    }
    // What gets recorded is the socket's address, not the header's.
    const reader = await signIn(direct.url, org.users.owner, { localAddress: '127.0.0.62' });
    const ok = await attempt(direct, '127.0.0.63', org.users.reviewer.email, TEST_PASSWORD, {
      'x-forwarded-for': '203.0.113.50',
    });
    expect(ok.status).toBe(200);
    const [event] = (
      await auditEvents(reader, { action: 'auth.login', actorId: org.users.reviewer.id })
    ).filter((e) => e.requestId === ok.requestId);
    expect(event?.ip).toBe('127.0.0.63');
  });
});

describe('behind a trusted proxy (ENCLAVE_TRUST_PROXY=loopback)', () => {
  it('takes the client address from X-Forwarded-For, for throttling and for the audit log', async () => {
    const proxy = '127.0.0.71';
    const client = '198.51.100.71';
    for (let i = 0; i < PER_ADDRESS; i++) {
      expectErrorShape(
        await attempt(proxied, proxy, nobody(), 'guessing', { 'x-forwarded-for': client }),
        401,
        'INVALID_CREDENTIALS',
      );
    }
    expectThrottled(
      await attempt(proxied, proxy, org.users.admin.email, TEST_PASSWORD, { 'x-forwarded-for': client }),
    );
    // Another client behind the same proxy is not blocked, nor is the proxy's own address.
    const other = await attempt(proxied, proxy, org.users.admin.email, TEST_PASSWORD, {
      'x-forwarded-for': '198.51.100.72',
    });
    expect(other.status, other.toString()).toBe(200);
    // A client cannot pick its address by prepending to the header: the proxy's hop is the one that counts.
    expectThrottled(
      await attempt(proxied, proxy, org.users.admin.email, TEST_PASSWORD, {
        'x-forwarded-for': `203.0.113.1, ${client}`,
      }),
    );

    const reader = await signIn(proxied.url, org.users.owner, { localAddress: '127.0.0.73' });
    const [event] = (await auditEvents(reader, { action: 'auth.login', actorId: org.users.admin.id })).filter(
      (e) => e.requestId === other.requestId,
    );
    expect(event?.ip).toBe('198.51.100.72');
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { openAppDataSource } from '../../../test/fixtures';
import { loadConfig, type AppConfig } from '../config/config';
import { Db } from '../db/tenant';
import { LoginThrottle } from './throttle.service';

/**
 * Login throttling in PostgreSQL, through the runtime role. auth_throttle is shared by the whole
 * instance, so every test uses e-mail addresses and client addresses of its own.
 */
describe('LoginThrottle', () => {
  let ds: DataSource;
  let db: Db;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const unique = () => randomBytes(6).toString('hex');
  const email = () => `throttle-${unique()}@example.test`;
  const address = () => `198.51.100.${unique()}`;

  function throttle(overrides: Partial<AppConfig['throttle']> = {}): LoginThrottle {
    const base = loadConfig({});
    return new LoginThrottle(db, { ...base, throttle: { maxPerAccount: 3, maxPerAddress: 100, windowSeconds: 60, ...overrides } });
  }

  async function fail(t: LoginThrottle, who: string, from: string | null, times: number) {
    for (let i = 0; i < times; i++) await t.recordFailure(who, from);
  }

  beforeAll(async () => {
    ds = await openAppDataSource(inject('appUrl'), 2);
    db = new Db(ds);
  });
  afterAll(() => ds.destroy());

  it('lets an account try again until maxPerAccount failures, then asks it to wait', async () => {
    const t = throttle();
    const [who, from] = [email(), address()];
    await fail(t, who, from, 2);
    expect(await t.retryAfter(who, from)).toBe(0);
    await fail(t, who, from, 1);
    const wait = await t.retryAfter(who, from);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
  });

  it('keeps the account blocked from any other address, and from no address at all', async () => {
    const t = throttle();
    const who = email();
    await fail(t, who, address(), 3);
    expect(await t.retryAfter(who, address())).toBeGreaterThan(0);
    expect(await t.retryAfter(who, null)).toBeGreaterThan(0);
    // Another account from the same kind of address is not affected.
    expect(await t.retryAfter(email(), address())).toBe(0);
  });

  it('blocks an address after maxPerAddress failures across accounts, but not those accounts elsewhere', async () => {
    const t = throttle({ maxPerAddress: 4 });
    const from = address();
    const accounts = [email(), email(), email(), email()];
    for (const who of accounts) await fail(t, who, from, 1);
    expect(await t.retryAfter(email(), from)).toBeGreaterThan(0);
    expect(await t.retryAfter(accounts[0]!, address())).toBe(0);
  });

  it("clears only the account's count on success, never the address's", async () => {
    const t = throttle({ maxPerAddress: 3 });
    const [who, from] = [email(), address()];
    await fail(t, who, from, 3);
    expect(await t.retryAfter(who, address())).toBeGreaterThan(0);
    await t.recordSuccess(who);
    expect(await t.retryAfter(who, address())).toBe(0);
    expect(await t.retryAfter(who, from)).toBeGreaterThan(0);
    expect(await t.retryAfter(email(), from)).toBeGreaterThan(0);
    // The account starts counting from zero again.
    await fail(t, who, address(), 2);
    expect(await t.retryAfter(who, null)).toBe(0);
  });

  it('forgets the failures once the window is over', async () => {
    const t = throttle({ windowSeconds: 1 });
    const [who, from] = [email(), address()];
    await fail(t, who, from, 3);
    expect(await t.retryAfter(who, from)).toBeGreaterThan(0);
    await sleep(2100);
    expect(await t.retryAfter(who, from)).toBe(0);
    // The count restarted: two more failures do not block, a third within the window does.
    await fail(t, who, from, 2);
    expect(await t.retryAfter(who, from)).toBe(0);
    await fail(t, who, from, 1);
    expect(await t.retryAfter(who, from)).toBeGreaterThan(0);
  });

  it('stores neither the e-mail address nor the client address', async () => {
    const t = throttle();
    const [who, from] = [email(), address()];
    await t.recordFailure(who, from);
    const rows = await db.preTenant<{ n: number }>(
      `SELECT count(*)::int AS n FROM auth_throttle WHERE encode(key_hash, 'escape') LIKE $1 OR encode(key_hash, 'escape') LIKE $2`,
      [`%${who}%`, `%${from}%`],
    );
    expect(rows).toEqual([{ n: 0 }]);
  });
});

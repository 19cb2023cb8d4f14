/// <reference lib="dom" />
// page.evaluate and init scripts run in the page: their callbacks are typed against the DOM.
import { describe, expect, it } from 'vitest';
import {
  checkScreen,
  expectCleanRun,
  unnamedControls,
  useEnclave,
  watchContext,
  type Incidents,
} from './support';

/**
 * The web app in Debian's Chromium against the real server (embedded PostgreSQL, demo seeded), as a
 * person uses it: sign in, see who you are, manage people, create an organization, sign out. Every
 * page is watched for requests to another origin, Content-Security-Policy violations and dialogs.
 */
const app = useEnclave();

describe('web app in Chromium', () => {
  it('refuses a wrong password and says so', async () => {
    const page = await app.newPage();
    await page.goto('/login');
    await page.getByLabel('Email').fill(app.logins.owner.email);
    await page.getByLabel('Password').fill('not the right password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByText(/wrong/i).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await checkScreen(page, 'sign-in-error');
    await page.context().close();
  });

  it('lets an owner sign in, create a user, change a role and sign out', async () => {
    const page = await app.pageAs('owner');
    await expect.poll(() => page.getByText('Demo Owner').count()).toBeGreaterThan(0);
    await checkScreen(page, 'shell-owner');

    await page.getByRole('link', { name: 'Users' }).click();
    await expect
      .poll(() => page.getByText(app.logins.annotator.email).count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    const email = `browser.${Date.now()}@example.test`;
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Name').fill('Browser Person');
    await page.getByLabel('Role', { exact: true }).selectOption('annotator');
    await page.getByLabel('Password').fill('a browser made this passphrase');
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => page.getByText(email).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.getByLabel(`Role of ${email}`).selectOption('reviewer');
    await expect
      .poll(
        async () => {
          const res = await page.request.get('/api/v1/users?limit=500');
          const body = (await res.json()) as { items: { email: string; role: string }[] };
          return body.items.find((u) => u.email === email)?.role;
        },
        { timeout: 10_000 },
      )
      .toBe('reviewer');
    await checkScreen(page, 'users');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect.poll(() => page.getByText(/valid/i).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await checkScreen(page, 'audit');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect
      .poll(() => page.getByRole('button', { name: 'Sign in' }).count(), { timeout: 10_000 })
      .toBe(1);
    const me = await page.request.get('/api/v1/auth/me');
    expect(me.status()).toBe(401);
    await page.context().close();
  });

  it('hides what an annotator may not do', async () => {
    const page = await app.pageAs('annotator');
    expect(await page.getByRole('link', { name: 'Users' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    await checkScreen(page, 'shell-annotator');
    await page.context().close();
  });

  it('lets the operator create an organization', async () => {
    const page = await app.pageAs('operator');
    await page.getByRole('link', { name: 'Organizations' }).click();
    const slug = `lab-${Date.now().toString(36)}`;
    await page.getByLabel('Organization name').fill('Browser Lab');
    await page.getByLabel('Slug').fill(slug);
    await page.getByLabel('Owner email').fill(`owner@${slug}.example.test`);
    await page.getByLabel('Owner name').fill('Browser Owner');
    await page.getByLabel('Owner password').fill('the browser lab owner passphrase');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await expect.poll(() => page.getByText(slug).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await checkScreen(page, 'organizations');
    await page.context().close();
  });

  it('serves the app under a Content-Security-Policy of its own origin, and the watchers catch a breach', async () => {
    const page = await app.newPage();
    const res = await page.goto('/login');
    const csp = res!.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("script-src-attr 'none'");
    await page.context().close();

    // The checks every file ends with would be worthless if they could not see a breach: make one of
    // each on a separately watched page and see it recorded.
    const seen: Incidents = { foreignRequests: [], cspViolations: [], dialogs: [] };
    const context = await app.browser.newContext({ baseURL: app.baseUrl });
    await watchContext(context, new URL(app.baseUrl).origin, seen);
    const probe = await context.newPage();
    await probe.goto('/login');
    await probe.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.ran = true';
      document.body.append(script);
      // Playwright's own evaluation is not governed by the CSP: this dialog opens.
      setTimeout(() => alert('probe'), 0);
    });
    await expect.poll(() => seen.cspViolations.length, { timeout: 5_000 }).toBeGreaterThan(0);
    await expect.poll(() => seen.dialogs, { timeout: 5_000 }).toEqual(['alert: probe']);
    expect(await probe.evaluate(() => (window as { ran?: boolean }).ran)).toBeUndefined();
    // And a control without a name is one.
    expect(await unnamedControls(probe)).toEqual([]);
    await probe.evaluate(() => document.body.append(document.createElement('button')));
    expect(await unnamedControls(probe)).toEqual(['button']);
    await probe.goto(app.baseUrl.replace('127.0.0.1', 'localhost')).catch(() => undefined);
    expect(seen.foreignRequests.length).toBeGreaterThan(0);
    await context.close();
  });

  it('made no request to another origin, broke no CSP rule and opened no dialog', () => {
    expectCleanRun(app);
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The web app in Debian's Chromium against the real server (embedded PostgreSQL, demo seeded), as a
 * person uses it: sign in, see who you are, manage people, create an organization, sign out. Every
 * page is watched for requests to another origin and for Content-Security-Policy violations.
 */
const ROOT = path.resolve(__dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let server: ChildProcess;
let dataDir: string;
let baseUrl: string;
let browser: Browser;
const logins: Record<string, { email: string; password: string }> = {};
const foreignRequests: string[] = [];
const cspViolations: string[] = [];

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ baseURL: baseUrl });
  const page = await context.newPage();
  const origin = new URL(baseUrl).origin;
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin) foreignRequests.push(url);
  });
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) cspViolations.push(msg.text());
  });
  return page;
}

async function signIn(page: Page, who: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(logins[who]!.email);
  await page.getByLabel('Password').fill(logins[who]!.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Sign out' }).count(), { timeout: 15_000 }).toBe(1);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  await fs.mkdir(ARTIFACTS, { recursive: true });
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'enclave-browser-'));
  await fs.chmod(dataDir, 0o755);
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, [path.join(ROOT, 'apps/api/dist/main.js')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ENCLAVE_DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  server.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 90_000;
  while (!out.includes('Enclave is running')) {
    if (server.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const m of out.matchAll(/^\s+(operator|owner|admin|manager|reviewer|annotator)\s+(\S+)\s+(\S+)$/gm)) {
    logins[m[1]!] = { email: m[2]!, password: m[3]! };
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGINT');
    await new Promise((r) => server.once('exit', r));
  }
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('web app in Chromium', () => {
  it('refuses a wrong password and says so', async () => {
    const page = await newPage();
    await page.goto('/login');
    await page.getByLabel('Email').fill(logins.owner!.email);
    await page.getByLabel('Password').fill('not the right password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByText(/wrong/i).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await shot(page, 'sign-in-error');
    await page.context().close();
  });

  it('lets an owner sign in, create a user, change a role and sign out', async () => {
    const page = await newPage();
    await signIn(page, 'owner');
    await expect.poll(() => page.getByText('Demo Owner').count()).toBeGreaterThan(0);
    await shot(page, 'shell-owner');

    await page.getByRole('link', { name: 'Users' }).click();
    await expect.poll(() => page.getByText(logins.annotator!.email).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const email = `browser.${Date.now()}@example.test`;
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Name').fill('Browser Person');
    await page.getByLabel('Role', { exact: true }).selectOption('annotator');
    await page.getByLabel('Password').fill('a browser made this passphrase');
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => page.getByText(email).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.getByLabel(`Role of ${email}`).selectOption('reviewer');
    await expect
      .poll(async () => {
        const res = await page.request.get('/api/v1/users?limit=500');
        const body = (await res.json()) as { items: { email: string; role: string }[] };
        return body.items.find((u) => u.email === email)?.role;
      }, { timeout: 10_000 })
      .toBe('reviewer');
    await shot(page, 'users');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect.poll(() => page.getByText(/valid/i).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await shot(page, 'audit');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).count(), { timeout: 10_000 }).toBe(1);
    const me = await page.request.get('/api/v1/auth/me');
    expect(me.status()).toBe(401);
    await page.context().close();
  });

  it('hides what an annotator may not do', async () => {
    const page = await newPage();
    await signIn(page, 'annotator');
    expect(await page.getByRole('link', { name: 'Users' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    await shot(page, 'shell-annotator');
    await page.context().close();
  });

  it('lets the operator create an organization', async () => {
    const page = await newPage();
    await signIn(page, 'operator');
    await page.getByRole('link', { name: 'Organizations' }).click();
    const slug = `lab-${Date.now().toString(36)}`;
    await page.getByLabel('Organization name').fill('Browser Lab');
    await page.getByLabel('Slug').fill(slug);
    await page.getByLabel('Owner email').fill(`owner@${slug}.example.test`);
    await page.getByLabel('Owner name').fill('Browser Owner');
    await page.getByLabel('Owner password').fill('the browser lab owner passphrase');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await expect.poll(() => page.getByText(slug).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await shot(page, 'organizations');
    await page.context().close();
  });

  it('made no request to another origin and broke no CSP rule', () => {
    expect(foreignRequests).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});

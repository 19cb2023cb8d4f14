/// <reference lib="dom" />
// page.evaluate and init scripts run in the page: their callbacks are typed against the DOM.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type APIResponse, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

/**
 * The browser tier's harness: the built server (apps/api/dist/main.js serving apps/web/dist) on a
 * throwaway embedded PostgreSQL with the demo organization seeded, and Debian's Chromium driving it.
 * Each test file starts its own (`useEnclave()`), so files never share data.
 *
 * Every page opened through the harness is watched for the safety promises: no request to
 * another origin, no Content-Security-Policy violation, no JavaScript dialog (a script that task
 * content managed to run would most likely be an `alert`). `expectCleanRun()` asserts all three.
 */

export const ROOT = path.resolve(__dirname, '../..');
export const SCREENSHOTS = path.join(ROOT, 'test-artifacts', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

export type DemoRole = 'operator' | 'owner' | 'admin' | 'manager' | 'reviewer' | 'annotator';
export interface Login {
  email: string;
  password: string;
}

/** What the watchers saw, across every page of a file. */
export interface Incidents {
  foreignRequests: string[];
  cspViolations: string[];
  dialogs: string[];
}

export interface Enclave {
  baseUrl: string;
  logins: Record<DemoRole, Login>;
  browser: Browser;
  incidents: Incidents;
  /** A fresh browser context (its own cookies) with one watched page. */
  newPage: () => Promise<Page>;
  /** A fresh page signed in as a demo person, through the sign-in form, on the landing page. */
  pageAs: (who: DemoRole) => Promise<Page>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Watch a context: requests to another origin, CSP violations (Chromium reports them on the console;
 * an init script, which CSP does not govern, also reports `securitypolicyviolation` events there) and
 * dialogs, which are dismissed so a page never hangs on one.
 */
export async function watchContext(context: BrowserContext, origin: string, into: Incidents): Promise<void> {
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Content Security Policy violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  context.on('request', (req) => {
    const url = req.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (new URL(url).origin !== origin) into.foreignRequests.push(url);
  });
  context.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) into.cspViolations.push(msg.text());
  });
  context.on('dialog', (dialog) => {
    into.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => undefined);
  });
}

/** Sign in through the form, by keyboard: type, Tab, type, Enter. */
export async function signIn(page: Page, login: Login): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(login.email);
  await page.getByLabel('Email').press('Tab');
  await page.keyboard.type(login.password);
  await page.keyboard.press('Enter');
  // waitFor, not expect.poll: this also runs in hooks, where vitest has no test to poll in.
  await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 15_000 });
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Roles a person operates: each needs a name, so that it can be found by ear and by voice. */
const CONTROL_ROLES = new Set([
  'button',
  'link',
  'textbox',
  'searchbox',
  'checkbox',
  'radio',
  'combobox',
  'listbox',
  'option',
  'slider',
  'spinbutton',
  'switch',
  'tab',
  'menuitem',
  'treeitem',
]);
/** Focusable containers that need no name of their own (the skip link's target, the page). */
const UNNAMED_OK = new Set(['main', 'RootWebArea', 'WebArea']);

interface AXNode {
  ignored: boolean;
  role?: { value: string };
  name?: { value: string };
  properties?: { name: string; value: { value: unknown } }[];
}

/** The controls on the page (from Chromium's accessibility tree) that have no accessible name. */
export async function unnamedControls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AXNode[] };
    return nodes
      .filter((n) => !n.ignored)
      .filter((n) => {
        const role = n.role?.value ?? '';
        const focusable = n.properties?.some((p) => p.name === 'focusable' && p.value.value === true);
        return (CONTROL_ROLES.has(role) || (focusable && !UNNAMED_OK.has(role))) && !n.name?.value?.trim();
      })
      .map((n) => n.role?.value ?? 'unknown');
  } finally {
    await cdp.detach();
  }
}

/** A main screen: saved as a screenshot, and every control on it has an accessible name. */
export async function checkScreen(page: Page, name: string): Promise<void> {
  await shot(page, name);
  expect(await unnamedControls(page), `controls without an accessible name on ${name}`).toEqual([]);
}

/** The double-submit CSRF header for a state-changing request made with the page's session cookie. */
export async function csrfHeader(page: Page): Promise<Record<string, string>> {
  const cookies = await page.context().cookies();
  const csrf = cookies.find((c) => c.name === 'enclave_csrf');
  if (!csrf) throw new Error('no enclave_csrf cookie: is the page signed in?');
  return { 'x-csrf-token': csrf.value };
}

async function ok<T>(res: APIResponse, what: string): Promise<T> {
  if (!res.ok()) throw new Error(`${what}: ${res.status()} ${(await res.text()).slice(0, 500)}`);
  return (res.status() === 204 ? undefined : await res.json()) as T;
}

/** The API as the page's signed-in person (cookie and CSRF header), for set-up and for assertions. */
export function apiOf(page: Page) {
  return {
    get: async <T>(url: string): Promise<T> => ok<T>(await page.request.get(url), `GET ${url}`),
    send: async <T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<T> =>
      ok<T>(
        await page.request.fetch(url, {
          method,
          headers: await csrfHeader(page),
          ...(body === undefined ? {} : { data: body }),
        }),
        `${method} ${url}`,
      ),
    /** NDJSON tasks into a project. */
    importTasks: async (projectId: string, rows: unknown[]): Promise<{ imported: number }> =>
      ok(
        await page.request.post(`/api/v1/projects/${projectId}/tasks`, {
          headers: { ...(await csrfHeader(page)), 'content-type': 'application/x-ndjson' },
          data: rows.map((r) => JSON.stringify(r)).join('\n') + '\n',
        }),
        'import',
      ),
  };
}

/**
 * Start a server for this test file and stop it after: registers vitest's `beforeAll`/`afterAll`.
 * The returned object is filled in by `beforeAll`; read its members inside tests and hooks only.
 */
export function useEnclave(): Enclave {
  const enclave = {
    incidents: { foreignRequests: [], cspViolations: [], dialogs: [] },
  } as unknown as Enclave;
  let server: ChildProcess | undefined;
  let dataDir: string | undefined;

  beforeAll(async () => {
    await fs.mkdir(SCREENSHOTS, { recursive: true });
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'enclave-browser-'));
    await fs.chmod(dataDir, 0o755);
    const port = await freePort();
    enclave.baseUrl = `http://127.0.0.1:${port}`;
    const origin = new URL(enclave.baseUrl).origin;
    server = spawn(process.execPath, [path.join(ROOT, 'apps/api/dist/main.js')], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        ENCLAVE_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        DATABASE_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    server.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 90_000;
    while (!out.includes('Enclave is running')) {
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const logins = {} as Record<DemoRole, Login>;
    for (const m of out.matchAll(
      /^\s+(operator|owner|admin|manager|reviewer|annotator)\s+(\S+)\s+(\S+)$/gm,
    )) {
      logins[m[1] as DemoRole] = { email: m[2]!, password: m[3]! };
    }
    enclave.logins = logins;
    enclave.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    enclave.newPage = async () => {
      const context = await enclave.browser.newContext({
        baseURL: enclave.baseUrl,
        viewport: { width: 1280, height: 860 },
        acceptDownloads: true,
      });
      await watchContext(context, origin, enclave.incidents);
      return context.newPage();
    };
    enclave.pageAs = async (who) => {
      const page = await enclave.newPage();
      await signIn(page, logins[who]);
      return page;
    };
  }, 120_000);

  afterAll(async () => {
    await enclave.browser?.close();
    if (server && server.exitCode === null) {
      server.kill('SIGINT');
      await new Promise((r) => server!.once('exit', r));
    }
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  return enclave;
}

/** The safety promises held on every page this file opened. */
export function expectCleanRun(enclave: Enclave): void {
  expect(enclave.incidents.foreignRequests, 'requests to another origin').toEqual([]);
  expect(enclave.incidents.cspViolations, 'Content-Security-Policy violations').toEqual([]);
  expect(enclave.incidents.dialogs, 'JavaScript dialogs').toEqual([]);
}

/** The response of the first `queue/next` of a labelling screen (not the one fetched ahead). */
export function firstLease(page: Page, projectId: string) {
  return page.waitForResponse(
    (r) =>
      r.request().method() === 'POST' &&
      r.url().endsWith(`/api/v1/projects/${projectId}/queue/next`) &&
      !(r.request().postData() ?? '').includes('holding'),
  );
}

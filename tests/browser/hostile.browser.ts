/// <reference lib="dom" />
// page.evaluate callbacks run in the page: they are typed against the DOM.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkScreen, apiOf, expectCleanRun, firstLease, useEnclave } from './support';

/**
 * Task content and instructions are written by whoever made the dataset: hostile until shown
 * otherwise. A project whose instructions and tasks are full of script is imported through the
 * import screen and shown on every screen that renders task content; each must show it as text, run
 * nothing (no dialog; the watchers of `support.ts` record any), and leave no element in the DOM that
 * could run script: no event-handler attribute, no `javascript:` (or `data:`, `vbscript:`) address, no
 * script but the app's own, no frame.
 */
const app = useEnclave();

const TEXT = '<img src=x onerror=alert(1)>';
const MARKDOWN = [
  '[click me](javascript:alert(2))',
  '[shout](JAVASCRIPT:alert(3))',
  '[encoded](&#106;avascript:alert(4))',
  '<javascript:alert(5)>',
  '<a href="javascript:alert(6)">raw link</a>',
  '<img src=x onerror=alert(7)>',
  '<script>alert(8)</script>',
  '![picture](x" onerror="alert(9))',
  '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMCk8L3NjcmlwdD4=)',
  '<iframe src="javascript:alert(11)"></iframe>',
].join('\n\n');
const CHAT = [
  { role: 'user', content: '<script>alert(12)</script>' },
  { role: 'assistant', content: '<svg onload=alert(13)>' },
];
const RESPONSES = [
  { id: 'r-a', text: '<a href="javascript:alert(14)">A</a>' },
  { id: 'r-b', text: '[B](javascript:alert(15))' },
];
const INSTRUCTIONS = [
  '# Hostile instructions',
  '[instructions link](javascript:alert(16))',
  '<img src=x onerror=alert(17)>',
  '<script>alert(18)</script>',
].join('\n\n');

/** Everything in the DOM that could run script, described; empty on a safe page. */
function dangerousElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const bad = /^\s*(javascript|vbscript|data):/i;
    for (const el of Array.from(document.querySelectorAll('*'))) {
      for (const a of Array.from(el.attributes)) {
        if (a.name.toLowerCase().startsWith('on')) found.push(`handler ${a.name} on <${el.tagName}>`);
        if (
          ['href', 'src', 'action', 'formaction', 'xlink:href'].includes(a.name.toLowerCase()) &&
          bad.test(a.value)
        )
          found.push(`${a.name}=${a.value} on <${el.tagName}>`);
      }
      if (el.tagName === 'IFRAME' || el.tagName === 'OBJECT' || el.tagName === 'EMBED')
        found.push(`<${el.tagName}>`);
      if (el.tagName === 'IMG' && el.getAttribute('src') === 'x') found.push('<img src=x>');
    }
    for (const s of Array.from(document.scripts)) {
      if (!s.src || new URL(s.src).origin !== location.origin)
        found.push(`script ${s.src || s.textContent?.slice(0, 40)}`);
    }
    return found;
  });
}

describe('hostile task content', () => {
  const name = 'Hostile content';
  let manager: Page;
  let projectId: string;
  let files: string;

  beforeAll(async () => {
    files = await fs.mkdtemp(path.join(os.tmpdir(), 'enclave-browser-hostile-'));
    manager = await app.pageAs('manager');
    const api = apiOf(manager);
    const project = await api.send<{ id: string }>('POST', '/api/v1/projects', {
      name,
      instructions: INSTRUCTIONS,
      labelConfig: {
        fields: [
          { name: 'text', type: 'text' },
          { name: 'notes', type: 'markdown' },
          { name: 'dialogue', type: 'chat' },
          { name: 'responses', type: 'responses' },
        ],
        questions: [
          { name: 'verdict', type: 'single_choice', options: ['harmless', 'harmful'] },
          { name: 'better', type: 'pairwise', field: 'responses' },
        ],
      },
      overlap: 1,
      reviewMode: 'all',
      goldPercent: 0,
    });
    projectId = project.id;
    const users = await api.get<{ items: { id: string; email: string }[] }>('/api/v1/users?limit=500');
    for (const who of ['annotator', 'reviewer'] as const) {
      const user = users.items.find((u) => u.email === app.logins[who].email)!;
      await api.send('PUT', `/api/v1/projects/${projectId}/members/${user.id}`, { role: who });
    }
  });
  afterAll(async () => {
    await fs.rm(files, { recursive: true, force: true });
  });

  it('is imported through the import screen and listed as text', async () => {
    const file = path.join(files, 'hostile.ndjson');
    const task = {
      externalId: 'hostile-1',
      data: { text: TEXT, notes: MARKDOWN, dialogue: CHAT, responses: RESPONSES },
    };
    await fs.writeFile(file, `${JSON.stringify(task)}\n`);
    await manager.goto(`/projects/${projectId}?tab=import`);
    await manager.getByLabel('Task file').setInputFiles(file);
    await manager.getByRole('button', { name: 'Import', exact: true }).click();
    await manager.getByText('Imported 1 task from hostile.ndjson.').waitFor();

    await manager
      .getByRole('navigation', { name: 'Project sections' })
      .getByRole('link', { name: 'Tasks' })
      .click();
    await manager.getByText('1 task: 1 open, 0 completed.').waitFor();
    await manager.getByRole('cell', { name: /onerror=alert\(1\)/ }).waitFor();
    expect(await dangerousElements(manager)).toEqual([]);
    await checkScreen(manager, 'hostile-tasks');

    // The instructions, previewed as the manager edits them (rendered in the browser, not the API).
    await manager
      .getByRole('navigation', { name: 'Project sections' })
      .getByRole('link', { name: 'Settings' })
      .click();
    await manager.getByText('Preview the instructions').click();
    await manager.getByText('instructions link').first().waitFor();
    expect(await dangerousElements(manager)).toEqual([]);
    await checkScreen(manager, 'hostile-instructions-preview');
  });

  it('shows as text on the labelling screen and runs nothing', async () => {
    const page = await app.pageAs('annotator');
    const leased = firstLease(page, projectId);
    await page.getByRole('link', { name: `Start labelling ${name}` }).press('Enter');
    await leased;
    await page.getByRole('group', { name: 'Annotation editor' }).waitFor();

    // Each piece of markup is on screen as the characters it is made of.
    const content = page.getByRole('group', { name: 'Annotation editor' });
    await content.getByText(TEXT, { exact: true }).waitFor();
    for (const shown of [
      '<a href="javascript:alert(6)">raw link</a>',
      '<img src=x onerror=alert(7)>',
      '<script>alert(8)</script>',
      '<script>alert(12)</script>',
      '<svg onload=alert(13)>',
      '<a href="javascript:alert(14)">A</a>',
      '[B](javascript:alert(15))',
    ]) {
      expect(await content.getByText(shown, { exact: false }).count(), shown).toBeGreaterThan(0);
    }
    // A refused link keeps its words and loses its address.
    expect(await content.getByText('click me', { exact: false }).count()).toBeGreaterThan(0);
    expect(await page.getByRole('link', { name: 'click me' }).count()).toBe(0);
    const instructions = page.getByRole('complementary', { name: 'Instructions' });
    await instructions.getByText('instructions link', { exact: false }).waitFor();
    expect(await instructions.getByRole('link').count()).toBe(0);

    // Nothing ran, now or a little later (an image's error fires after its load fails).
    await page.waitForTimeout(300);
    expect(await dangerousElements(page)).toEqual([]);
    expect(app.incidents.dialogs).toEqual([]);
    await checkScreen(page, 'hostile-labelling');

    // It can still be answered and submitted, for the reviewer to see next.
    await page.keyboard.press('1');
    await page.keyboard.press(']');
    await page.keyboard.press('b');
    const submitted = page.waitForResponse(
      (r) =>
        r.request().method() === 'PUT' &&
        r.url().endsWith('/annotation') &&
        (r.request().postData() ?? '').includes('"submitted"'),
    );
    await page.keyboard.press('Control+Enter');
    expect((await submitted).status()).toBe(200);
    await page.context().close();
  });

  it('shows as text on the review screen and runs nothing', async () => {
    const page = await app.pageAs('reviewer');
    await page.getByRole('link', { name: `Review ${name}` }).click();
    await page.getByRole('heading', { name: `Review: ${name}` }).waitFor();
    await page.getByText(TEXT, { exact: true }).waitFor();
    await page.waitForTimeout(300);
    expect(await dangerousElements(page)).toEqual([]);
    await checkScreen(page, 'hostile-review');

    await page.context().close();
  });

  it('is checked by a check that sees what it looks for', async () => {
    // Planted by the test on a page of its own (not watched: the plant itself breaks CSP rules).
    const context = await app.browser.newContext({ baseURL: app.baseUrl });
    const page = await context.newPage();
    await page.goto('/login');
    expect(await dangerousElements(page)).toEqual([]);
    await page.evaluate(() => {
      const planted = document.createElement('div');
      planted.innerHTML = '<a href=" javascript:void 0">x</a><span onclick="void 0"></span><img src="x">';
      document.body.append(planted);
    });
    expect(await dangerousElements(page)).toEqual([
      'href= javascript:void 0 on <A>',
      'handler onclick on <SPAN>',
      '<img src=x>',
    ]);
    await context.close();
  });

  it('made no request to another origin, broke no CSP rule and opened no dialog', () => {
    expectCleanRun(app);
  });
});

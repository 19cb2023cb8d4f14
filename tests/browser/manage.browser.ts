import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { QueueNextResponse } from '@enclave/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkScreen, apiOf, expectCleanRun, useEnclave } from './support';

/**
 * A manager sets a project up in the browser: creates it from a template, imports a file through the
 * import screen (a bad one first, whose lines are named, then a good one), adds an annotator, watches
 * the statistics and downloads the export, whose content is checked.
 */
const app = useEnclave();

interface ExportedTask {
  externalId: string | null;
  data: { text: string };
  annotations: { annotator: string; status: string; result: Record<string, unknown> }[];
}

describe('a manager', () => {
  const name = 'Support prompts (browser)';
  let page: Page;
  let files: string;
  let projectId: string;

  beforeAll(async () => {
    files = await fs.mkdtemp(path.join(os.tmpdir(), 'enclave-browser-files-'));
    page = await app.pageAs('manager');
  });
  afterAll(async () => {
    await fs.rm(files, { recursive: true, force: true });
  });

  const tab = (label: string) =>
    page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: label }).click();

  it('creates a project from a template', async () => {
    await page.getByRole('link', { name: 'New project' }).click();
    await page.getByRole('radio', { name: /^Text classification/ }).check();
    await page.getByRole('checkbox', { name: /Include the template.s \d+ sample tasks/ }).uncheck();
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Text classification');
    await page.getByLabel('Name', { exact: true }).fill(name);
    await checkScreen(page, 'project-new');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    projectId = /\/projects\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    const project = await apiOf(page).get<{ name: string; templateId: string | null; labelConfig: unknown }>(
      `/api/v1/projects/${projectId}`,
    );
    expect(project).toMatchObject({ name, templateId: 'text-classification' });
    await checkScreen(page, 'project-overview');
    await tab('Configuration');
    await checkScreen(page, 'project-configuration');
    await tab('Settings');
    await checkScreen(page, 'project-settings');
  });

  it('imports a file: a bad one is refused with its lines named, a good one is imported', async () => {
    await tab('Import');
    const bad = path.join(files, 'bad.ndjson');
    await fs.writeFile(
      bad,
      [
        JSON.stringify({ externalId: 'ok-1', data: { text: 'A fine line' } }),
        '{ this is not JSON',
        JSON.stringify({ externalId: 'no-text', data: { body: 'no text field' } }),
      ].join('\n') + '\n',
    );
    await page.getByLabel('Task file').setInputFiles(bad);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const failure = page.getByRole('alert').filter({ has: page.getByRole('table') });
    await failure.waitFor();
    const lines = await failure.getByRole('row').allTextContents();
    expect(lines.some((l) => l.startsWith('2'))).toBe(true);
    expect(lines.some((l) => l.startsWith('3'))).toBe(true);
    expect(lines.some((l) => l.startsWith('1'))).toBe(false);
    await checkScreen(page, 'import-errors');
    // All or nothing: not even the good first line was kept.
    const none = await apiOf(page).get<{ items: unknown[] }>(`/api/v1/projects/${projectId}/tasks`);
    expect(none.items).toEqual([]);

    const good = path.join(files, 'prompts.csv');
    await fs.writeFile(
      good,
      'externalId,text\n' +
        'q-1,Is 7919 a prime number?\n' +
        'q-2,"Write a haiku about rain, please"\n' +
        'q-3,"=HYPERLINK(""http://example.invalid"") is a formula, not a prompt"\n',
    );
    await page.getByLabel('Task file').setInputFiles(good);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Imported 3 tasks from prompts.csv.').waitFor();
    await checkScreen(page, 'import-done');
    const tasks = await apiOf(page).get<{ items: { externalId: string; data: { text: string } }[] }>(
      `/api/v1/projects/${projectId}/tasks`,
    );
    expect(tasks.items.map((t) => t.externalId).sort()).toEqual(['q-1', 'q-2', 'q-3']);
    expect(tasks.items.find((t) => t.externalId === 'q-2')!.data.text).toBe(
      'Write a haiku about rain, please',
    );
    await tab('Tasks');
    await page.getByText('3 tasks: 3 open, 0 completed.').waitFor();
    await checkScreen(page, 'project-tasks');
  });

  it('adds an annotator, whose work then shows in the statistics', async () => {
    await tab('Members');
    await page
      .getByLabel('Person')
      .selectOption({ label: `Demo Annotator (${app.logins.annotator.email}) · annotator` });
    await page.getByLabel('Role in this project').selectOption('annotator');
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByText('Demo Annotator is now an annotator of this project.').waitFor();
    await checkScreen(page, 'project-members');

    // The annotator answers one task (the labelling screen has its own tests).
    const annotator = await app.pageAs('annotator');
    const lease = await apiOf(annotator).send<QueueNextResponse>(
      'POST',
      `/api/v1/projects/${projectId}/queue/next`,
      {},
    );
    await apiOf(annotator).send('PUT', `/api/v1/tasks/${lease.task.id}/annotation`, {
      result: { category: 'math', topics: ['science'] },
      status: 'submitted',
    });
    await annotator.context().close();

    await tab('Statistics');
    await page.getByText('1 of 3 tasks, 1 annotator each').waitFor();
    await page.getByRole('heading', { name: 'Throughput per annotator' }).waitFor();
    await checkScreen(page, 'project-statistics');
  });

  it('exports the project, and the download holds the tasks and the answer', async () => {
    await tab('Export');
    await page.getByLabel('Format').selectOption({ label: 'JSON lines' });
    await page.getByLabel('Annotations').selectOption({ label: 'Everything, drafts and rejected included' });
    await checkScreen(page, 'project-export');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download export' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.jsonl$/);
    const text = await fs.readFile((await download.path())!, 'utf8');
    const records = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ExportedTask);
    expect(records.map((r) => r.externalId).sort()).toEqual(['q-1', 'q-2', 'q-3']);
    const labelled = records.filter((r) => r.annotations.length > 0);
    expect(labelled).toHaveLength(1);
    expect(labelled[0]!.annotations[0]).toMatchObject({
      status: 'submitted',
      result: { category: 'math', topics: ['science'] },
    });
    // A pseudonym, never the annotator's address.
    expect(labelled[0]!.annotations[0]!.annotator).toMatch(/^annotator-[0-9a-f]{12}$/);
    expect(text).not.toContain(app.logins.annotator.email);

    // CSV of the submitted answers: a header and one row.
    await page.getByLabel('Format').selectOption({ label: 'CSV' });
    await page.getByLabel('Annotations').selectOption({ label: 'Submitted and accepted' });
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download export' }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/\.csv$/);
    const rows = (await fs.readFile((await csv.path())!, 'utf8')).trim().split(/\r?\n/);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('category');
    expect(rows[1]).toContain('math');
  });

  it('made no request to another origin, broke no CSP rule and opened no dialog', () => {
    expectCleanRun(app);
  });
});

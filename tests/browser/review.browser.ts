/// <reference lib="dom" />
// page.evaluate callbacks run in the page: they are typed against the DOM.
import type { Page } from 'playwright-core';
import { LABEL_TEMPLATES, type QueueNextResponse } from '@enclave/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkScreen, apiOf, csrfHeader, expectCleanRun, useEnclave } from './support';

/**
 * A reviewer rejects an annotation with a comment on the review screen; the API then holds the
 * review, the annotation is rejected, and the task is back in the queue for someone else.
 */
const app = useEnclave();

interface Annotation {
  id: string;
  userId: string;
  status: string;
  reviews?: { reviewerId: string; verdict: string; comment: string | null }[];
}

describe('a reviewer', () => {
  const name = 'Reviewed in the browser';
  let projectId: string;
  let taskId: string;
  let annotator: Page;
  let ids: Record<'annotator' | 'reviewer', string>;

  beforeAll(async () => {
    // Set-up through the API: a project reviewing every submission, one task, one submitted answer.
    const manager = await app.pageAs('manager');
    const api = apiOf(manager);
    const classification = LABEL_TEMPLATES.find((t) => t.id === 'text-classification')!;
    const project = await api.send<{ id: string }>('POST', '/api/v1/projects', {
      name,
      instructions: 'Choose the **one** category.',
      labelConfig: classification.labelConfig,
      overlap: 1,
      reviewMode: 'all',
      goldPercent: 0,
    });
    projectId = project.id;
    const users = await api.get<{ items: { id: string; email: string }[] }>('/api/v1/users?limit=500');
    const idOf = (email: string) => users.items.find((u) => u.email === email)!.id;
    ids = { annotator: idOf(app.logins.annotator.email), reviewer: idOf(app.logins.reviewer.email) };
    await api.send('PUT', `/api/v1/projects/${projectId}/members/${ids.annotator}`, { role: 'annotator' });
    await api.send('PUT', `/api/v1/projects/${projectId}/members/${ids.reviewer}`, { role: 'reviewer' });
    await api.importTasks(projectId, [{ externalId: 'only', data: { text: 'What is 12 × 7?' } }]);
    await manager.context().close();

    annotator = await app.pageAs('annotator');
    const lease = await apiOf(annotator).send<QueueNextResponse>(
      'POST',
      `/api/v1/projects/${projectId}/queue/next`,
      {},
    );
    taskId = lease.task.id;
    await apiOf(annotator).send('PUT', `/api/v1/tasks/${taskId}/annotation`, {
      result: { category: 'coding' },
      status: 'submitted',
    });
  });

  it('rejects an annotation with a comment, and the task goes back to the queue', async () => {
    const page = await app.pageAs('reviewer');
    await page.getByRole('link', { name: `Review ${name}` }).click();
    await page.getByRole('heading', { name: `Review: ${name}` }).waitFor();
    // The annotation over its task, read-only: the annotator's answer is shown chosen.
    await page.getByText('What is 12 × 7?').waitFor();
    expect(await page.getByRole('radio', { name: 'coding', exact: true }).isChecked()).toBe(true);
    expect(await page.getByRole('radio', { name: 'coding', exact: true }).isDisabled()).toBe(true);
    await checkScreen(page, 'review');

    // A rejection needs a comment: without one the screen asks for it and sends nothing.
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByText(/Write what is wrong/).waitFor();
    const comment = page.getByLabel('Comment for the annotator (required to reject)');
    expect(await comment.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await checkScreen(page, 'review-comment-required');

    await comment.fill('12 × 7 is arithmetic: this is math, not coding.');
    const reviewed = page.waitForResponse(
      (r) => r.url().endsWith('/review') && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: 'Reject' }).click();
    expect((await reviewed).status()).toBe(200);
    await page.getByRole('heading', { name: 'Nothing waiting for review' }).waitFor();
    await checkScreen(page, 'review-empty');

    // The API holds the rejection and its comment, by this reviewer.
    const stored = await apiOf(page).get<{ items: Annotation[] }>(`/api/v1/tasks/${taskId}/annotations`);
    expect(stored.items).toHaveLength(1);
    expect(stored.items[0]).toMatchObject({ userId: ids.annotator, status: 'rejected' });
    expect(stored.items[0]!.reviews).toEqual([
      expect.objectContaining({
        reviewerId: ids.reviewer,
        verdict: 'reject',
        comment: '12 × 7 is arithmetic: this is math, not coding.',
      }),
    ]);

    // Back in the queue, for another pass by someone else: the reviewer (who may label here) gets it;
    // the annotator whose answer was rejected does not get it again.
    const again = await page.request.post(`/api/v1/projects/${projectId}/queue/next`, {
      headers: await csrfHeader(page),
      data: {},
    });
    expect(again.status()).toBe(200);
    expect(((await again.json()) as QueueNextResponse).task.id).toBe(taskId);
    const annotatorAgain = await annotator.request.post(`/api/v1/projects/${projectId}/queue/next`, {
      headers: await csrfHeader(annotator),
      data: {},
    });
    expect(annotatorAgain.status()).toBe(204);
  });

  it('made no request to another origin, broke no CSP rule and opened no dialog', () => {
    expectCleanRun(app);
  });
});
